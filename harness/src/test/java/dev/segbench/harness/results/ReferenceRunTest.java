package dev.segbench.harness.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.harness.merge.Merger;
import dev.segbench.results.Gate;
import dev.segbench.results.Run;
import dev.segbench.results.settings.Settings;
import dev.segbench.results.settings.Shard;
import dev.segbench.api.Precision;
import dev.segbench.api.DatasetOptions;
import java.util.List;
import org.junit.jupiter.api.Test;

/** "Is this the reference run" has one answer ({@link Run#isReference}, {@link Run#referenceOf}), which merge uses too. */
class ReferenceRunTest {

    private static Run ok(String model, String backend, double p50) {
        return Run.builder(model, backend, "fp32").status(Run.OK)
                .latencyMs(new Run.Latency(p50, p50, p50, p50, p50, p50, 0, 100, p50, 0.0, List.of())).build();
    }

    @Test
    void theReferenceIsNamedByBackendAndPrecisionOrBackendAlone() {
        Run cpu = ok("m", "cpu", 10);
        assertTrue(cpu.isReference("cpu:fp32"));
        assertTrue(cpu.isReference("cpu"), "files that recorded only the backend");
        assertFalse(cpu.isReference("cpu:fp16"));
        assertFalse(cpu.isReference("cpux:fp32"));
        assertFalse(cpu.isReference(null));
        assertFalse(cpu.isReference("none"));
    }

    @Test
    void theReferenceOfARunIsThatOfItsModelAndNeverASkippedOne() {
        Run refM = ok("m", "cpu", 10);
        Run refN = Run.notRun("n", "cpu", "fp32", Run.SKIPPED, "no cpu here");
        Run fakeM = ok("m", "fake", 5);
        Run fakeN = ok("n", "fake", 5);
        List<Run> runs = List.of(refM, refN, fakeM, fakeN);
        assertSame(refM, Run.referenceOf(fakeM, runs, "cpu:fp32"));
        assertSame(refM, Run.referenceOf(refM, runs, "cpu:fp32"), "the reference is its own");
        assertNull(Run.referenceOf(fakeN, runs, "cpu:fp32"), "a skipped reference measured nothing");
        assertNull(Run.referenceOf(fakeM, runs, "none"));
    }

    /** Merge judges against the same reference the compare does: a skipped one is no reference (it used to be found). */
    @Test
    void mergeJudgesASkippedReferenceAsTheCompareDoes() {
        Settings s = new Settings(
                new Settings.Selection(List.of("n"), List.of("cpu", "fake"), List.of(Precision.FP32), java.util.Map.of(), 42,
                        new Settings.Reference("cpu", Precision.FP32)),
                new Settings.Data("fake:3", DatasetOptions.defaults(), Shard.ALL, 1, 0),
                new Settings.Performance(List.of(1), true, 32, 32, 0, 1, 2, 0.05),
                new Settings.Session(0, java.util.Map.of(), null), Settings.Execution.defaults(), java.nio.file.Path.of("out"),
                null, new Settings.Recorded(null, List.of("cpu", "fake"), "cpu:fp32", "cpu:fp32", "0/1", "p50-ms<=1.1*ref"));
        List<Run> judged = Merger.judged(List.of(Run.notRun("n", "cpu", "fp32", Run.SKIPPED, "no cpu here"),
                ok("n", "fake", 5)), s);
        Gate.Condition c = judged.get(1).gate().conditions().getFirst();
        assertEquals(Gate.MISSING, c.status());
        assertEquals("no reference run for *ref", c.reason());
    }
}
