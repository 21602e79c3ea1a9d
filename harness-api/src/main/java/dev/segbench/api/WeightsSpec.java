package dev.segbench.api;

import java.nio.file.Path;

/** Which weights to bind: a checkpoint file, or (when {@code checkpoint} is null) seeded untrained weights. */
public record WeightsSpec(Path checkpoint, long seed) {

    public static final long DEFAULT_SEED = 42;

    public static WeightsSpec seeded(long seed) {
        return new WeightsSpec(null, seed);
    }

    public static WeightsSpec checkpoint(Path file) {
        return new WeightsSpec(file, DEFAULT_SEED);
    }

    public boolean isSeeded() {
        return checkpoint == null;
    }
}
