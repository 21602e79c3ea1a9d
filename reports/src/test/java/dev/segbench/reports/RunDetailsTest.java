package dev.segbench.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.results.Environment;
import dev.segbench.results.Results;
import dev.segbench.results.ResultsJson;
import dev.segbench.results.Run;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Run details show each run's resources, its machine when results come from several, and unfinished runs. */
class RunDetailsTest {

    @TempDir
    Path dir;

    private static Environment laptop() {
        return new Environment("laptop", "laptop", "Intel Core i7-1185G7", 8, 16L << 30, "Linux 6.5 amd64", "Temurin 25",
                null, "0.1.0", "abc", Map.of("cpu", "1.29.0"), Map.of());
    }

    @Test
    void resourcesAndMachinesAreShownPerRow() throws IOException {
        Random rnd = new Random(4);
        Run gpu = SampleResults.run("arch0", "tensorrt", "fp16", rnd);
        Run cpu = SampleResults.run("arch0", "cpu", "fp32", rnd).toBuilder().environment("laptop").reused(true).build();
        Results results = new Results(Results.SCHEMA_VERSION, SampleResults.environment(),
                List.of(SampleResults.environment(), laptop()), SampleResults.settings(), List.of(cpu, gpu), List.of(), List.of());
        ResultsJson.write(dir, results);

        Document doc = Jsoup.parse(HtmlReport.write(dir).toFile(), "UTF-8");

        List<String> headers = doc.select("#details thead th").eachText();
        int machine = headers.indexOf("Machine");
        int rss = headers.indexOf("Peak RSS");
        int open = headers.indexOf("Open / build (s)");
        assertTrue(machine > 0 && rss > 0 && open > 0, headers.toString());
        Element cpuRow = row(doc, "arch0/cpu/fp32");
        Element gpuRow = row(doc, "arch0/tensorrt/fp16");
        assertEquals("laptop", cpuRow.select("td").get(machine).text());
        assertEquals("gpu-box", gpuRow.select("td").get(machine).text());
        assertEquals("900 MiB", cpuRow.select("td").get(rss).text());
        assertEquals("41.70 / 41.50", gpuRow.select("td").get(open).text());
        assertEquals("0.80 / —", cpuRow.select("td").get(open).text(), "a session that compiled nothing has no build time");
        assertTrue(cpuRow.text().contains("(reused)"), cpuRow.text());
        String env = doc.select("#environment").text();
        assertTrue(env.contains("Machine laptop") && env.contains("Machine gpu-box"), env);
        assertTrue(env.contains("Intel Core i7-1185G7") && env.contains("AMD EPYC 7B13"), env);
        assertTrue(env.contains("tensorrt nvidia.driver 580.65"), "backend facts are listed: " + env);
    }

    @Test
    void oneMachineHasNoMachineColumn() throws IOException {
        ResultsJson.write(dir, SampleResults.results(List.of(SampleResults.run("arch0", "cpu", "fp32", new Random(1))),
                List.of(), List.of()));
        Document doc = Jsoup.parse(HtmlReport.write(dir).toFile(), "UTF-8");
        assertFalse(doc.select("#details thead th").eachText().contains("Machine"));
        assertTrue(doc.select("#environment").text().contains("cuda.runtime 13.1"));
    }

    @Test
    void unfinishedRunsAreOneBannerLineThatSaysHowToFinish() throws IOException {
        Run done = SampleResults.run("arch0", "cpu", "fp32", new Random(2));
        List<Run> runs = List.of(done, Run.notRun("arch0", "cpu", "fp16", Run.INTERRUPTED, "interrupted by SIGINT"),
                Run.notRun("arch1", "cpu", "fp32", Run.PENDING, "not run yet"),
                Run.notRun("arch1", "cpu", "fp16", Run.PENDING, "not run yet"));
        ResultsJson.write(dir, SampleResults.results(runs, List.of(), List.of()));
        Document doc = Jsoup.parse(HtmlReport.write(dir).toFile(), "UTF-8");
        String banner = doc.select("#warnings").text();
        assertTrue(banner.contains("3 of 4 runs did not finish (1 interrupted, 2 pending)"), banner);
        assertTrue(banner.contains("--resume"), banner);
        assertFalse(banner.contains("Backend cpu pending"), "unfinished runs are not reported as skipped backends: " + banner);
        assertEquals(1, doc.select("#headline tr.run-interrupted").size());
        assertEquals(2, doc.select("#headline tr.run-pending").size());
    }

    private static Element row(Document doc, String key) {
        return doc.select("#details tbody tr").stream().filter(tr -> tr.select("td").first().text().startsWith(key))
                .findFirst().orElseThrow(() -> new AssertionError("no row " + key));
    }
}
