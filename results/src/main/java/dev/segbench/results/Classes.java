package dev.segbench.results;

import dev.segbench.api.VocClasses;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The classes of the dataset a compare evaluated, as the report shows them: names in label order and the
 * colour of each label ("#rrggbb") in the gallery's label images; {@code ignoreColour} is the colour of label
 * 255 (not scored). Results without this field (written before it existed) were VOC's: {@link #voc()}.
 */
public record Classes(List<String> names, List<String> colours, String ignoreColour) {

    public static final int IGNORE = VocClasses.IGNORE;

    public Classes {
        names = List.copyOf(names);
        colours = List.copyOf(colours);
        if (names.size() != colours.size()) {
            throw new IllegalArgumentException(names.size() + " class names but " + colours.size() + " colours");
        }
    }

    /** The 21 PASCAL VOC classes and the VOC palette. */
    public static Classes voc() {
        return of(VocClasses.NAMES, VocClasses.palette());
    }

    /** Names in label order and a 256-entry palette of packed 0xRRGGBB values (entry 255: ignore). */
    public static Classes of(List<String> names, int[] palette) {
        if (palette.length != 256) {
            throw new IllegalArgumentException("a palette has 256 entries, not " + palette.length);
        }
        if (names.size() > IGNORE) {
            throw new IllegalArgumentException(names.size() + " classes: at most " + IGNORE + " fit below the ignore label");
        }
        List<String> colours = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            colours.add(hex(palette[i]));
        }
        return new Classes(names, colours, hex(palette[IGNORE]));
    }

    public int count() {
        return names.size();
    }

    /** The name of a label, or "class N" past the end of the list (a model with more classes than the dataset). */
    public String name(int label) {
        return label < names.size() ? names.get(label) : "class " + label;
    }

    private static String hex(int rgb) {
        return String.format(Locale.ROOT, "#%06x", rgb & 0xFFFFFF);
    }
}
