package dev.segbench.harness.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.api.DatasetOptions;
import dev.segbench.api.Precision;
import dev.segbench.results.Environment;
import dev.segbench.results.GalleryEntry;
import dev.segbench.results.Results;
import dev.segbench.results.ResultsJson;
import dev.segbench.results.Run;
import dev.segbench.harness.plan.Plan;
import dev.segbench.harness.plan.PlannedRun;
import dev.segbench.results.settings.Settings;
import dev.segbench.results.settings.Shard;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The results while a compare runs: every planned run with its state, machines, gallery, and the sealed end. */
class ResultsBookTest {

    @TempDir
    Path tmp;

    private static Environment env(String host, String cpu) {
        return new Environment(host, host, cpu, 2, 1L << 30, "Linux", "JVM", null, "dev", "abc", Map.of("fake", "1"), Map.of());
    }

    private Plan plan() {
        Settings s = new Settings(
                new Settings.Selection(List.of("m"), List.of("fake", "gone"), List.of(Precision.FP32), Map.of(), 1, null),
                new Settings.Data("fake:2", DatasetOptions.defaults(), Shard.ALL, 1, 1),
                new Settings.Performance(List.of(1), true, 8, 8, 0, 0, 1, 0.05),
                new Settings.Session(0, Map.of(), null), Settings.Execution.defaults(), tmp);
        List<PlannedRun> runs = List.of(
                new PlannedRun("m", "fake", Precision.FP32, PlannedRun.Role.COMPARED, null, null, List.of(1), Set.of(), "f1", Map.of()),
                new PlannedRun("m", "gone", Precision.FP32, PlannedRun.Role.COMPARED, "libgone.so not found", null, List.of(1),
                        Set.of(), "f2", Map.of()),
                new PlannedRun("n", "fake", Precision.FP32, PlannedRun.Role.COMPARED, null, null, List.of(1), Set.of(), "f3", Map.of()));
        return new Plan(s, "none", List.of("fake", "gone"), new Plan.DatasetFacts("fake(2)", true, 2, List.of(0, 1),
                List.of("a", "b"), List.of()), runs, Map.of(), env("here", "EPYC"), List.of(dev.segbench.results.Warning.note("plan warning")));
    }

    private static RunRecord record(String key, Environment where, GalleryEntry g) {
        String[] k = key.split("/");
        return new RunRecord(RunRecord.SCHEMA_VERSION, key, "f", Map.of(), Run.builder(k[0], k[1], k[2]).build(), null,
                g == null ? List.of() : List.of(g), where);
    }

    @Test
    void everyPlannedRunIsListedFromTheStart() {
        Results r = new ResultsBook(plan(), tmp).results();
        assertEquals(List.of(Run.PENDING, Run.SKIPPED, Run.PENDING), r.runs().stream().map(Run::status).toList());
        assertEquals("libgone.so not found", r.runs().get(1).reason());
        assertTrue(r.warningTexts().contains("plan warning"));
        assertTrue(r.warningTexts().contains("backend gone skipped (m/gone/fp32): libgone.so not found"), r.warningTexts().toString());
        assertEquals(List.of("here"), r.environments().stream().map(Environment::id).toList());
    }

    @Test
    void runsKeepTheirMachinesAndTheGalleryJoinsPredictionsInRunOrder() throws Exception {
        ResultsBook book = new ResultsBook(plan(), tmp);
        RunRecords store = new RunRecords(tmp);
        book.finish(record("m/fake/fp32", env("here", "EPYC"), new GalleryEntry("a", "gallery/a.png", null,
                Map.of("m/fake/fp32", "gallery/a-m.png"))), store, "m.fake.fp32");
        // reused from a record made on another machine with the same host name
        book.reuse(record("n/fake/fp32", env("here", "Xeon"), new GalleryEntry("a", "gallery/a.png", "gallery/a-label.png",
                Map.of("n/fake/fp32", "gallery/a-n.png"))));
        Results r = book.results();
        assertEquals(List.of("here", "here#2"), r.environments().stream().map(Environment::id).toList());
        assertEquals("here", r.runs().get(0).environment());
        assertEquals("here#2", r.runs().get(2).environment());
        assertTrue(r.runs().get(2).reused());
        assertEquals("Xeon", r.environmentOf(r.runs().get(2)).cpu());
        assertEquals(1, r.gallery().size());
        assertEquals(List.of("m/fake/fp32", "n/fake/fp32"), List.copyOf(r.gallery().getFirst().predictions().keySet()));
        assertEquals("gallery/a-label.png", r.gallery().getFirst().label());
        assertTrue(Files.isRegularFile(store.file("m.fake.fp32")), "a run measured now is recorded at once");
    }

    @Test
    void anInterruptedRunIsMarkedAndAfterSealingNothingChanges() throws Exception {
        ResultsBook book = new ResultsBook(plan(), tmp);
        book.mark("m/fake/fp32", Run.INTERRUPTED, "interrupted");
        assertEquals(Run.INTERRUPTED, book.run("m/fake/fp32").status());
        book.sealAndWrite(m -> { });
        assertTrue(!book.finish(record("n/fake/fp32", env("here", "EPYC"), null), new RunRecords(tmp), "n.fake.fp32"));
        assertNull(book.write(true, m -> { }), "sealed: the final files stay");
        assertEquals(Run.PENDING, ResultsJson.read(tmp).runs().get(2).status());
        assertEquals(Run.INTERRUPTED, ResultsJson.read(tmp).runs().get(0).status());
    }
}
