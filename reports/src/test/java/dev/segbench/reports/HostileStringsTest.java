package dev.segbench.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.results.GalleryEntry;
import dev.segbench.results.ResultsJson;
import dev.segbench.results.Run;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Attribute;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ids, reasons and paths come from results.json, which anyone can hand over: they must stay text in the report. */
class HostileStringsTest {

    private static final String TAG = "<img src=x onerror=alert(1)>";
    private static final String QUOTE = "\"><script>alert(2)</script>";

    @TempDir
    Path dir;

    @Test
    void markupInIdsReasonsAndPathsIsShownAsTextNeverRun() throws IOException {
        Random rnd = new Random(3);
        Run base = SampleResults.run("arch0", "cpu", "fp32", rnd);
        Run hostileModel = Run.builder("arch0" + TAG, base.backend(), base.precision()).weights(base.weights())
                .dataset(new Run.DatasetSummary("voc" + QUOTE, 5, false, List.of(new Run.Skipped("2007" + TAG, "bad" + QUOTE))))
                .accuracy(base.accuracy()).agreement(base.agreement()).latencyMs(base.latencyMs())
                .endToEndLatencyMs(base.endToEndLatencyMs()).throughput(base.throughput()).accuracyPass(base.accuracyPass())
                .deviceTimingsMs(base.deviceTimingsMs()).resources(base.resources()).measurement(base.measurement())
                .warnings(List.of("warn" + TAG)).build();
        Run skipped = Run.notRun("arch1", "trt" + QUOTE, "fp16", Run.SKIPPED, "reason" + TAG);
        List<Run> runs = List.of(base, hostileModel, skipped);
        List<GalleryEntry> gallery = new ArrayList<>(SampleResults.writeGallery(dir, 1, List.of(base), 4));
        gallery.add(new GalleryEntry("id" + TAG, "gallery/" + QUOTE + ".png", null,
                Map.of(hostileModel.key(), "gallery/" + TAG + ".png")));
        ResultsJson.write(dir, SampleResults.results(runs, gallery, List.of("global" + QUOTE)));

        Document doc = Jsoup.parse(HtmlReport.write(dir).toFile(), "UTF-8");

        assertEquals(1, doc.select("script").size(), "only the report's own sorting script");
        assertTrue(doc.select("img").stream().allMatch(img -> img.attr("src").startsWith("data:image/")),
                "every image is an inline data URI");
        List<String> handlers = doc.getAllElements().stream()
                .flatMap(e -> e.attributes().asList().stream()).map(Attribute::getKey)
                .filter(k -> k.toLowerCase(java.util.Locale.ROOT).startsWith("on")).toList();
        assertEquals(List.of(), handlers, "no event-handler attributes");
        String text = doc.text();
        for (String shown : List.of("arch0" + TAG, "reason" + TAG, "2007" + TAG, "bad" + QUOTE, "global" + QUOTE,
                "gallery/" + QUOTE + ".png")) {
            assertTrue(text.contains(shown), () -> "not shown as text: " + shown);
        }
        assertEquals(List.of(), ExternalReferences.find(doc));
    }
}
