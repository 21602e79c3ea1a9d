package dev.segbench.reports;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsoup.nodes.Attribute;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/** Finds anything in an HTML document that would make a browser load something from outside the file. */
final class ExternalReferences {

    private static final Set<String> URL_ATTRIBUTES = Set.of("src", "href", "xlink:href", "srcset", "action",
            "formaction", "poster", "data", "background", "manifest", "ping", "codebase", "cite", "longdesc");
    private static final Pattern CSS_URL = Pattern.compile("url\\(\\s*['\"]?([^'\")]*)", Pattern.CASE_INSENSITIVE);

    private ExternalReferences() {
    }

    /** Descriptions of the offending references; empty when the document is self-contained. */
    static List<String> find(Document doc) {
        List<String> found = new ArrayList<>();
        for (Element e : doc.getAllElements()) {
            for (Attribute a : e.attributes()) {
                String name = a.getKey().toLowerCase(Locale.ROOT);
                String value = a.getValue().trim();
                if (URL_ATTRIBUTES.contains(name) && external(value)) {
                    found.add("<" + e.tagName() + " " + name + "=\"" + value + "\">");
                }
                if (name.equals("style") || value.toLowerCase(Locale.ROOT).contains("url(")) {
                    found.addAll(cssProblems(e.tagName() + "@" + name, value));
                }
            }
            if (e.tagName().equals("style")) {
                found.addAll(cssProblems("<style>", e.data()));
            }
            if (e.tagName().equals("link") || e.tagName().equals("iframe") || e.tagName().equals("object")
                    || e.tagName().equals("embed")) {
                found.add("<" + e.tagName() + "> element");
            }
        }
        return found;
    }

    private static List<String> cssProblems(String where, String css) {
        List<String> found = new ArrayList<>();
        if (css.toLowerCase(Locale.ROOT).contains("@import")) {
            found.add(where + ": @import");
        }
        Matcher m = CSS_URL.matcher(css);
        while (m.find()) {
            String target = m.group(1).trim();
            if (!target.startsWith("#") && !target.startsWith("data:")) {
                found.add(where + ": url(" + target + ")");
            }
        }
        return found;
    }

    private static boolean external(String value) {
        String v = value.toLowerCase(Locale.ROOT);
        if (v.startsWith("#") || v.startsWith("data:") || v.isEmpty()) {
            return false;
        }
        // anything with a scheme or a network path, and relative paths too: they would resolve to files beside the report
        return true;
    }
}
