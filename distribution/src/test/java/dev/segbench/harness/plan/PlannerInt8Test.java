package dev.segbench.harness.plan;

import dev.segbench.results.settings.Shard;
import dev.segbench.results.settings.Settings;

import dev.segbench.harness.calibration.CalibrationRequests;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.api.Availability;
import dev.segbench.api.Backend;
import dev.segbench.api.CalibrationMethod;
import dev.segbench.api.DatasetOptions;
import dev.segbench.api.Precision;
import dev.segbench.results.settings.CalibrationRequest;
import dev.segbench.harness.plugins.Plugins;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * How the plan treats int8 runs it cannot calibrate: a model without int8 graphs, or no cpu backend to calibrate on,
 * skips the int8 runs with that reason (nothing else changes), and no table means no calibration in the fingerprint.
 */
class PlannerInt8Test {

    private static Settings settings() {
        return new Settings(
                new Settings.Selection(List.of("tiny"), List.of("fake"), List.of(Precision.FP32, Precision.INT8),
                        Map.of(), 1, Settings.Reference.auto()),
                new Settings.Data("fake:3", DatasetOptions.defaults(), Shard.ALL, 1, 1),
                new Settings.Performance(List.of(1), false, 32, 32, 0, 1, 2, 0.05),
                new Settings.Session(0, Map.of(), null), Settings.Execution.defaults(), Path.of("unused"),
                CalibrationRequests.of("fake:2", null, "fake:3", DatasetOptions.defaults(), 2, CalibrationMethod.MINMAX,
                        null, null, 0));
    }

    /** The fake backend claims int8 too; cpu is available unless {@code cpuAvailable} is false; the rest are not. */
    private static BackendProbe probe(boolean cpuAvailable) {
        return backends -> {
            Map<String, BackendState> out = new LinkedHashMap<>();
            for (Backend b : backends) {
                Availability a = b.id().equals("fake") || (b.id().equals("cpu") && cpuAvailable)
                        ? Availability.available("stub", List.of(), Set.of()) : Availability.unavailable(b.id() + " is not here");
                Set<Precision> ps = b.id().equals("fake") ? EnumSet.of(Precision.FP32, Precision.FP16, Precision.INT8)
                        : b.precisions();
                out.put(b.id(), new BackendState(b.id(), b.rank(), a, ps));
            }
            return out;
        };
    }

    private static Plan plan(BackendProbe probe) throws Exception {
        try (Plugins plugins = Plugins.load(List.of(), List.of()); Planner planner = new Planner(plugins, settings(), m -> { })) {
            planner.prepare();
            return planner.plan(probe);
        }
    }

    @Test
    void aModelWithoutInt8GraphsHasItsInt8RunsSkipped() throws Exception {
        Plan plan = plan(probe(true));
        PlannedRun int8 = plan.run("tiny/fake/int8");
        assertEquals("model tiny has no int8 graph", int8.skipReason());
        assertFalse(int8.fingerprintInputs().containsKey("calibration_sha256"));
        assertNull(plan.calibration("tiny"));
        assertTrue(plan.run("tiny/fake/fp32").runnable());
    }

    @Test
    void withoutTheCpuBackendInt8RunsAreSkippedWithItsReason() throws Exception {
        Plan plan = plan(probe(false));
        assertEquals("int8 calibration runs on the cpu backend, which is not available: cpu is not here",
                plan.run("tiny/fake/int8").skipReason());
        assertTrue(plan.run("tiny/fake/fp32").runnable());
    }
}
