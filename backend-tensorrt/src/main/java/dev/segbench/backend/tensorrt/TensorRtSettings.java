package dev.segbench.backend.tensorrt;

import dev.segbench.api.Precision;
import dev.segbench.api.SessionOptions;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The TensorRT session settings, parsed once from {@link SessionOptions}. Properties (all optional):
 * <ul>
 *   <li>{@code labels-out} (false): run the labels-out graph, one UINT8 label per pixel comes back</li>
 *   <li>{@code tensorrt.opt-level} (3): builder optimisation level 0..5 (higher builds slower, may run faster)</li>
 *   <li>{@code tensorrt.tf32} (true): allow TF32 tensor cores for FP32 math in the FP32 engine</li>
 *   <li>{@code tensorrt.workspace-mib} (TensorRT default): workspace memory pool limit</li>
 *   <li>{@code tensorrt.cuda-graph} (false): capture the inference as a CUDA graph and replay it while the input
 *       shape stays the same (fixed-shape latency/throughput passes); a new shape is run eagerly once, then re-captured</li>
 *   <li>{@code tensorrt.contexts} (4): at most this many execution contexts (each with its own stream and
 *       buffers) are created, lazily, one per concurrent {@code run} call</li>
 *   <li>{@code tensorrt.cache} (true): use the engine cache in {@code cacheDir/tensorrt}</li>
 *   <li>{@code tensorrt.timing-cache} (true): persist the builder's timing cache there too</li>
 *   <li>{@code cuda.device} (0): which GPU</li>
 * </ul>
 * A bad value is an IllegalArgumentException with a one-line message; an unknown {@code tensorrt.*} key too.
 */
public record TensorRtSettings(Precision precision, boolean labelsOut, int optLevel, boolean tf32,
                               OptionalLong workspaceBytes, boolean cudaGraphs, int maxContexts, Path engineCacheDir,
                               boolean timingCache, String deviceProperty, ProfileShapes profile) {

    public static final String LABELS_OUT = "labels-out";
    public static final String OPT_LEVEL = "tensorrt.opt-level";
    public static final String TF32 = "tensorrt.tf32";
    public static final String WORKSPACE_MIB = "tensorrt.workspace-mib";
    public static final String CUDA_GRAPH = "tensorrt.cuda-graph";
    public static final String CONTEXTS = "tensorrt.contexts";
    public static final String CACHE = "tensorrt.cache";
    public static final String TIMING_CACHE = "tensorrt.timing-cache";
    public static final String DEVICE = "cuda.device";

    static final List<String> KNOWN_TENSORRT_KEYS = List.of(OPT_LEVEL, TF32, WORKSPACE_MIB, CUDA_GRAPH, CONTEXTS,
            CACHE, TIMING_CACHE);

    public static final int DEFAULT_OPT_LEVEL = 3;
    public static final int DEFAULT_CONTEXTS = 4;

    public static TensorRtSettings from(SessionOptions options) {
        Map<String, String> props = options.properties();
        for (String key : props.keySet()) {
            if (key.startsWith("tensorrt.") && !KNOWN_TENSORRT_KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown property " + key + " (known: "
                        + String.join(", ", KNOWN_TENSORRT_KEYS) + ")");
            }
        }
        int optLevel = intIn(options, OPT_LEVEL, DEFAULT_OPT_LEVEL, 0, 5);
        OptionalLong workspace = options.properties().containsKey(WORKSPACE_MIB)
                ? OptionalLong.of((long) intIn(options, WORKSPACE_MIB, 0, 1, 1 << 20) << 20) : OptionalLong.empty();
        boolean useCache = bool(options, CACHE, true);
        Path cacheDir = useCache && options.cacheDir() != null ? options.cacheDir().resolve("tensorrt") : null;
        return new TensorRtSettings(options.precision(), bool(options, LABELS_OUT, false), optLevel,
                bool(options, TF32, true), workspace, bool(options, CUDA_GRAPH, false),
                intIn(options, CONTEXTS, DEFAULT_CONTEXTS, 1, 64), cacheDir, bool(options, TIMING_CACHE, true),
                options.property(DEVICE, null), ProfileShapes.from(options.profile()));
    }

    /** TF32 only matters for (and is only set on) the FP32 engine. */
    public boolean tf32Enabled() {
        return tf32 && precision == Precision.FP32;
    }

    /**
     * Builder settings that change the engine, in a stable order, for the cache key. Settings that only
     * affect execution (CUDA graphs, contexts, device choice) are not part of it.
     */
    public SortedMap<String, String> builderOptions() {
        SortedMap<String, String> m = new TreeMap<>();
        m.put("network", "strongly-typed");
        m.put("opt-level", Integer.toString(optLevel));
        m.put("tf32", Boolean.toString(tf32Enabled()));
        m.put("workspace", workspaceBytes.isPresent() ? Long.toString(workspaceBytes.getAsLong()) : "default");
        return m;
    }

    private static boolean bool(SessionOptions o, String key, boolean fallback) {
        String v = o.property(key, null);
        if (v == null) {
            return fallback;
        }
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException(key + " must be true or false, got '" + v + "'");
        };
    }

    private static int intIn(SessionOptions o, String key, int fallback, int lo, int hi) {
        String v = o.property(key, null);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= lo && n <= hi) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below with the accepted range
        }
        throw new IllegalArgumentException(key + " must be an integer in " + lo + ".." + hi + ", got '" + v + "'");
    }
}
