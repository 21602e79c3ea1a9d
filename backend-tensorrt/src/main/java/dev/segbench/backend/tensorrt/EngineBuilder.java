package dev.segbench.backend.tensorrt;

import dev.segbench.api.BackendException;
import dev.segbench.api.ModelArtifact;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorrt.nvinfer.Dims64;
import org.bytedeco.tensorrt.nvinfer.IBuilder;
import org.bytedeco.tensorrt.nvinfer.IBuilderConfig;
import org.bytedeco.tensorrt.nvinfer.IHostMemory;
import org.bytedeco.tensorrt.nvinfer.INetworkDefinition;
import org.bytedeco.tensorrt.nvinfer.ILayer;
import org.bytedeco.tensorrt.nvinfer.IOptimizationProfile;
import org.bytedeco.tensorrt.nvinfer.ITensor;
import org.bytedeco.tensorrt.nvinfer.ITimingCache;
import org.bytedeco.tensorrt.nvonnxparser.IParser;
import org.bytedeco.tensorrt.nvonnxparser.IParserError;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import static org.bytedeco.tensorrt.global.nvinfer.*;
import static org.bytedeco.tensorrt.global.nvonnxparser.createParser;

/**
 * Builds a serialised engine from ONNX bytes: a strongly typed network (the FP16 graph's own Casts decide the
 * precision; no BuilderFlag.kFP16, which TensorRT deprecates), one optimisation profile for dynamic N/H/W,
 * the configured optimisation level, TF32 only for FP32, and an optional timing cache carried between builds.
 */
final class EngineBuilder {

    /** A finished build: the plan, the updated timing cache (null if none) and the seconds the build took. */
    record Built(byte[] plan, byte[] timingCache, double seconds) {
    }

    private EngineBuilder() {
    }

    static Built build(byte[] onnx, TensorRtSettings settings, byte[] timingCacheIn) throws BackendException {
        return build(onnx, settings, timingCacheIn, java.util.Set.of());
    }

    /**
     * As above, with each tensor named in {@code markOutputs} that a layer of the parsed network makes marked as a
     * network output (the ONNX parser keeps ONNX tensor names), so the engine keeps it for diagnose's intermediate
     * outputs. Compiled here, never run (no GPU): the session does not bind these outputs yet, so the backend does
     * not declare the capability.
     */
    static Built build(byte[] onnx, TensorRtSettings settings, byte[] timingCacheIn, java.util.Set<String> markOutputs)
            throws BackendException {
        TrtLogger logger = TrtLogger.INSTANCE;
        int mark = logger.mark();
        IBuilder builder = null;
        INetworkDefinition network = null;
        IParser parser = null;
        IBuilderConfig config = null;
        ITimingCache timingCache = null;
        IHostMemory plan = null;
        IHostMemory timingOut = null;
        try {
            builder = notNull(createInferBuilder(logger), "createInferBuilder", logger, mark);
            network = notNull(builder.createNetworkV2(1 << NetworkDefinitionCreationFlag.kSTRONGLY_TYPED.value),
                    "createNetworkV2(kSTRONGLY_TYPED)", logger, mark);
            parser = notNull(createParser(network, logger), "createParser", logger, mark);
            try (BytePointer model = new BytePointer(onnx)) {
                if (!parser.parse(model, onnx.length)) {
                    throw parseFailure(parser);
                }
            }
            checkInput(network);
            markOutputs(network, markOutputs);

            config = notNull(builder.createBuilderConfig(), "createBuilderConfig", logger, mark);
            config.setBuilderOptimizationLevel(settings.optLevel());
            if (settings.tf32Enabled()) {
                config.setFlag(BuilderFlag.kTF32);
            } else {
                config.clearFlag(BuilderFlag.kTF32);
            }
            if (settings.workspaceBytes().isPresent()) {
                config.setMemoryPoolLimit(MemoryPoolType.kWORKSPACE, settings.workspaceBytes().getAsLong());
            }
            addProfile(builder, config, settings.profile());

            if (settings.timingCache()) {
                if (timingCacheIn != null && timingCacheIn.length > 0) {
                    try (BytePointer blob = new BytePointer(timingCacheIn)) {
                        timingCache = config.createTimingCache(blob, timingCacheIn.length);
                    }
                } else {
                    timingCache = config.createTimingCache(new Pointer(), 0);
                }
                if (timingCache != null && !timingCache.isNull()) {
                    config.setTimingCache(timingCache, false);
                }
            }

            long start = System.nanoTime();
            plan = builder.buildSerializedNetwork(network, config);
            double seconds = (System.nanoTime() - start) / 1e9;
            if (plan == null || plan.isNull() || plan.size() == 0) {
                throw new BackendException(BackendException.Code.BUILD_FAILED, "TensorRT engine build failed"
                        + detail(logger.errorsSince(mark)));
            }
            byte[] timing = null;
            ITimingCache updated = config.getTimingCache();
            if (settings.timingCache() && updated != null && !updated.isNull()) {
                timingOut = updated.serialize();
                timing = copy(timingOut);
            }
            return new Built(copy(plan), timing, seconds);
        } finally {
            NativeDelete.delete(timingOut);
            NativeDelete.delete(plan);
            NativeDelete.delete(timingCache);
            NativeDelete.delete(config);
            // The parser (nvonnxparser::IParser) is not an INoCopy, so its vtable layout is not known here; it is
            // left to the process (a few MB of weights per build, builds are rare and cached).
            NativeDelete.delete(network);
            NativeDelete.delete(builder);
        }
    }

    /** Marks each layer output named in {@code names} (not yet an output) as a network output; returns those marked. */
    static java.util.List<String> markOutputs(INetworkDefinition network, java.util.Set<String> names) {
        java.util.List<String> marked = new java.util.ArrayList<>();
        if (names.isEmpty()) {
            return marked;
        }
        for (int i = 0; i < network.getNbLayers(); i++) {
            ILayer layer = network.getLayer(i);
            for (int j = 0; j < layer.getNbOutputs(); j++) {
                ITensor t = layer.getOutput(j);
                String name = t.getName();
                if (names.contains(name) && !t.isNetworkOutput()) {
                    network.markOutput(t);
                    marked.add(name);
                }
            }
        }
        return marked;
    }

    private static void addProfile(IBuilder builder, IBuilderConfig config, ProfileShapes shapes) throws BackendException {
        IOptimizationProfile profile = builder.createOptimizationProfile(); // owned by the builder
        try (Dims64 min = dims(shapes.min()); Dims64 opt = dims(shapes.opt()); Dims64 max = dims(shapes.max())) {
            boolean ok = profile.setDimensions(ModelArtifact.INPUT_NAME, OptProfileSelector.kMIN, min)
                    && profile.setDimensions(ModelArtifact.INPUT_NAME, OptProfileSelector.kOPT, opt)
                    && profile.setDimensions(ModelArtifact.INPUT_NAME, OptProfileSelector.kMAX, max);
            if (!ok || config.addOptimizationProfile(profile) < 0) {
                throw new BackendException(BackendException.Code.BUILD_FAILED,
                        "TensorRT rejected the optimisation profile " + shapes.describe());
            }
        }
    }

    static Dims64 dims(long[] values) {
        Dims64 d = new Dims64();
        d.nbDims(values.length);
        for (int i = 0; i < values.length; i++) {
            d.d(i, values[i]);
        }
        return d;
    }

    private static void checkInput(INetworkDefinition network) throws BackendException {
        List<String> inputs = new ArrayList<>();
        for (int i = 0; i < network.getNbInputs(); i++) {
            inputs.add(network.getInput(i).getName());
        }
        if (!inputs.equals(List.of(ModelArtifact.INPUT_NAME))) {
            throw new BackendException(BackendException.Code.MODEL_INVALID, "the ONNX graph must have exactly one input named '"
                    + ModelArtifact.INPUT_NAME + "', it has " + inputs);
        }
    }

    private static BackendException parseFailure(IParser parser) {
        List<String> errors = new ArrayList<>();
        boolean unsupported = false;
        for (int i = 0; i < parser.getNbErrors(); i++) {
            IParserError e = parser.getError(i);
            String code = String.valueOf(e.code());
            unsupported |= code.contains("UNSUPPORTED");
            errors.add(code + " at node " + e.node() + " (" + e.nodeName() + ", " + e.nodeOperator() + "): " + e.desc());
        }
        return new BackendException(unsupported ? BackendException.Code.UNSUPPORTED_OP : BackendException.Code.MODEL_INVALID,
                "TensorRT could not parse the ONNX graph: " + (errors.isEmpty() ? "no parser error recorded" : String.join("; ", errors)));
    }

    private static <T extends Pointer> T notNull(T p, String call, TrtLogger logger, int mark) throws BackendException {
        if (p == null || p.isNull()) {
            throw new BackendException(BackendException.Code.BUILD_FAILED, call + " returned null" + detail(logger.errorsSince(mark)));
        }
        return p;
    }

    static String detail(String errors) {
        return errors.isEmpty() ? "" : ": " + errors;
    }

    /** The bytes of a TensorRT host buffer. */
    @SuppressWarnings("restricted") // data()/size() describe memory TensorRT owns until the IHostMemory is freed
    static byte[] copy(IHostMemory memory) {
        long size = memory.size();
        return MemorySegment.ofAddress(memory.data().address()).reinterpret(size).toArray(ValueLayout.JAVA_BYTE);
    }
}
