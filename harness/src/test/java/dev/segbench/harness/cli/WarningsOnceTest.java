package dev.segbench.harness.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.results.Results;
import dev.segbench.results.ResultsJson;
import dev.segbench.results.Run;
import dev.segbench.results.Warning;
import dev.segbench.harness.CliResult;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11's acceptance: the output of a real compare (fake backend, a backend skipped, seeded weights, generated
 * data) says each warning once in the report's banner and once on the console, and the console mentions the
 * skipped backend on at most two lines.
 */
class WarningsOnceTest {

    @TempDir
    Path tmp;

    @Test
    void eachWarningOnceInTheBannerAndOnTheConsole() throws Exception {
        Path out = tmp.resolve("out");
        CliResult r = CompareEndToEndTest.compareInProcess(out, "--backends", "fake,absent", "--models", "tiny,tiny4",
                "--dataset", "fake:3", "--gallery", "1");
        assertEquals(0, r.code(), r.toString());
        Results res = ResultsJson.read(out);
        List<String> codes = res.warnings().stream().map(Warning::code).toList();
        assertTrue(codes.containsAll(List.of(Warning.SEEDED_WEIGHTS, Warning.SYNTHETIC_DATA, Warning.BACKEND_SKIPPED)),
                res.warningTexts().toString());
        assertEquals(4, res.warnings().stream().filter(w -> w.code().equals(Warning.BACKEND_SKIPPED))
                .findFirst().orElseThrow().runs().size(), "the skipped warning names the runs it concerns");

        Document doc = Jsoup.parse(out.resolve("report.html").toFile(), "UTF-8");
        String banner = doc.select("#warnings").text();
        String console = r.out();
        for (String w : res.warningTexts()) {
            assertEquals(1, count(banner, w), "in the banner once: " + w + "\n" + banner);
            assertEquals(1, count(console, w), "on the console once: " + w + "\n" + console);
        }
        // nothing the banner says beyond the results' own warnings: no second copy derived by the report
        assertEquals(res.warnings().size(), doc.select("#warnings li").size(), banner);

        List<String> aboutAbsent = console.lines().filter(l -> l.contains("absent")).toList();
        assertTrue(aboutAbsent.size() <= 2, aboutAbsent.toString());
        assertTrue(aboutAbsent.contains("absent: skipped (4 runs): libabsent.so not found; install it"), console);

        // the headline table has one row for the four skipped runs; the run details keep every run
        assertEquals(1, doc.select("#headline tbody tr.run-skipped").size());
        assertTrue(doc.select("#headline tbody tr.run-skipped").text().contains("skipped (4 runs)"));
        assertEquals(4, doc.select("#details tbody tr.run-skipped").size());
        assertEquals(8, res.runs().size());
        assertEquals(4, res.runs().stream().filter(x -> Run.SKIPPED.equals(x.status())).count());
    }

    @Test
    void seededAccuracyIsNotApplicableOnTheConsole() {
        Path out = tmp.resolve("seeded");
        CliResult r = CompareEndToEndTest.compareInProcess(out, "--backends", "fake", "--models", "tiny",
                "--precisions", "fp32,fp16", "--dataset", "fake:2", "--gallery", "0");
        assertEquals(0, r.code(), r.toString());
        List<String> rows = r.out().lines().filter(l -> l.startsWith("tiny ")).toList();
        assertEquals(2, rows.size(), r.out());
        rows.forEach(l -> assertTrue(l.contains("n/a (seeded)"), l));
        // agreement still means something with seeded weights
        assertTrue(rows.get(1).matches(".*n/a \\(seeded\\)\\s+[0-9.]+%.*"), rows.get(1));
    }

    @Test
    void noRunIsInvalidForItsCvAlone() throws Exception {
        // a threshold every measurement exceeds: each run's CV is above it, and that alone makes it unstable, not invalid
        Path out = tmp.resolve("cv");
        CliResult r = CompareEndToEndTest.compareInProcess(out, "--backends", "fake", "--models", "tiny",
                "--precisions", "fp32", "--dataset", "fake:2", "--gallery", "0", "--cv-threshold", "0.0000001");
        assertEquals(0, r.code(), r.toString());
        String row = r.out().lines().filter(l -> l.startsWith("tiny ")).findFirst().orElseThrow();
        assertTrue(row.matches("tiny\\s+fake\\s+fp32\\s+ok\\s.*"), row);
        Results res = ResultsJson.read(out);
        Warning unstable = res.warnings().stream().filter(w -> w.code().equals(Warning.UNSTABLE)).findFirst().orElseThrow();
        assertEquals(List.of("tiny/fake/fp32"), unstable.runs());
        assertTrue(unstable.text().matches(".*tiny/fake/fp32 CV [0-9.]+%, \\(p90-p10\\)/p50 [0-9.]+%.*"), unstable.text());
        assertEquals(1, count(r.out(), unstable.text()), r.out());
        assertTrue(res.warnings().stream().noneMatch(w -> w.code().equals(Warning.MEASUREMENT_INVALID)), res.warningTexts().toString());

        Document doc = Jsoup.parse(out.resolve("report.html").toFile(), "UTF-8");
        assertEquals("ok", doc.select("#headline tbody tr").first().child(3).text());
        assertFalse(doc.select("#details").text().contains("INVALID"), doc.select("#details").text());
        assertTrue(doc.select("#details").text().contains("unstable"), doc.select("#details").text());
        List<String> csv = java.nio.file.Files.readAllLines(out.resolve("summary.csv"));
        int valid = List.of(csv.get(0).split(",")).indexOf("valid");
        assertEquals("true", csv.get(1).split(",")[valid], csv.toString());
    }

    private static int count(String haystack, String needle) {
        return haystack.split(Pattern.quote(needle), -1).length - 1;
    }
}
