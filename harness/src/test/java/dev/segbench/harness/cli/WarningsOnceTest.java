package dev.segbench.harness.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.api.results.Results;
import dev.segbench.api.results.ResultsJson;
import dev.segbench.api.results.Run;
import dev.segbench.api.results.Warning;
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

    private static int count(String haystack, String needle) {
        return haystack.split(Pattern.quote(needle), -1).length - 1;
    }
}
