package dev.segbench.backend.opencv;

import dev.segbench.api.Availability;
import dev.segbench.api.Backend;
import dev.segbench.api.BackendException;
import dev.segbench.api.BackendProperties;
import dev.segbench.api.Capability;
import dev.segbench.api.CpuInfo;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.LazyAvailability;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelException;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.SessionOptions;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * OpenCV's DNN module on the CPU ({@code DNN_BACKEND_OPENCV} + {@code DNN_TARGET_CPU}, the only pair an x86 build
 * offers), reading our ONNX graphs with {@code readNetFromONNX}. FP32 only: OpenCV's FP16 target runs on ARM only,
 * and a QDQ int8 graph runs in FP32 inside OpenCV (it folds the Q/DQ pairs away), so offering either would measure
 * FP32 under another name. No {@code opencv.*} properties yet, so any is rejected as a typo.
 */
public final class OpenCvBackend implements Backend {

    /** The opencv backend's own properties (none yet); other {@code opencv.*} keys are rejected. */
    static final List<String> PROPERTIES = List.of();

    /** Why each precision but FP32 is not offered, as users see it when the harness skips one. */
    static final Map<Precision, String> NOT_OFFERED = Map.of(
            Precision.FP16, "OpenCV's FP16 target (DNN_TARGET_CPU_FP16) exists on ARM only; on x86 it would run FP32",
            Precision.INT8, "OpenCV runs a QDQ int8 graph in FP32 inside (it folds the Q/DQ pairs), so it would measure FP32");

    private final LazyAvailability availability = new LazyAvailability(OpenCvBackend::probe);

    /** Trivial on purpose: ServiceLoader instantiates every backend, and OpenCV's native libraries load lazily. */
    public OpenCvBackend() {
    }

    @Override
    public String id() {
        return "opencv";
    }

    @Override
    public String description() {
        return "OpenCV DNN module, its own CPU engine (fp32)";
    }

    @Override
    public int rank() {
        return 30;
    }

    @Override
    public Availability availability() {
        return availability.get();
    }

    private static Availability probe() {
        try {
            OpenCvNative.load();
            if (!OpenCvNative.hasOpenCvOnCpu()) {
                return Availability.unavailable("this OpenCV build offers no DNN_BACKEND_OPENCV on DNN_TARGET_CPU (it has "
                        + OpenCvNative.backendsAndTargets() + ")");
            }
            Map<String, String> facts = new LinkedHashMap<>();
            facts.put("opencv", OpenCvNative.version());
            facts.put("opencv.dnn.backends", String.join(", ", OpenCvNative.backendsAndTargets()));
            facts.put("opencv.threads", Integer.toString(OpenCvNative.threads()));
            String device = "CPU: " + CpuInfo.modelName() + ", " + Runtime.getRuntime().availableProcessors() + " threads";
            return Availability.available(OpenCvNative.version(), List.of(device),
                    EnumSet.of(Capability.DYNAMIC_SHAPES, Capability.INTERMEDIATE_OUTPUTS)).withFacts(facts);
        } catch (Throwable t) { // UnsatisfiedLinkError and friends: availability must never throw
            return Availability.unavailable("OpenCV native libraries failed to load (" + t
                    + "); the org.bytedeco:opencv jar for this platform (linux-x86_64 here) must be on the class path");
        }
    }

    @Override
    public Set<Precision> precisions() {
        return EnumSet.of(Precision.FP32);
    }

    @Override
    public Optional<String> unsupportedReason(Precision precision) {
        return Optional.ofNullable(NOT_OFFERED.get(precision));
    }

    @Override
    public List<String> propertyKeys() {
        return PROPERTIES;
    }

    @Override
    public InferenceSession open(ModelSource model, SessionOptions options) throws BackendException {
        availability.require();
        BackendProperties.read(options, "opencv.", PROPERTIES);
        if (options.precision() != Precision.FP32) {
            throw new BackendException(BackendException.Code.UNSUPPORTED_OP, "opencv runs fp32 only, not "
                    + options.precision().id() + ": " + NOT_OFFERED.getOrDefault(options.precision(), "not offered"));
        }
        if (options.labelsOut()) {
            throw new BackendException(BackendException.Code.UNSUPPORTED_OP,
                    "opencv runs the logits graph only (it does not declare labels-out)");
        }
        ModelArtifact artifact;
        try {
            artifact = model.artifact(Precision.FP32, false);
        } catch (ModelException e) {
            throw new BackendException(BackendException.Code.MODEL_INVALID, "cannot build the fp32 graph of "
                    + model.info().id() + ": " + e.getMessage(), e);
        }
        int threads = options.threadsOrAllProcessors();
        SessionOptions.ShapeProfile profile = options.profile() == null ? SessionOptions.ShapeProfile.DEFAULT
                : options.profile();
        return OpenCvSession.open(artifact, model.info(), threads,
                new OpenCvSession.Shape(profile.optBatch(), profile.optHeight(), profile.optWidth()));
    }
}
