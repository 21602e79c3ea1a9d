package dev.segbench.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.results.InFlightThroughput;
import dev.segbench.results.Server;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.parser.Parser;
import org.junit.jupiter.api.Test;

/** The latency-vs-load chart and the batch x in-flight heat-map: SVG with a title and both axis labels drawn. */
class ScenarioChartsTest {

    static Server.Trial trial(double target, double achieved, double p50, double p99, boolean valid) {
        return new Server.Trial(target, achieved, 500, new Server.Percentiles(p50, p50 * 1.5, p99, p99 * 1.2, p99 * 1.3),
                null, 3, valid, valid && p99 <= 50, null, null);
    }

    static Map<String, Server> servers() {
        Map<String, Server> m = new LinkedHashMap<>();
        m.put("arch1/cpu/fp32", new Server(Server.SEARCH, 50.0, 54.2, "poisson", 1, 1, List.of(
                trial(97, 88, 300, 900, false), trial(48.5, 48.4, 12, 38, true), trial(72.7, 72.5, 25, 66, true),
                trial(60.6, 60.5, 16, 52, true), trial(54.2, 54.1, 14, 47, true)), null));
        m.put("arch1/cpu/fp16", new Server(Server.SEARCH, 50.0, 61.0, "poisson", 1, 1, List.of(
                trial(61, 60.9, 12, 44, true), trial(70, 69.8, 18, 58, true)), null));
        m.put("arch1/tensorrt/fp16", null);
        return m;
    }

    static void assertSvgWithTitleAndAxisLabels(Charts.Chart chart) {
        Document svg = Jsoup.parse(chart.svg(), "", Parser.xmlParser());
        Element root = svg.selectFirst("svg");
        assertTrue(root != null, chart.id());
        assertEquals("title", root.child(0).tagName(), "<title> is the svg's first child");
        assertEquals(chart.title(), root.child(0).text());
        String text = String.join("\n", svg.select("text").eachText());
        assertFalse(chart.xLabel().isBlank());
        assertTrue(text.contains(chart.xLabel()), "x label not drawn: " + chart.xLabel());
        assertTrue(text.contains(chart.yLabel()), "y label not drawn: " + chart.yLabel());
    }

    @Test
    void latencyAgainstLoadShowsBothPercentilesPerRunAndTheBound() {
        Charts.Chart chart = Charts.latencyVsLoad(servers());
        assertSvgWithTitleAndAxisLabels(chart);
        assertEquals("Latency against load (server scenario)", chart.title());
        assertEquals("Achieved load (requests/s)", chart.xLabel());
        assertTrue(chart.yLabel().contains("log scale"), "p99 of 900 ms and p50 of 12 ms need a log axis: " + chart.yLabel());
        String text = String.join("\n", Jsoup.parse(chart.svg(), "", Parser.xmlParser()).select("text").eachText());
        assertTrue(text.contains("p99 bound 50 ms"), "the bound is drawn and labelled");
        for (String series : List.of("arch1/cpu/fp32 p50", "arch1/cpu/fp32 p99", "arch1/cpu/fp16 p99",
                "trial fell behind its schedule (invalid)")) {
            assertTrue(text.contains(series), "legend lacks " + series);
        }
        assertFalse(text.contains("tensorrt"), "a run without server trials is not plotted");
        assertTrue(chart.note().contains("scheduled arrival"));
    }

    @Test
    void latencyAgainstLoadIsLinearForANarrowRangeAndAbsentWithoutTrials() {
        Map<String, Server> m = Map.of("a/b/c", new Server(Server.FIXED, null, null, "uniform", 1, 1,
                List.of(trial(20, 20, 10, 14, true)), null));
        Charts.Chart chart = Charts.latencyVsLoad(m);
        assertSvgWithTitleAndAxisLabels(chart);
        assertFalse(chart.yLabel().contains("log"));
        assertFalse(chart.svg().contains("p99 bound"), "no bound without --server-p99-ms");
        assertNull(Charts.latencyVsLoad(Map.of()));
        assertNull(Charts.latencyVsLoad(Map.of("a/b/c", new Server(Server.SEARCH, 50.0, null, "poisson", 1, 1, List.of(), "x"))));
    }

    @Test
    void heatMapCoversBatchByInFlightWithEachCellsImagesPerSecond() {
        List<InFlightThroughput> grid = List.of(new InFlightThroughput(1, 1, 95.5, 100, 1), new InFlightThroughput(1, 2, 180, 100, 1),
                new InFlightThroughput(1, 4, 300, 100, 1), new InFlightThroughput(6, 1, 240, 20, 1),
                new InFlightThroughput(6, 2, 410, 20, 1), new InFlightThroughput(12, 4, 520, 10, 1));
        Charts.Chart chart = Charts.throughputHeatMap("chart-inflight-0", "arch1/tensorrt/fp16", grid);
        assertSvgWithTitleAndAxisLabels(chart);
        assertEquals("Requests in flight", chart.xLabel());
        assertEquals("Batch size", chart.yLabel());
        assertTrue(chart.title().contains("arch1/tensorrt/fp16"));
        List<String> text = Jsoup.parse(chart.svg(), "", Parser.xmlParser()).select("text").eachText();
        for (String cell : List.of("95.5", "180", "300", "240", "410", "520")) {
            assertTrue(text.contains(cell), "cell " + cell + " not labelled in " + text);
        }
        assertTrue(text.containsAll(List.of("1", "2", "4", "6", "12")), "axis ticks: " + text);
        assertTrue(chart.svg().contains("chart-inflight-0"), "ids keep several heat-maps in one page apart");
    }

    @Test
    void noHeatMapWithOneInFlightValue() {
        assertNull(Charts.throughputHeatMap("x", "k", List.of(new InFlightThroughput(1, 1, 10, 1, 1),
                new InFlightThroughput(8, 1, 40, 1, 1))));
    }
}
