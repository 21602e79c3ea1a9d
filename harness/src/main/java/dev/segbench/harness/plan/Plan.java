package dev.segbench.harness.plan;

import dev.segbench.results.settings.Settings;

import dev.segbench.api.CalibrationTable;
import dev.segbench.results.settings.Int8Fallback;
import dev.segbench.api.SkippedSample;
import dev.segbench.results.Classes;
import dev.segbench.results.Environment;
import dev.segbench.results.Warning;
import dev.segbench.api.DatasetSpec;
import java.util.List;
import java.util.Map;

/**
 * A compare, planned: the runs in execution order (each model's reference first), each with its key and
 * fingerprint, plus what every run shares. Made by {@link Planner}; executed by the runner.
 *
 * @param reference   the resolved reference ("cpu:fp32"), or "none"
 * @param backendIds  the backends compared, in order
 * @param environment this machine, with the facts the backends reported
 * @param warnings    what the results must say about the whole compare (seeded weights, synthetic data, ...)
 */
public record Plan(Settings settings, String reference, List<String> backendIds, DatasetFacts dataset,
                   List<PlannedRun> runs, Map<String, BackendState> backends, Environment environment,
                   List<Warning> warnings, Map<String, CalibrationTable> calibrations,
                   Map<String, dev.segbench.harness.calibration.FloatLayers.Choice> fallbacks) {

    /**
     * @param calibrations the calibration table of each model with runnable int8 runs, by model id
     * @param fallbacks    the layers each model's int8 runs keep in float ({@code --int8-fallback}), by model id;
     *                     absent: none
     */
    public Plan {
        fallbacks = fallbacks == null ? Map.of() : Map.copyOf(fallbacks);
        backendIds = List.copyOf(backendIds);
        runs = List.copyOf(runs);
        backends = Map.copyOf(backends);
        warnings = List.copyOf(warnings);
        calibrations = calibrations == null ? Map.of() : Map.copyOf(calibrations);
    }

    /** A plan whose int8 runs keep no layer in float. */
    public Plan(Settings settings, String reference, List<String> backendIds, DatasetFacts dataset,
                List<PlannedRun> runs, Map<String, BackendState> backends, Environment environment,
                List<Warning> warnings, Map<String, CalibrationTable> calibrations) {
        this(settings, reference, backendIds, dataset, runs, backends, environment, warnings, calibrations, Map.of());
    }

    /** A plan without int8 runs. */
    public Plan(Settings settings, String reference, List<String> backendIds, DatasetFacts dataset,
                List<PlannedRun> runs, Map<String, BackendState> backends, Environment environment, List<Warning> warnings) {
        this(settings, reference, backendIds, dataset, runs, backends, environment, warnings, Map.of());
    }

    /** The calibration table an int8 run of {@code model} quantizes with, or null (not int8, or not runnable). */
    public CalibrationTable calibration(String model) {
        return calibrations.get(model);
    }

    /** The layers an int8 run of {@code model} keeps in float and how they were chosen, or null for none. */
    public dev.segbench.harness.calibration.FloatLayers.Choice fallback(String model) {
        return fallbacks.get(model);
    }

    /**
     * The evaluated samples: positions in the opened dataset (after limit, ids and shard) and their ids, which
     * a child checks against the dataset it opens itself; {@code classes}: the dataset's class names and colours;
     * {@code spec}: {@code --dataset} as the planner parsed it, which every run opens (null in tests that open none).
     */
    public record DatasetFacts(String name, boolean synthetic, int size, List<Integer> indices, List<String> ids,
                               List<SkippedSample> skippedAtOpen, Classes classes, DatasetSpec spec) {
        public DatasetFacts {
            indices = List.copyOf(indices);
            ids = List.copyOf(ids);
            skippedAtOpen = List.copyOf(skippedAtOpen);
            classes = classes == null ? Classes.voc() : classes;
        }

        /** Facts of a VOC-classed dataset. */
        public DatasetFacts(String name, boolean synthetic, int size, List<Integer> indices, List<String> ids,
                            List<SkippedSample> skippedAtOpen) {
            this(name, synthetic, size, indices, ids, skippedAtOpen, null, null);
        }

        /** Facts of a dataset with its own classes, opened from no spec. */
        public DatasetFacts(String name, boolean synthetic, int size, List<Integer> indices, List<String> ids,
                            List<SkippedSample> skippedAtOpen, Classes classes) {
            this(name, synthetic, size, indices, ids, skippedAtOpen, classes, null);
        }

        public int[] indexArray() {
            return indices.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    public PlannedRun run(String key) {
        return runs.stream().filter(r -> r.key().equals(key)).findFirst().orElse(null);
    }
}
