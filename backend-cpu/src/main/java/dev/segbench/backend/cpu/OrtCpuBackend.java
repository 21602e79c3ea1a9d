package dev.segbench.backend.cpu;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import dev.segbench.api.Availability;
import dev.segbench.api.Backend;
import dev.segbench.api.BackendException;
import dev.segbench.api.BackendProperties;
import dev.segbench.api.Capability;
import dev.segbench.api.CpuInfo;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.Int8Activations;
import dev.segbench.api.LazyAvailability;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelException;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.SessionOptions;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The reference backend: ONNX Runtime's CPU execution provider. Runs FP32 graphs and FP16 graphs (ORT's CPU
 * provider inserts casts around operators it has no FP16 kernel for, so FP16 here means FP16 storage, not FP16
 * arithmetic), and calibrated INT8 QDQ graphs (which ORT fuses into QLinearConv/QLinearAdd).
 * {@code SessionOptions.labelsOut()} takes the graph with ArgMax inside; there are no {@code cpu.*} properties yet,
 * so any is rejected as a typo.
 */
public final class OrtCpuBackend implements Backend {

    /** The cpu backend's own properties (none yet); other {@code cpu.*} keys are rejected. */
    static final List<String> PROPERTIES = List.of();

    private final LazyAvailability availability = new LazyAvailability(OrtCpuBackend::probe);

    /** Trivial on purpose: ServiceLoader instantiates every backend, and ORT's native library loads lazily. */
    public OrtCpuBackend() {
    }

    @Override
    public String id() {
        return "cpu";
    }

    @Override
    public String description() {
        return "ONNX Runtime CPU execution provider (reference backend)";
    }

    @Override
    public int rank() {
        return 10;
    }

    @Override
    public Availability availability() {
        return availability.get();
    }

    /** Stack for ONNX Runtime's native initialisation (see {@link #environment()}). */
    private static final long INIT_STACK_BYTES = 64L << 20;

    /**
     * The ORT environment, created on a thread with a {@value #INIT_STACK_BYTES}-byte stack: creating it recurses
     * through about 1 MiB of native stack (measured with gdb on ORT 1.29), which is all a JVM thread has by default,
     * so on the main thread it crashes the JVM now and then (SIGSEGV without an hs_err file). Later calls get the
     * same environment without native work.
     */
    static OrtEnvironment environment() throws Throwable {
        Throwable[] failure = new Throwable[1];
        OrtEnvironment[] env = new OrtEnvironment[1];
        Thread init = new Thread(null, () -> {
            try {
                env[0] = OrtTelemetryFolder.around(OrtEnvironment::getEnvironment);
            } catch (Throwable t) {
                failure[0] = t;
            }
        }, "onnxruntime-init", INIT_STACK_BYTES);
        init.start();
        boolean interrupted = false;
        while (true) {
            try {
                init.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the native initialisation cannot be abandoned half-way
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure[0] != null) {
            throw failure[0];
        }
        return env[0];
    }

    private static Availability probe() {
        try {
            OrtNativeLibraries.useCache();
            OrtEnvironment env = environment();
            String device = "CPU: " + cpuModelName() + ", " + Runtime.getRuntime().availableProcessors() + " threads";
            // an OrtSession is documented safe for concurrent Run calls; the session's own state is under its lock
            return Availability.available(env.getVersion(), List.of(device),
                    EnumSet.of(Capability.DYNAMIC_SHAPES, Capability.LABELS_OUT, Capability.CONCURRENT_RUNS,
                            Capability.INTERMEDIATE_OUTPUTS));
        } catch (Throwable t) { // UnsatisfiedLinkError and friends: availability must never throw
            return Availability.unavailable("ONNX Runtime native library failed to load (" + t
                    + "); the onnxruntime jar ships it for linux-x64, osx-aarch64 and win-x64 only");
        }
    }

    /** The CPU's model name (/proc/cpuinfo), or the JVM's architecture name where there is none. */
    static String cpuModelName() {
        return CpuInfo.modelName();
    }

    @Override
    public Set<Precision> precisions() {
        return EnumSet.of(Precision.FP32, Precision.FP16, Precision.INT8);
    }

    /**
     * The int8 flavour this backend asks models for: uint8 activations with int32 biases, which ORT's x86 kernels
     * (u8 x s8) run as QLinearConv; measured against symmetric int8 activations in the int8 benchmark.
     */
    public static final Int8Activations INT8_ACTIVATIONS = Int8Activations.ASYMMETRIC_UINT8;

    @Override
    public List<String> propertyKeys() {
        return PROPERTIES;
    }

    @Override
    public InferenceSession open(ModelSource model, SessionOptions options) throws BackendException {
        availability.require();
        BackendProperties.read(options, "cpu.", PROPERTIES);
        boolean labelsOut = options.labelsOut();
        ModelArtifact artifact = artifact(model, options, labelsOut);
        int threads = options.threadsOrAllProcessors();
        SessionOptions.ShapeProfile profile = options.profile();
        long[] fixedShape = profile == null ? null
                : new long[] {profile.optBatch(), 3, profile.optHeight(), profile.optWidth()};
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtCpuSession.FixedShapeOpener opener = dims -> openSession(env, artifact, threads, dims);
        OrtCpuSession.GraphOpener captureOpener = onnx -> openSession(env, new ModelArtifact(artifact.modelId(),
                artifact.precision(), artifact.labelsOut(), onnx, artifact.onnxSha256(), artifact.weights()), threads, Map.of());
        OrtCpuSession.ProfilingOpener profilingOpener = (dims, prefix) -> openSession(env, artifact, threads, dims,
                prefix);
        try {
            OrtSession session = openSession(env, artifact, threads, Map.of());
            return OrtCpuSession.create(env, session, artifact, model.info(), fixedShape, opener, captureOpener,
                    profilingOpener);
        } catch (OrtException e) {
            throw OrtCpuSession.translate("opening " + artifact.modelId() + " (" + artifact.precision().id()
                    + (labelsOut ? ", labels-out" : "") + ")", e);
        }
    }

    /** The graph variant for the options: FP32/FP16 by precision, INT8 built from the options' calibration table. */
    private static ModelArtifact artifact(ModelSource model, SessionOptions options, boolean labelsOut)
            throws BackendException {
        try {
            if (options.precision() != Precision.INT8) {
                return model.artifact(options.precision(), labelsOut);
            }
            if (options.calibration() == null) {
                throw new IllegalArgumentException("an int8 session needs a calibration table in its options"
                        + " (SessionOptions.withCalibration); none was given for " + model.info().id());
            }
            ModelSource.Int8Graphs int8 = model.int8().orElseThrow(() -> new BackendException(
                    BackendException.Code.UNSUPPORTED_OP, "model " + model.info().id() + " has no int8 graph"));
            return int8.artifact(options.calibration(), INT8_ACTIVATIONS, labelsOut);
        } catch (ModelException e) {
            throw new BackendException(BackendException.Code.MODEL_INVALID, e.getMessage(), e);
        }
    }

    /**
     * One ORT session with this backend's options; {@code dims} fixes symbolic input dimensions (empty: none).
     * Options measured on a 2-core AVX2 machine (see the int8 benchmark): all graph optimisations (the NCHWc layout
     * pass and the QDQ fusions into QLinearConv/QLinearAdd need them), sequential execution, intra-op spinning on.
     */
    static OrtSession openSession(OrtEnvironment env, ModelArtifact artifact, int threads, Map<String, Long> dims)
            throws OrtException {
        return openSession(env, artifact, threads, dims, null);
    }

    /** As above, profiling every run into {@code profilePrefix}_*.json where it is not null. */
    static OrtSession openSession(OrtEnvironment env, ModelArtifact artifact, int threads, Map<String, Long> dims,
                                  String profilePrefix) throws OrtException {
        try (OrtSession.SessionOptions ortOptions = new OrtSession.SessionOptions()) {
            ortOptions.setIntraOpNumThreads(threads);
            ortOptions.setInterOpNumThreads(1);
            ortOptions.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            ortOptions.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            for (Map.Entry<String, Long> d : dims.entrySet()) {
                ortOptions.setSymbolicDimensionValue(d.getKey(), d.getValue());
            }
            // Failures reach the caller as BackendExceptions carrying ORT's message; ORT's own log line would
            // print the same text a second time on stderr.
            ortOptions.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL);
            if (profilePrefix != null) {
                ortOptions.enableProfiling(profilePrefix);
            }
            // The session keeps its own copy of the options, so closing ours here is safe.
            return env.createSession(artifact.onnx(), ortOptions);
        }
    }

}
