package dev.segbench.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.results.GalleryEntry;
import dev.segbench.results.Results;
import dev.segbench.results.ResultsJson;
import dev.segbench.results.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HtmlReportStructureTest {

    @TempDir
    static Path dir;
    static Results results;
    static Path report;
    static Document doc;

    @BeforeAll
    static void writeReport() throws IOException {
        List<Run> runs = SampleResults.fullGrid(7);
        List<GalleryEntry> gallery = SampleResults.writeGallery(dir, 6, runs, 11);
        results = SampleResults.results(runs, gallery, List.of());
        ResultsJson.write(dir, results);
        report = HtmlReport.write(dir);
        doc = Jsoup.parse(report.toFile(), "UTF-8");
    }

    @Test
    void writesReportHtmlBesideResultsUnderFiveMegabytes() throws IOException {
        assertEquals(dir.resolve("report.html"), report);
        long size = Files.size(report);
        assertTrue(size < 5_000_000, "report is " + size + " bytes");
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "temporary file left behind");
        }
    }

    @Test
    void everyTableHasHeaders() {
        assertFalse(doc.select("table").isEmpty());
        for (Element table : doc.select("table")) {
            assertFalse(table.select("th").isEmpty(), "table without <th>: " + table.id() + " " + table.className());
        }
    }

    @Test
    void headlineHasTheServerMaxQpsWithItsBoundWhenTheServerScenarioRan() {
        Element table = doc.getElementById("headline");
        int column = columnIndex(table, "Server max QPS");
        Run served = results.runs().stream().filter(r -> !r.performance().isEmpty() && r.performance().getFirst().server() != null)
                .findFirst().orElseThrow();
        String cell = rowOf(table, served).select("td").get(column).text();
        assertTrue(cell.contains("1750") && cell.contains("(p99 ≤ 5.0 ms)"), cell);
    }

    @Test
    void headlineHasOneRowPerRunAndMarksTheBestValues() {
        Element table = doc.getElementById("headline");
        assertEquals(results.runs().size(), table.select("tbody tr").size());
        int miouColumn = columnIndex(table, "mIoU (%)");
        int p50Column = columnIndex(table, "p50 (ms)");
        Run bestMiou = results.runs().stream().max(Comparator.comparingDouble(r -> r.accuracy().miou())).orElseThrow();
        Run fastest = results.runs().stream().min(Comparator.comparingDouble(r -> r.latencyMs().p50())).orElseThrow();
        assertBestIs(table, miouColumn, bestMiou);
        assertBestIs(table, p50Column, fastest);
        // speed-up is against the same model's cpu:fp32 run
        Element fastestRow = rowOf(table, fastest);
        Run reference = results.runs().stream().filter(r -> r.model().equals(fastest.model())
                && r.backend().equals("cpu") && r.precision().equals("fp32")).findFirst().orElseThrow();
        double expected = reference.latencyMs().p50() / fastest.latencyMs().p50();
        int speedColumn = columnIndex(table, "Speed-up");
        assertEquals(expected, Double.parseDouble(fastestRow.select("td").get(speedColumn).attr("data-sort")), 1e-9);
    }

    @Test
    void everyChartIsAnSvgWithTitleAndAxisLabels() {
        List<Element> figures = doc.select("figure.chart");
        // latency CDF, throughput, accuracy vs latency, per-class IoU, latency vs load (one run has a server search),
        // one batch x in-flight heat-map (that run kept 1, 2 and 4 in flight), and one confusion matrix per model
        assertEquals(4 + 2 + SampleResults.MODELS.size(), figures.size());
        assertTrue(doc.getElementById("chart-inflight-0") != null, "the in-flight heat-map is in the report");
        for (Element figure : figures) {
            Element svg = figure.selectFirst("svg");
            assertTrue(svg != null, "chart without svg: " + figure.id());
            Element title = svg.child(0);
            assertEquals("title", title.tagName(), figure.id() + ": <title> is not the svg's first child");
            assertFalse(title.text().isBlank());
            String text = svg.select("text").eachText().stream().reduce("", (a, b) -> a + "\n" + b);
            for (String label : List.of(figure.attr("data-x-label"), figure.attr("data-y-label"))) {
                assertFalse(label.isBlank(), figure.id() + ": axis label not declared");
                assertTrue(text.contains(label), figure.id() + ": axis label '" + label + "' not drawn in the svg");
            }
        }
        assertTrue(doc.select("svg title").eachText().stream().anyMatch(t -> t.contains("Pareto")));
    }

    @Test
    void runDetailsShowTheGateTheServerResultTheIntervalsAndTheClocks() {
        Element table = doc.getElementById("details").selectFirst("table");
        Element row = table.select("tr").stream().filter(tr -> tr.text().contains("arch1/tensorrt/fp16")).findFirst().orElseThrow();
        String text = row.text();
        assertTrue(text.contains("fail: agreement>=0.999 (agreement 0.991 < 0.999)"), text);
        assertTrue(text.contains("1750.0 at p99 ≤ 5.0 ms (2 trials)"), text);
        assertTrue(text.contains("[1.61, 1.67] / [2.00, 2.30]"), text);
        assertTrue(text.contains("CPU 2450–3100 MHz performance"), text);
    }

    @Test
    void everyImageHasAltTextAndIsInline() {
        List<Element> images = doc.select("img");
        // per entry: photo, truth, 12 predictions and one disagreement map per model
        long models = results.runs().stream().map(r -> r.model()).distinct().count();
        assertEquals(6 * (2 + results.runs().size() + models), images.size());
        for (Element img : images) {
            assertFalse(img.attr("alt").isBlank(), "img without alt");
            assertTrue(img.attr("src").startsWith("data:image/"), "img not inline: " + img.attr("alt"));
        }
        assertEquals(6 * models, doc.select("figure.disagree img").size());
    }

    @Test
    void nothingReferencesTheOutsideWorld() {
        assertEquals(List.of(), ExternalReferences.find(doc));
        assertTrue(doc.select("script[src]").isEmpty());
    }

    @Test
    void showsEnvironmentSettingsAndThePaletteLegend() {
        String text = doc.text();
        assertTrue(text.contains("NVIDIA H100 80GB HBM3"));
        assertTrue(text.contains("3f2a9c1d0e7b55aa"));
        assertTrue(text.contains("onnxruntime 1.29.0"));
        assertEquals(22, doc.select("ul.legend li").size());
        assertTrue(doc.select("ul.legend").text().contains("tvmonitor"));
        assertTrue(doc.select("#warnings").isEmpty(), "clean results must not show a warnings banner");
    }

    private static void assertBestIs(Element table, int column, Run expected) {
        List<Element> best = table.select("tbody tr td:eq(" + column + ").best");
        assertEquals(1, best.size(), "best marks in column " + column);
        assertTrue(best.getFirst().text().contains("★"), "best value needs a symbol, not only a colour");
        assertEquals(rowOf(table, expected), best.getFirst().parent());
    }

    private static Element rowOf(Element table, Run run) {
        return table.select("tbody tr").stream()
                .filter(tr -> tr.child(0).text().equals(run.model()) && tr.child(1).text().equals(run.backend())
                        && tr.child(2).text().equals(run.precision()))
                .findFirst().orElseThrow();
    }

    private static int columnIndex(Element table, String header) {
        List<String> headers = table.select("thead th").eachText();
        int i = headers.indexOf(header);
        assertTrue(i >= 0, header + " not in " + headers);
        return i;
    }
}
