package dev.segbench.api;

/**
 * Which weights a model carries. {@code kind} is "checkpoint", "file" (a model file with its weights inside) or
 * "seeded"; {@code sha256} is the checkpoint's or model file's SHA-256, or "seeded:SEED" for untrained weights.
 */
public record WeightsInfo(String kind, String sha256, String source) {

    public static WeightsInfo seeded(long seed) {
        return new WeightsInfo("seeded", "seeded:" + seed, "seed " + seed);
    }

    public static WeightsInfo checkpoint(String sha256, String file) {
        return new WeightsInfo("checkpoint", sha256, file);
    }

    /** The weights inside a model file (an ONNX graph's initialisers): {@code sha256} is the file's. */
    public static WeightsInfo file(String sha256, String file) {
        return new WeightsInfo("file", sha256, file);
    }

    /** Seeded weights are untrained: results from them say nothing about the model's accuracy. */
    public boolean trained() {
        return !"seeded".equals(kind);
    }
}
