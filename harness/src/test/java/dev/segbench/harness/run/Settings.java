package dev.segbench.harness.run;

import dev.segbench.api.DatasetOptions;
import dev.segbench.api.Precision;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Small run settings for tests. */
final class Settings {

    private Settings() {
    }

    static RunSettings tiny(Path out, List<Integer> batches, double minDuration, int minIterations, double cv) {
        return new RunSettings(List.of("tiny"), List.of("fake"), List.of(Precision.FP32), "fake:4", Map.of(), 1,
                DatasetOptions.defaults(), RunSettings.Shard.ALL, new RunSettings.Reference("fake", Precision.FP32),
                batches, true, 32, 48, 0.01, minDuration, minIterations, 1, cv, 2, 2, out, Map.of(), null);
    }
}
