package dev.segbench.harness.run;

import dev.segbench.api.DatasetOptions;
import dev.segbench.api.Precision;
import dev.segbench.harness.plan.RunSettings;
import dev.segbench.harness.plan.Shard;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Small run settings for tests. */
final class Settings {

    private Settings() {
    }

    static RunSettings tiny(Path out, List<Integer> batches, double minDuration, int minIterations, double cv) {
        return new RunSettings(
                new RunSettings.Selection(List.of("tiny"), List.of("fake"), List.of(Precision.FP32), Map.of(), 1,
                        new RunSettings.Reference("fake", Precision.FP32)),
                new RunSettings.Data("fake:4", DatasetOptions.defaults(), Shard.ALL, 2, 2),
                new RunSettings.Performance(batches, true, 32, 48, 0.01, minDuration, minIterations, cv),
                new RunSettings.Session(1, Map.of(), null),
                RunSettings.Execution.defaults(), out);
    }
}
