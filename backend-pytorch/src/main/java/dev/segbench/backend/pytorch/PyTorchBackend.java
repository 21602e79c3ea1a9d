package dev.segbench.backend.pytorch;

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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * PyTorch (libtorch 2.10, CPU build, through JavaCPP). libtorch reads no ONNX, so the session parses the model's
 * ONNX graph with onnx-graph and executes it node by node with libtorch's functions ({@code conv2d},
 * {@code clamp}, {@code upsample_bilinear2d}, ...): what PyTorch eager does with the original model.
 * The bundled libtorch is loaded by the rule in {@link TorchRuntime}, whatever other libtorch the machine has.
 */
public final class PyTorchBackend implements Backend {

    /** The pytorch backend's own properties (none yet); other {@code pytorch.*} keys are rejected. */
    static final List<String> PROPERTIES = List.of();

    private final LazyAvailability availability = new LazyAvailability(PyTorchBackend::probe);

    /** Trivial on purpose: ServiceLoader instantiates every backend, and libtorch loads on the first probe. */
    public PyTorchBackend() {
    }

    @Override
    public String id() {
        return "pytorch";
    }

    @Override
    public String description() {
        return "PyTorch (libtorch CPU) running the ONNX graph node by node, as PyTorch eager runs the model";
    }

    @Override
    public Availability availability() {
        return availability.get();
    }

    private static Availability probe() {
        try {
            TorchRuntime.load();
        } catch (Throwable t) { // UnsatisfiedLinkError and friends: availability must never throw
            String why = t.getMessage() == null ? t.toString() : t.getMessage().lines().findFirst().orElse(t.toString());
            return Availability.unavailable("libtorch failed to load (" + why + "); the pytorch jar ships it for"
                    + " linux-x86_64 in this build");
        }
        Map<String, String> facts = TorchRuntime.facts();
        String device = "CPU: " + CpuInfo.modelName() + ", " + Runtime.getRuntime().availableProcessors()
                + " threads, " + facts.getOrDefault("torch.parallel-backend", "unknown parallel backend")
                + ", " + facts.get("torch.cpu-capability");
        return Availability.available(facts.get("torch"), List.of(device),
                EnumSet.of(Capability.DYNAMIC_SHAPES, Capability.LABELS_OUT, Capability.CONCURRENT_RUNS,
                        Capability.INTERMEDIATE_OUTPUTS))
                .withFacts(facts);
    }

    /**
     * FP32 only. On a CPU without native fp16 arithmetic (AVX2, or AVX-512 without AVX512-FP16) libtorch's half
     * convolutions convert to fp32 inside: the fp16 graph of arch0 took 15x the fp32 time here (AMD EPYC, AVX-512,
     * 1 thread, interleaved), with logits within 1.7e-3 of max|logit|; bf16/fp16 measured 4-5x slower on an AVX2
     * machine. So FP16 is not offered (the runner skips it with that reason). INT8 would need a quantized graph that
     * this interpreter does not execute.
     */
    @Override
    public Set<Precision> precisions() {
        return EnumSet.of(Precision.FP32);
    }

    @Override
    public Optional<String> unsupportedReason(Precision precision) {
        return switch (precision) {
            case FP16 -> Optional.of("libtorch's CPU half convolutions convert to fp32 inside on a CPU without"
                    + " AVX512-FP16 (arch0's fp16 graph took 15x the fp32 time)");
            case INT8 -> Optional.of("the interpreter does not execute quantized (QDQ) graphs");
            default -> Optional.empty();
        };
    }

    /**
     * One glibc malloc arena for the run's process. Each JVM thread has its own arena, whose heaps are 64 MB at most,
     * so a batch-8 activation above that ([8,96,192,192] is 113 MB) is a fresh mmap on every run, unmapped on free and
     * page-faulted in again (the main arena's heap, which grows with brk, keeps it instead). glibc reads this only at
     * process start; mallopt(M_ARENA_MAX, 1) at load changed nothing (measured: faults and img/s as without, since the
     * JVM's threads already have their arenas). arch2 at 384x384, batch 8, 1 thread, interleaved: 1.4-5.6 img/s
     * without, 5.5-13.9 with (faster in each of 5 interleaved pairs), the run's page faults 377-517k against 187-224k;
     * batch 1 unchanged (loaded 2-core machine; README).
     */
    @Override
    public Map<String, String> childEnvironment() {
        return Map.of("MALLOC_ARENA_MAX", "1");
    }

    @Override
    public List<String> propertyKeys() {
        return PROPERTIES;
    }

    @Override
    public InferenceSession open(ModelSource model, SessionOptions options) throws BackendException {
        availability.require();
        BackendProperties.read(options, "pytorch.", PROPERTIES);
        if (!precisions().contains(options.precision())) {
            throw new BackendException(BackendException.Code.UNSUPPORTED_OP, "the pytorch backend runs "
                    + precisions().stream().map(Precision::id).toList() + ", not " + options.precision().id());
        }
        ModelArtifact artifact;
        try {
            artifact = model.artifact(options.precision(), options.labelsOut());
        } catch (ModelException e) {
            throw new BackendException(BackendException.Code.MODEL_INVALID, e.getMessage(), e);
        }
        int threads = options.threadsOrAllProcessors();
        TorchRuntime.interOpThreads(threads);
        SessionOptions.ShapeProfile p = options.profile();
        long[] expected = p == null ? null : new long[] {p.optBatch(), 3, p.optHeight(), p.optWidth()};
        return TorchSession.open(artifact, threads, expected);
    }
}
