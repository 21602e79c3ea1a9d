package dev.segbench.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.api.DatasetOptions;
import dev.segbench.api.Precision;
import dev.segbench.results.settings.Settings;
import dev.segbench.results.settings.Shard;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class WarningsTest {

    /** A run as the performance pass records it now: the CV verdict is {@code measurement.unstable}, never text. */
    private static Run seededOk(String model, double cv) {
        Run legacy = legacyOk(model, cv);
        return legacy.toBuilder().measurement(new Run.Measurement(true, List.of(), 2, 5, 100, cv > 0.05, cv, 0.3, 0.05))
                .warnings(List.of()).build();
    }

    /** A run as files before schema 3 recorded it: the CV verdict as a measurement reason, and repeated as a warning. */
    private static Run legacyOk(String model, double cv) {
        return Run.builder(model, "cpu", "fp32").status(Run.OK).weights(new Run.Weights("seeded", "seeded:42"))
                .dataset(new Run.DatasetSummary("synthetic:8", 8, true, List.of()))
                .latencyMs(new Run.Latency(10, 12, 13, 15.0, 20, 10, 10 * cv, 100, 9.0, cv,
                        List.of(new double[] {10, 9.0}, new double[] {50, 10}, new double[] {90, 12})))
                .measurement(new Run.Measurement(cv <= 0.05, cv <= 0.05 ? List.of()
                        : List.of("batch-1 latency varies too much: CV " + (100 * cv) + "% > 5.0%"), 2, 5, 100))
                .warnings(cv <= 0.05 ? List.of() : List.of("batch-1 latency unstable: CV " + (100 * cv) + "% > 5.0%"))
                .build();
    }

    private static final Settings SETTINGS = new Settings(
            new Settings.Selection(List.of("arch0"), List.of("cpu"), List.of(Precision.FP32), java.util.Map.of(), 42,
                    new Settings.Reference("cpu", Precision.FP32)),
            new Settings.Data("synthetic:8", DatasetOptions.defaults(), Shard.ALL, 1, 0),
            new Settings.Performance(List.of(1), true, 512, 512, 2, 5, 30, 0.05),
            new Settings.Session(0, java.util.Map.of(), null), Settings.Execution.defaults(), java.nio.file.Path.of("out"));

    @Test
    void structuredWarningsSurviveTheFile() throws IOException {
        Warning w = new Warning(Warning.BACKEND_SKIPPED, Warning.WARN, List.of("a/b/fp32"), "backend b skipped");
        Results r = new Results(Results.SCHEMA_VERSION, null, SETTINGS, List.of(), List.of(), List.of(w));
        Results back = ResultsJson.fromBytes(ResultsJson.toBytes(r), "test");
        assertEquals(List.of(w), back.warnings());
        String json = new String(ResultsJson.toBytes(r), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"code\" : \"backend-skipped\""), json);
        assertFalse(json.contains("warning_texts"), json);
    }

    @Test
    void schema2StringWarningsAreConvertedOnceOnRead() throws IOException {
        Run skipped = Run.notRun("arch0", "tensorrt", "fp16", Run.SKIPPED, "no NVIDIA driver");
        // what schema 2 wrote: strings, some repeating what the runs say
        Results old = new Results(2, null, SETTINGS, List.of(legacyOk("arch0", 0.2), skipped), List.of(), List.of(
                Warning.note("arch0: untrained seeded weights (abc): accuracy numbers are meaningless; pass --weights arch0=FILE"),
                Warning.note("dataset synthetic:8 is generated: accuracy says nothing about real images"),
                Warning.note("backend tensorrt skipped (arch0/tensorrt/fp16): no NVIDIA driver"),
                Warning.note("merged 2 shard result(s)")));
        byte[] bytes = new String(ResultsJson.toBytes(old), StandardCharsets.UTF_8)
                .replaceAll("\\{\\s*\"code\" : \"note\",\\s*\"severity\" : \"warn\",\\s*\"runs\" : \\[ \\],\\s*\"text\" : (\"[^\"]*\")\\s*}", "$1")
                .getBytes(StandardCharsets.UTF_8);
        assertTrue(new String(bytes, StandardCharsets.UTF_8).contains("\"merged 2 shard result(s)\""), "the file holds plain strings");

        Results read = ResultsJson.fromBytes(bytes, "old.json");

        List<String> codes = read.warnings().stream().map(Warning::code).toList();
        assertEquals(List.of(Warning.SEEDED_WEIGHTS, Warning.SYNTHETIC_DATA, Warning.BACKEND_SKIPPED, Warning.UNSTABLE,
                Warning.NOTE), codes, read.warningTexts().toString());
        assertEquals(List.of("arch0/cpu/fp32"), read.warnings().getFirst().runs());
        assertEquals("merged 2 shard result(s)", read.warnings().getLast().text());
    }

    @Test
    void oneWarningFromSeveralSourcesIsKeptOnceWithEveryRun() {
        Warnings w = new Warnings();
        w.add(new Warning(Warning.SAMPLE_SKIPPED, Warning.WARN, List.of("a"), "sample 3 skipped: bad"));
        w.add(new Warning(Warning.SAMPLE_SKIPPED, Warning.WARN, List.of("b"), "sample 3 skipped: bad"));
        w.add(new Warning(Warning.SAMPLE_SKIPPED, Warning.WARN, List.of("b"), "sample 4 skipped: bad"));
        assertEquals(2, w.list().size());
        assertEquals(List.of("a", "b"), w.list().getFirst().runs());
    }

    @Test
    void skippedRunsOfOneBackendAndReasonAreOneWarning() {
        List<Run> runs = List.of(
                Run.notRun("arch0", "tensorrt", "fp32", Run.SKIPPED, "no NVIDIA driver"),
                Run.notRun("arch0", "tensorrt", "fp16", Run.SKIPPED, "no NVIDIA driver"),
                Run.notRun("arch1", "tensorrt", "fp32", Run.SKIPPED, "no NVIDIA driver"),
                Run.notRun("arch1", "cuda", "fp16", Run.SKIPPED, "no NVIDIA driver"),
                seededOk("arch0", 0.01));
        List<Warning> ws = Warnings.fromRuns(runs, SETTINGS);
        assertEquals(List.of("backend tensorrt skipped (3 runs): no NVIDIA driver",
                "backend cuda skipped (arch1/cuda/fp16): no NVIDIA driver"), ws.stream().map(Warning::text).toList());
        assertEquals(3, ws.getFirst().runs().size());
    }

    @Test
    void highCvIsUnstableNotInvalidWithItsFigureAndRobustSpread() {
        Run r = seededOk("arch0", 0.12);
        Stability.Unstable u = Stability.unstable(r, SETTINGS);
        assertNotNull(u);
        assertEquals(0.12, u.cv(), 1e-12);
        assertEquals((12 - 9.0) / 10, u.robustSpread(), 1e-12);
        assertFalse(Stability.invalid(r), "a CV verdict alone never makes a run invalid");
        assertNull(Stability.unstable(seededOk("arch0", 0.04), SETTINGS));

        List<Warning> ws = Warnings.fromRuns(List.of(r), SETTINGS);
        assertEquals(1, ws.size(), ws.toString());
        assertEquals(Warning.UNSTABLE, ws.getFirst().code());
        assertTrue(ws.getFirst().text().contains("arch0/cpu/fp32 CV 12.0%, (p90-p10)/p50 30.0%"), ws.getFirst().text());

        Run shortRun = r.toBuilder().measurement(new Run.Measurement(false, List.of("warm-up skipped (--warmup 0)"),
                0, 5, 100, true, 0.12, 0.3, 0.05)).build();
        assertTrue(Stability.invalid(shortRun), "a broken rule does");
        assertEquals(List.of("warm-up skipped (--warmup 0)"), Stability.brokenRules(shortRun));
    }

    /** The unstable verdict comes from {@code measurement.unstable}; the word "CV" in a text decides nothing. */
    @Test
    void theUnstableVerdictIsTheFieldNotTheWordCvInAText() {
        Run stable = seededOk("arch0", 0.01).toBuilder()
                .measurement(new Run.Measurement(false, List.of("timed 3 requests, fewer than the minimum 30 (CV n/a)"),
                        2, 5, 3, false, 0.01, 0.3, 0.05))
                .warnings(List.of("CV kernels fell back to the reference implementation")).build();
        assertNull(Stability.unstable(stable, SETTINGS));
        assertTrue(Stability.invalid(stable), "a broken rule counts whatever its words");
        List<Warning> ws = Warnings.fromRuns(List.of(stable), SETTINGS);
        assertTrue(ws.stream().anyMatch(w -> w.code().equals(Warning.RUN_WARNING)
                && w.text().equals("arch0/cpu/fp32: CV kernels fell back to the reference implementation")), ws.toString());
        assertTrue(ws.stream().noneMatch(w -> w.code().equals(Warning.UNSTABLE)), ws.toString());
    }

    /** Files whose writers put the verdict in text read as unstable, not invalid, and without that text as a warning. */
    @Test
    void verdictTextOfOlderFilesIsDroppedOnRead() throws IOException {
        Results old = new Results(3, null, SETTINGS, List.of(legacyOk("arch0", 0.2)), List.of(), List.of());
        Run read = ResultsJson.fromBytes(ResultsJson.toBytes(old), "old.json").runs().getFirst();
        assertEquals(List.of(), read.measurement().reasons());
        assertEquals(List.of(), read.warnings());
        assertFalse(Stability.invalid(read));
        assertNotNull(Stability.unstable(read, SETTINGS), "from the recorded CV against the threshold");
    }
    @Test
    void agreementWithoutReferenceLabelsIsWarnedWithItsCode() throws IOException {
        Run partial = seededOk("arch0", 0.01).toBuilder()
                .agreement(new Run.Agreement("cpu:fp32", 0.99, 0.97, null, 2)).build();
        Run complete = seededOk("arch1", 0.01).toBuilder().agreement(new Run.Agreement("cpu:fp32", 0.99, 0.97, null, 0))
                .build();
        List<Warning> ws = Warnings.fromRuns(List.of(partial, complete), SETTINGS);
        List<Warning> incomplete = ws.stream().filter(w -> Warning.AGREEMENT_INCOMPLETE.equals(w.code())).toList();
        assertEquals(1, incomplete.size(), ws.toString());
        assertEquals(List.of(partial.key()), incomplete.getFirst().runs());
        assertTrue(incomplete.getFirst().text().contains("leaves out 2 samples"), incomplete.getFirst().text());
        Run.Agreement back = ResultsJson.fromBytes(ResultsJson.toBytes(new Results(Results.SCHEMA_VERSION, null, SETTINGS,
                List.of(partial), List.of(), List.of())), "t").runs().getFirst().agreement();
        assertEquals(Integer.valueOf(2), back.samplesWithoutReference());
    }

    @Test
    void aServerTrialWhoseHarnessWokeLateIsFlaggedWithItsCode() {
        Server.Trial late = new Server.Trial(50, 50, 500, new Server.Percentiles(2, 3, 4.0, 5.0, 6), null, 0, true, null, null,
                new Server.Lateness(0.1, 0.5, 1.0, 480)); // lateness p99 0.5 ms is 12.5% of the p99 4 ms
        Server.Trial fine = new Server.Trial(25, 25, 500, new Server.Percentiles(2, 3, 4.0, 5.0, 6), null, 0, true, null, null,
                new Server.Lateness(0.05, 0.3, 1.0, 480)); // 7.5%
        assertTrue(late.harnessLate());
        assertFalse(fine.harnessLate());
        Server server = new Server(Server.FIXED, null, null, "poisson", 1, 1, List.of(late, fine), null);
        PerformanceAtSize at = new PerformanceAtSize(64, 64, List.of("server"), null, null, null, null, List.of(), server,
                null);
        Run run = seededOk("arch0", 0.01).toBuilder().performance(List.of(at)).build();
        List<Warning> ws = Warnings.fromRuns(List.of(run), SETTINGS).stream()
                .filter(w -> Warning.HARNESS_LATE.equals(w.code())).toList();
        assertEquals(1, ws.size());
        assertTrue(ws.getFirst().text().contains("64x64 at 50.0 qps") && !ws.getFirst().text().contains("25.0 qps"),
                ws.getFirst().text());
        assertTrue(Warnings.derivedFromRuns(ws.getFirst()), "merged results derive it again");
    }
}
