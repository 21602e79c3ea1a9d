package dev.segbench.harness.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.segbench.api.Capability;
import dev.segbench.api.Precision;
import dev.segbench.results.Run;
import dev.segbench.results.settings.LoadSettings;
import dev.segbench.results.settings.OptionLists;
import dev.segbench.harness.run.PerformanceStep;
import dev.segbench.harness.plan.PlannedRun;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code --resume} compares the batches a recorded run skipped for memory with those a run would skip now, so one
 * table never mixes runs that ran different batches.
 */
class BatchSkipsOnResumeTest {

    static final OptionLists.Size SIZE = new OptionLists.Size(512, 512);
    /** Batch 32 at 512x512 needs about 2.1 GiB by the harness's estimate. */
    static final LoadSettings LOAD = LoadSettings.defaults(SIZE);

    static PlannedRun planned(boolean gpu) {
        return new PlannedRun("m", gpu ? "gpu" : "cpu", Precision.FP32, PlannedRun.Role.COMPARED, null, "m/cpu/fp32",
                List.of(1, 8, 32), gpu ? Set.of(Capability.GPU) : Set.of(), "f", Map.of());
    }

    static Run recorded(List<Run.BatchSkip> skips) {
        return Run.builder("m", "cpu", "fp32").status(Run.OK).batchSkips(skips).build();
    }

    @Test
    void aHostRunIsMeasuredAgainWhenTheBatchesItWouldSkipNowDiffer() {
        PerformanceStep.Memory plenty = new PerformanceStep.Memory(64L << 30, Run.BatchSkip.HOST);
        PerformanceStep.Memory little = new PerformanceStep.Memory(2L << 30, Run.BatchSkip.HOST);
        List<Run.BatchSkip> skipped32 = PerformanceStep.skips(SIZE, List.of(1, 8, 32), little);
        assertEquals(List.of(32), skipped32.stream().map(Run.BatchSkip::batch).toList());
        assertNull(Runner.batchSkipsChanged(planned(false), recorded(List.of()), LOAD, plenty), "same decision: reused");
        assertNull(Runner.batchSkipsChanged(planned(false), recorded(skipped32), LOAD, little), "same decision: reused");
        assertEquals("the batches skipped for memory changed (skipped [512x512 batch 32], would skip none with 65536 MiB "
                + "available now)", Runner.batchSkipsChanged(planned(false), recorded(skipped32), LOAD, plenty));
        assertEquals("the batches skipped for memory changed (skipped none, would skip [512x512 batch 32] with 2048 MiB "
                + "available now)", Runner.batchSkipsChanged(planned(false), recorded(List.of()), LOAD, little));
    }

    @Test
    void aDeviceRunsSkipsStandAsRecorded() {
        PerformanceStep.Memory little = new PerformanceStep.Memory(2L << 30, Run.BatchSkip.HOST);
        assertNull(Runner.batchSkipsChanged(planned(true), recorded(List.of()), LOAD, little),
                "the host's memory says nothing about a device run's");
    }
}
