package dev.segbench.backend.cpu;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import dev.segbench.api.Availability;
import dev.segbench.api.Backend;
import dev.segbench.api.BackendException;
import dev.segbench.api.Capability;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelException;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.SessionOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The reference backend: ONNX Runtime's CPU execution provider. Runs FP32 graphs and FP16 graphs (ORT's CPU
 * provider inserts casts around operators it has no FP16 kernel for, so FP16 here means FP16 storage, not FP16
 * arithmetic). Properties: {@code labels-out} ("true" takes the graph with ArgMax inside).
 */
public final class OrtCpuBackend implements Backend {

    /** Session property choosing the labels-out graph variant ({@code "true"} / {@code "false"}). */
    public static final String LABELS_OUT_PROPERTY = "labels-out";

    private volatile Availability availability;

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
        Availability known = availability;
        if (known == null) {
            synchronized (this) {
                known = availability;
                if (known == null) {
                    known = probe();
                    availability = known;
                }
            }
        }
        return known;
    }

    private static Availability probe() {
        try {
            OrtNativeLibraries.useCache();
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            String device = "CPU: " + cpuModelName() + ", " + Runtime.getRuntime().availableProcessors() + " threads";
            return Availability.available(env.getVersion(), List.of(device),
                    EnumSet.of(Capability.DYNAMIC_SHAPES, Capability.LABELS_OUT));
        } catch (Throwable t) { // UnsatisfiedLinkError and friends: availability must never throw
            return Availability.unavailable("ONNX Runtime native library failed to load (" + t
                    + "); the onnxruntime jar ships it for linux-x64, osx-aarch64 and win-x64 only");
        }
    }

    /** The first "model name" line of /proc/cpuinfo, or the JVM's architecture name where there is none. */
    static String cpuModelName() {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (Files.isReadable(cpuinfo)) {
            try (Stream<String> lines = Files.lines(cpuinfo)) {
                var model = lines.filter(l -> l.toLowerCase(Locale.ROOT).startsWith("model name"))
                        .map(l -> l.substring(l.indexOf(':') + 1).trim())
                        .filter(s -> !s.isEmpty())
                        .findFirst();
                if (model.isPresent()) {
                    return model.get();
                }
            } catch (IOException | RuntimeException e) {
                // fall through to the architecture name: the device line is informational only
            }
        }
        return System.getProperty("os.arch");
    }

    @Override
    public Set<Precision> precisions() {
        return EnumSet.of(Precision.FP32, Precision.FP16);
    }

    @Override
    public InferenceSession open(ModelSource model, SessionOptions options) throws BackendException {
        Availability here = availability();
        if (!here.available()) {
            throw new BackendException(BackendException.Code.UNAVAILABLE, here.reason());
        }
        if (options.threads() < 0) {
            throw new IllegalArgumentException("threads must be >= 0 (0 = all available processors), got "
                    + options.threads());
        }
        boolean labelsOut = parseBoolean(LABELS_OUT_PROPERTY, options.property(LABELS_OUT_PROPERTY, "false"));
        ModelArtifact artifact;
        try {
            artifact = model.artifact(options.precision(), labelsOut);
        } catch (ModelException e) {
            throw new BackendException(BackendException.Code.MODEL_INVALID, e.getMessage(), e);
        }
        int threads = options.threads() == 0 ? Runtime.getRuntime().availableProcessors() : options.threads();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions ortOptions = new OrtSession.SessionOptions()) {
            ortOptions.setIntraOpNumThreads(threads);
            ortOptions.setInterOpNumThreads(1);
            ortOptions.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            ortOptions.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            // Failures reach the caller as BackendExceptions carrying ORT's message; ORT's own log line would
            // print the same text a second time on stderr.
            ortOptions.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL);
            // The session keeps its own copy of the options, so closing ours here is safe.
            OrtSession session = env.createSession(artifact.onnx(), ortOptions);
            return OrtCpuSession.create(env, session, artifact, model.info());
        } catch (OrtException e) {
            throw OrtCpuSession.translate("opening " + artifact.modelId() + " (" + artifact.precision().id()
                    + (labelsOut ? ", labels-out" : "") + ")", e);
        }
    }

    private static boolean parseBoolean(String key, String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("session property " + key + " must be true or false, got '"
                    + value + "'");
        };
    }
}
