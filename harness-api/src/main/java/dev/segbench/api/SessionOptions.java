package dev.segbench.api;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Everything a backend needs to open a session, recorded verbatim in the results.
 *
 * @param threads     intra-op threads for CPU work (0 = all available processors, see {@link #threadsOrAllProcessors});
 *                    never negative
 * @param profile     the input shapes the run will use (for engines with optimisation profiles)
 * @param cacheDir    where a backend may cache compiled engines (null = no cache)
 * @param properties  backend-specific settings ("tensorrt.opt-level" = "3"), read with {@link BackendProperties}
 * @param labelsOut   run the labels-out graph variant (upsampling and ArgMax inside, UINT8 labels back); the harness
 *                    sets it, every backend that declares {@link Capability#LABELS_OUT} honours it
 * @param calibration the activation ranges an {@link Precision#INT8} session quantizes with (null for other
 *                    precisions); the backend builds its int8 graph from it with {@link ModelSource#int8()}
 */
public record SessionOptions(Precision precision, int threads, ShapeProfile profile, Path cacheDir,
                             Map<String, String> properties, boolean labelsOut, CalibrationTable calibration) {

    /** The key under which labels-out used to travel among the properties; see {@link #forRun}. */
    public static final String LABELS_OUT_KEY = "labels-out";

    public SessionOptions {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0 (0 = all available processors), got " + threads);
        }
        properties = Map.copyOf(properties);
        if (properties.containsKey(LABELS_OUT_KEY)) {
            throw new IllegalArgumentException(LABELS_OUT_KEY + " is a session option, not a backend property:"
                    + " build the options with SessionOptions.forRun or pass labelsOut");
        }
    }

    /** Logits out (no labels-out graph), no calibration table (every precision but INT8). */
    public SessionOptions(Precision precision, int threads, ShapeProfile profile, Path cacheDir,
                          Map<String, String> properties) {
        this(precision, threads, profile, cacheDir, properties, false, null);
    }

    /** The same options with {@code table} as the calibration. */
    public SessionOptions withCalibration(CalibrationTable table) {
        return new SessionOptions(precision, threads, profile, cacheDir, properties, labelsOut, table);
    }

    public static SessionOptions of(Precision precision) {
        return new SessionOptions(precision, 0, ShapeProfile.DEFAULT, null, Map.of(), false, null);
    }

    /**
     * The options of one run from the command line's {@code --property KEY=VALUE} map: a {@code labels-out}
     * entry (true/false) becomes the typed {@link #labelsOut} field, everything else stays a backend property.
     */
    public static SessionOptions forRun(Precision precision, int threads, ShapeProfile profile, Path cacheDir,
                                        Map<String, String> properties) {
        Map<String, String> rest = new HashMap<>(properties);
        String labels = rest.remove(LABELS_OUT_KEY);
        boolean labelsOut = labels != null && BackendProperties.parseBoolean(LABELS_OUT_KEY, labels);
        return new SessionOptions(precision, threads, profile, cacheDir, rest, labelsOut, null);
    }

    /** The same options with {@code value} intra-op threads. */
    public SessionOptions withThreads(int value) {
        return new SessionOptions(precision, value, profile, cacheDir, properties, labelsOut, calibration);
    }

    /** The same options with {@code labelsOut} set. */
    public SessionOptions withLabelsOut(boolean value) {
        return new SessionOptions(precision, threads, profile, cacheDir, properties, value, calibration);
    }

    /** The intra-op threads to set: {@link #threads}, or every available processor where it is 0. */
    public int threadsOrAllProcessors() {
        return threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
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
