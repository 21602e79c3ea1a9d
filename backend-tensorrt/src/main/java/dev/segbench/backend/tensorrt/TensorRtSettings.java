package dev.segbench.backend.tensorrt;

import dev.segbench.api.BackendProperties;
import dev.segbench.api.Precision;
import dev.segbench.api.SessionOptions;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The TensorRT session settings, parsed once from {@link SessionOptions} ({@code labelsOut()} chooses the labels-out
 * graph, one UINT8 label per pixel back). Properties (all optional), read with {@link BackendProperties}:
 * <ul>
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
 * A bad value is an IllegalArgumentException with a one-line message; an unknown {@code tensorrt.*} key too (booleans
 * are {@code true}/{@code false}, as for every backend).
 */
public record TensorRtSettings(Precision precision, boolean labelsOut, int optLevel, boolean tf32,
                               OptionalLong workspaceBytes, boolean cudaGraphs, int maxContexts, Path engineCacheDir,
                               boolean timingCache, String deviceProperty, ProfileShapes profile) {

    public static final String OPT_LEVEL = "tensorrt.opt-level";
    public static final String TF32 = "tensorrt.tf32";
    public static final String WORKSPACE_MIB = "tensorrt.workspace-mib";
    public static final String CUDA_GRAPH = "tensorrt.cuda-graph";
    public static final String CONTEXTS = "tensorrt.contexts";
    public static final String CACHE = "tensorrt.cache";
    public static final String TIMING_CACHE = "tensorrt.timing-cache";
    public static final String DEVICE = "cuda.device";

    /** Every key this backend reads: its own {@code tensorrt.*} ones and the shared {@code cuda.device}. */
    static final List<String> KNOWN_KEYS = List.of(OPT_LEVEL, TF32, WORKSPACE_MIB, CUDA_GRAPH, CONTEXTS,
            CACHE, TIMING_CACHE, DEVICE);

    public static final int DEFAULT_OPT_LEVEL = 3;
    public static final int DEFAULT_CONTEXTS = 4;

    public static TensorRtSettings from(SessionOptions options) {
        BackendProperties p = BackendProperties.read(options, "tensorrt.", KNOWN_KEYS);
        int optLevel = (int) p.integer(OPT_LEVEL, DEFAULT_OPT_LEVEL, 0, 5);
        OptionalLong workspace = p.raw(WORKSPACE_MIB).isPresent()
                ? OptionalLong.of(p.integer(WORKSPACE_MIB, 0, 1, 1 << 20) << 20) : OptionalLong.empty();
        Path cacheDir = p.bool(CACHE, true) && options.cacheDir() != null ? options.cacheDir().resolve("tensorrt") : null;
        return new TensorRtSettings(options.precision(), options.labelsOut(), optLevel, p.bool(TF32, true), workspace,
                p.bool(CUDA_GRAPH, false), (int) p.integer(CONTEXTS, DEFAULT_CONTEXTS, 1, 64), cacheDir,
                p.bool(TIMING_CACHE, true), p.raw(DEVICE).orElse(null), ProfileShapes.from(options.profile()));
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
}
