package dev.segbench.api;

import java.nio.file.Path;
import java.util.Map;

/**
 * Everything a backend needs to open a session, recorded verbatim in the results.
 *
 * @param threads     intra-op threads for CPU work (0 = backend default)
 * @param profile     the input shapes the run will use (for engines with optimisation profiles)
 * @param cacheDir    where a backend may cache compiled engines (null = no cache)
 * @param properties  backend-specific settings ("tensorrt.opt-level" = "3")
 * @param calibration the activation ranges an {@link Precision#INT8} session quantizes with (null for other
 *                    precisions); the backend builds its int8 graph from it with {@link ModelSource#int8()}
 */
public record SessionOptions(Precision precision, int threads, ShapeProfile profile, Path cacheDir,
                             Map<String, String> properties, CalibrationTable calibration) {

    public SessionOptions {
        properties = Map.copyOf(properties);
    }

    /** Options without a calibration table (every precision but INT8). */
    public SessionOptions(Precision precision, int threads, ShapeProfile profile, Path cacheDir,
                          Map<String, String> properties) {
        this(precision, threads, profile, cacheDir, properties, null);
    }

    /** The same options with {@code table} as the calibration. */
    public SessionOptions withCalibration(CalibrationTable table) {
        return new SessionOptions(precision, threads, profile, cacheDir, properties, table);
    }

    public static SessionOptions of(Precision precision) {
        return new SessionOptions(precision, 0, ShapeProfile.DEFAULT, null, Map.of());
    }

    public String property(String key, String fallback) {
        return properties.getOrDefault(key, fallback);
    }

    /**
     * Min / opt / max input shapes (NCHW, C = 3) the session will see.
     */
    public record ShapeProfile(int minBatch, int optBatch, int maxBatch,
                               int minHeight, int optHeight, int maxHeight,
                               int minWidth, int optWidth, int maxWidth) {
        public static final ShapeProfile DEFAULT = new ShapeProfile(1, 1, 32, 64, 512, 1024, 64, 512, 1024);

        public ShapeProfile {
            if (minBatch < 1 || minBatch > optBatch || optBatch > maxBatch
                    || minHeight < 1 || minHeight > optHeight || optHeight > maxHeight
                    || minWidth < 1 || minWidth > optWidth || optWidth > maxWidth) {
                throw new IllegalArgumentException("shape profile must satisfy 1 <= min <= opt <= max: " + this);
            }
        }
    }
}
