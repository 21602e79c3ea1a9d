package dev.segbench.backend.tensorrt;

import dev.segbench.api.io.Sha256;
import dev.segbench.api.Availability;
import dev.segbench.api.Backend;
import dev.segbench.api.BackendException;
import dev.segbench.api.DType;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.LazyAvailability;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelSource;
import dev.segbench.api.CalibrationTable;
import dev.segbench.api.Precision;
import dev.segbench.api.SessionOptions;
import dev.segbench.cuda.CudaDevice;
import dev.segbench.cuda.CudaException;
import dev.segbench.cuda.CudaProbe;
import dev.segbench.cuda.CudaRuntime;
import dev.segbench.cuda.NativeLibraryLocator;
import dev.segbench.cuda.NvidiaDriver;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.tensorrt.global.nvinfer;
import org.bytedeco.tensorrt.nvinfer.ICudaEngine;
import org.bytedeco.tensorrt.nvinfer.IRuntime;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * The "tensorrt" backend: builds a TensorRT 10 engine from the model's FP16 or FP32 ONNX graph (strongly typed
 * network, one dynamic-shape optimisation profile from {@code SessionOptions.profile()}), caches it on disk and
 * runs it with pinned host memory, CUDA streams and CUDA-event timings. The constructor touches no native code;
 * {@link #availability()} probes once (CUDA driver, runtime and device, then libnvinfer.so.10,
 * libnvonnxparser.so.10 and libnvinfer_plugin.so.10 on disk, then the library's own version) and names the first missing piece.
 *
 * <p><b>For the harness:</b>
 * <ul>
 *   <li>Session properties are listed in {@link TensorRtSettings} ({@code labels-out}, {@code tensorrt.opt-level},
 *       {@code tensorrt.cuda-graph}, {@code tensorrt.contexts}, ...).</li>
 *   <li>Engine cache: {@code SessionOptions.cacheDir()/tensorrt/<model>-<precision>[-labels]-<key>.engine} plus a
 *       shared timing cache; a null cacheDir (or {@code tensorrt.cache=false}) means no cache, as the SPI says.
 *       Pass e.g. {@code ~/.cache/segbench} to get {@code ~/.cache/segbench/tensorrt}.</li>
 *   <li>{@code InferenceSession.buildSeconds()} is the engine build time, empty when the engine came from the cache.</li>
 *   <li>{@code newInput(arena, n, h, w)} returns pinned memory freed with the arena; allocating it costs about as much
 *       as a page-locking syscall, so reuse inputs per shape rather than allocating one per image.</li>
 *   <li>Throughput: a session is thread-safe and declares {@code Capability.CONCURRENT_RUNS}; call {@code run} from
 *       K threads (K &lt;= {@code tensorrt.contexts}, default 4) to keep K batches in flight on K execution contexts
 *       and CUDA streams, and close each result promptly (a result holds its context until closed).</li>
 *   <li>{@code InferenceSession.deviceMemoryBytes()}: the engine's weights plus every context's scratch and I/O
 *       buffers.</li>
 *   <li>Each result carries {@code deviceTimings()}: H2D copy, compute and D2H copy measured with CUDA events.</li>
 * </ul>
 */
public final class TensorRtBackend implements Backend {

    private static final System.Logger LOG = System.getLogger(TensorRtBackend.class.getName());

    private final LazyAvailability availability = new LazyAvailability(() -> TensorRtProbe.probe(CudaRuntime.probe(),
            NativeLibraryLocator.system(), NativeTrt::inferLibVersion, TensorRtVersion.BINDINGS, NvidiaDriver.installedVersion()));

    public TensorRtBackend() {
    }

    @Override
    public String id() {
        return "tensorrt";
    }

    @Override
    public String description() {
        return "NVIDIA TensorRT 10: strongly typed FP16/FP32 engines with dynamic shapes, cached on disk";
    }

    @Override
    public java.util.List<String> propertyKeys() {
        return TensorRtSettings.KNOWN_KEYS;
    }

    @Override
    public int rank() {
        return 50;
    }

    @Override
    public Availability availability() {
        return availability.get();
    }

    @Override
    public Set<Precision> precisions() {
        return EnumSet.of(Precision.FP32, Precision.FP16, Precision.INT8);
    }

    @Override
    public InferenceSession open(ModelSource model, SessionOptions options) throws BackendException {
        availability.require();
        TensorRtSettings settings = TensorRtSettings.from(options);
        CudaProbe cuda = CudaRuntime.probe();
        int device = CudaRuntime.selectDevice(settings.deviceProperty(), cuda);
        try {
            CudaRuntime.useDevice(device);
            ModelArtifact artifact = GraphChoice.select(model, settings, options.calibration());
            return open(artifact, settings, options.precision() == Precision.INT8 ? options.calibration() : null, device,
                    CudaRuntime.device(device));
        } catch (CudaException e) {
            throw e.toBackendException();
        }
    }

    private InferenceSession open(ModelArtifact artifact, TensorRtSettings settings, CalibrationTable calibration,
                                  int device, CudaDevice gpu) throws BackendException {
        byte[] onnx = artifact.onnx();
        EngineCacheKey key = new EngineCacheKey(Sha256.hex(onnx), NativeTrt.version().toString(),
                gpu.name(), gpu.computeCapability(), settings.precision(), settings.profile(), settings.builderOptions(),
                calibration == null ? null : calibration.sha256());
        String digest = key.hexDigest();
        Optional<EngineCache> cache = Optional.ofNullable(settings.engineCacheDir()).map(EngineCache::new);
        String label = artifact.modelId() + "-" + artifact.precision().id() + (artifact.labelsOut() ? "-labels" : "");
        Path entry = cache.map(c -> c.enginePath(label, digest)).orElse(null);

        IRuntime runtime = createRuntime();
        ICudaEngine engine = null;
        try {
            OptionalDouble buildSeconds = OptionalDouble.empty();
            if (cache.isPresent()) {
                Optional<byte[]> plan = cache.get().load(entry, digest);
                if (plan.isPresent()) {
                    int mark = TrtLogger.INSTANCE.mark();
                    engine = deserialize(runtime, plan.get());
                    if (engine == null) {
                        cache.get().invalidate(entry, "TensorRT could not deserialise it"
                                + EngineBuilder.detail(TrtLogger.INSTANCE.errorsSince(mark)));
                    } else {
                        LOG.log(Level.INFO, "TensorRT engine for {0} loaded from {1}", label, entry);
                    }
                }
            }
            if (engine == null) {
                Path timingEntry = cache.filter(c -> settings.timingCache())
                        .map(c -> c.timingCachePath(key.timingCacheDigest())).orElse(null);
                byte[] timingIn = timingEntry == null ? null
                        : cache.get().load(timingEntry, key.timingCacheDigest()).orElse(null);
                LOG.log(Level.INFO, "building the TensorRT engine for {0} ({1}, opt level {2}); this can take minutes",
                        label, settings.profile().describe(), settings.optLevel());
                EngineBuilder.Built built = EngineBuilder.build(onnx, settings, timingIn);
                buildSeconds = OptionalDouble.of(built.seconds());
                LOG.log(Level.INFO, "TensorRT engine for {0} built in {1} s ({2} bytes)", label,
                        String.format(java.util.Locale.ROOT, "%.1f", built.seconds()), built.plan().length);
                if (cache.isPresent()) {
                    store(cache.get(), entry, digest, built.plan());
                    if (timingEntry != null && built.timingCache() != null) {
                        store(cache.get(), timingEntry, key.timingCacheDigest(), built.timingCache());
                    }
                }
                int mark = TrtLogger.INSTANCE.mark();
                engine = deserialize(runtime, built.plan());
                if (engine == null) {
                    throw new BackendException(BackendException.Code.BUILD_FAILED, "TensorRT could not deserialise "
                            + "the engine it just built" + EngineBuilder.detail(TrtLogger.INSTANCE.errorsSince(mark)));
                }
            }
            DType outputType = checkIo(engine, artifact);
            long weightBytes = engine.getEngineStat(nvinfer.EngineStat.kTOTAL_WEIGHTS_SIZE);
            return new TensorRtSession(artifact, settings, device, runtime, engine, outputType, buildSeconds, entry,
                    Math.max(0, weightBytes));
        } catch (BackendException | RuntimeException | Error e) {
            NativeDelete.delete(engine);
            NativeDelete.delete(runtime);
            throw e;
        }
    }

    private static void store(EngineCache cache, Path entry, String digest, byte[] payload) {
        try {
            cache.store(entry, digest, payload);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot write the TensorRT cache entry {0}: {1}; continuing without it", entry, e.toString());
        }
    }

    private static IRuntime createRuntime() throws BackendException {
        IRuntime runtime = nvinfer.createInferRuntime(TrtLogger.INSTANCE);
        if (runtime == null || runtime.isNull()) {
            throw new BackendException(BackendException.Code.DEVICE_ERROR, "createInferRuntime returned null");
        }
        return runtime;
    }

    private static ICudaEngine deserialize(IRuntime runtime, byte[] plan) {
        try (BytePointer blob = new BytePointer(plan)) {
            ICudaEngine engine = runtime.deserializeCudaEngine(blob, plan.length);
            return engine == null || engine.isNull() ? null : engine;
        }
    }

    /** The engine must have exactly the artifact's input and output; returns the output element type. */
    private static DType checkIo(ICudaEngine engine, ModelArtifact artifact) throws BackendException {
        int n = engine.getNbIOTensors();
        java.util.List<String> names = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            names.add(engine.getIOTensorName(i));
        }
        if (n != 2 || !names.contains(ModelArtifact.INPUT_NAME) || !names.contains(artifact.outputName())) {
            throw new BackendException(BackendException.Code.MODEL_INVALID, "engine tensors " + names + " do not match the "
                    + "graph contract (input '" + ModelArtifact.INPUT_NAME + "', output '" + artifact.outputName() + "')");
        }
        DType in = dtype(engine.getTensorDataType(ModelArtifact.INPUT_NAME));
        if (in != DType.FLOAT32) {
            throw new BackendException(BackendException.Code.MODEL_INVALID, "engine input is " + in + ", expected FLOAT32");
        }
        DType out = dtype(engine.getTensorDataType(artifact.outputName()));
        DType expected = artifact.labelsOut() ? DType.UINT8 : DType.FLOAT32;
        if (out != expected) {
            throw new BackendException(BackendException.Code.MODEL_INVALID, "engine output '" + artifact.outputName()
                    + "' is " + out + ", expected " + expected);
        }
        return out;
    }

    private static DType dtype(nvinfer.DataType t) throws BackendException {
        return switch (t.intern()) {
            case kFLOAT -> DType.FLOAT32;
            case kHALF -> DType.FLOAT16;
            case kUINT8 -> DType.UINT8;
            case kINT64 -> DType.INT64;
            default -> throw new BackendException(BackendException.Code.MODEL_INVALID, "unsupported engine I/O type " + t);
        };
    }

    /** The only place that loads the TensorRT bindings for the probe. */
    static final class NativeTrt {
        private NativeTrt() {
        }

        /** Loads the parser bindings too, so a library they need is reported here and not in the middle of a build. */
        static int inferLibVersion() {
            org.bytedeco.tensorrt.global.nvonnxparser.getNvOnnxParserVersion();
            return nvinfer.getInferLibVersion();
        }

        static TensorRtVersion version() {
            return TensorRtVersion.decode(inferLibVersion());
        }
    }
}
