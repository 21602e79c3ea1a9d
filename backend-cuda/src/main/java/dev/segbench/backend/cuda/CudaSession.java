package dev.segbench.backend.cuda;

import dev.segbench.api.BackendException;
import dev.segbench.api.DType;
import dev.segbench.api.HostTensor;
import dev.segbench.api.InferenceResult;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.ModelArtifact;
import dev.segbench.onnx.graph.Graph;
import dev.segbench.onnx.graph.OnnxImporter;
import dev.segbench.onnx.graph.ShapeInference;
import dev.segbench.backend.cuda.plan.ExecutionPlanner;
import dev.segbench.backend.cuda.gpu.CudnnException;
import dev.segbench.backend.cuda.gpu.GpuModel;
import dev.segbench.backend.cuda.gpu.GpuRunner;
import dev.segbench.backend.cuda.gpu.GpuSettings;
import dev.segbench.cuda.CudaException;
import dev.segbench.cuda.CudaRuntime;
import dev.segbench.cuda.PinnedBuffer;
import java.lang.foreign.Arena;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * One model on one GPU. Each new input shape is planned once (and captured into a CUDA graph); later runs of that
 * shape replay it. Not thread-safe.
 */
public final class CudaSession implements InferenceSession {

    private final ModelArtifact artifact;
    private final GpuModel model;
    private final GpuRunner runner;
    private final int ordinal;
    private final Graph graph;
    /** The runner of the graph that keeps the last capture set's tensors (at the last input shape), and its key. */
    private GpuRunner captureRunner;
    private java.util.List<Object> captureKey;
    private java.util.List<String> captureNames;
    private boolean closed;

    private CudaSession(ModelArtifact artifact, GpuModel model, GpuRunner runner, int ordinal, Graph graph) {
        this.graph = graph;
        this.artifact = artifact;
        this.model = model;
        this.runner = runner;
        this.ordinal = ordinal;
    }

    static CudaSession open(ModelArtifact artifact, GpuSettings settings) throws BackendException {
        Graph graph = OnnxImporter.parse(artifact.onnx());
        // before any device work: a graph with an op this backend lacks is refused in one line naming it (a skipped run)
        ShapeInference.requireKnownOps(graph, ExecutionPlanner.OPS, "cuda");
        int ordinal = CudaRuntime.selectDevice(settings.device(), CudaRuntime.require());
        GpuModel model = null;
        try {
            model = GpuModel.open(ordinal, settings);
            return new CudaSession(artifact, model, new GpuRunner(graph, artifact.outputName(), model), ordinal,
                    graph);
        } catch (CudaException e) {
            closeQuietly(model);
            throw e.toBackendException();
        } catch (CudnnException e) {
            closeQuietly(model);
            throw e.toBackendException();
        } catch (RuntimeException | BackendException e) {
            closeQuietly(model);
            throw e;
        }
    }

    private static void closeQuietly(GpuModel model) {
        if (model != null) {
            model.close();
        }
    }

    @Override
    public ModelArtifact artifact() {
        return artifact;
    }

    /** Pinned (page-locked) input memory owned by {@code arena}, so the H2D copy is a true async DMA. */
    @Override
    public HostTensor newInput(Arena arena, int batch, int height, int width) {
        ensureOpen();
        CudaRuntime.useDevice(ordinal);
        long bytes = (long) batch * 3 * height * width * DType.FLOAT32.byteSize();
        return new HostTensor(DType.FLOAT32, new long[] {batch, 3, height, width}, PinnedBuffer.allocateIn(arena, bytes));
    }

    @Override
    public InferenceResult run(HostTensor input) throws BackendException {
        ensureOpen();
        if (input.rank() != 4 || input.dim(1) != 3) {
            throw new IllegalArgumentException("input must be FLOAT32 [N, 3, H, W], got " + input);
        }
        return runner.run(input);
    }

    /**
     * Runs a second plan of the graph in which every observable captured tensor is a graph output (unfused, its buffer
     * never reused; see CapturePlan), then copies those buffers back. Built for the last capture set and input shape
     * only; never timed. Written for diagnose and compiled here; not yet run on a GPU (see the README).
     */
    @Override
    public InferenceResult run(HostTensor input, java.util.Set<String> capture) throws BackendException {
        ensureOpen();
        if (input.rank() != 4 || input.dim(1) != 3) {
            throw new IllegalArgumentException("input must be FLOAT32 [N, 3, H, W], got " + input);
        }
        java.util.List<Object> key = java.util.List.of(java.util.Set.copyOf(capture), java.util.Arrays.toString(input.shape()));
        if (!key.equals(captureKey)) {
            if (captureRunner != null) {
                captureRunner.close();
                captureRunner = null;
            }
            dev.segbench.onnx.graph.ShapedGraph shaped = dev.segbench.onnx.graph.ShapeInference.infer(graph, input.shape());
            captureNames = dev.segbench.backend.cuda.plan.CapturePlan.observable(shaped, capture);
            captureRunner = new GpuRunner(dev.segbench.backend.cuda.plan.CapturePlan.withOutputs(graph, shaped, captureNames),
                    artifact.outputName(), model);
            captureKey = key;
        }
        InferenceResult result = captureRunner.run(input);
        java.util.Map<String, HostTensor> extras;
        try {
            extras = java.util.Collections.unmodifiableMap(captureRunner.copyBack(captureNames));
        } catch (BackendException | RuntimeException e) {
            result.close();
            throw e;
        }
        return new InferenceResult() {
            @Override
            public HostTensor output() {
                return result.output();
            }

            @Override
            public java.util.Map<String, HostTensor> extraOutputs() {
                return extras;
            }

            @Override
            public java.util.Optional<dev.segbench.api.DeviceTimings> deviceTimings() {
                return result.deviceTimings();
            }

            @Override
            public void close() {
                result.close();
            }
        };
    }

    /** NVRTC's compile time for this session's kernels; empty when an earlier session in this process compiled them. */
    @Override
    public OptionalDouble buildSeconds() {
        return model.kernelCompileSeconds();
    }

    /**
     * Weights, zero biases, and each cached shape's activation arena and cuDNN workspace. Not counted: what cuDNN,
     * NVRTC and the CUDA context hold for themselves (not readable per session).
     */
    @Override
    public OptionalLong deviceMemoryBytes() {
        ensureOpen();
        return OptionalLong.of(runner.deviceBytes());
    }

    /** The device's free memory now (cudaMemGetInfo): what the harness's batch-size memory check is judged by. */
    @Override
    public OptionalLong freeDeviceMemoryBytes() {
        ensureOpen();
        CudaRuntime.useDevice(ordinal);
        return OptionalLong.of(CudaRuntime.memoryInfo().freeBytes());
    }

    /**
     * What the process-wide caches gave this session: the NVRTC kernels (compiled by an earlier session) and the cuDNN
     * choices of the last-used plan's convolutions (searched by an earlier plan or session).
     */
    public record CacheStats(boolean kernelsFromCache, int convolutions, int convolutionsFromCache) {
    }

    public CacheStats cacheStats() {
        int[] convs = runner.lastPlanConvolutions();
        return new CacheStats(model.kernelCompileSeconds().isEmpty(), convs[0], convs[1]);
    }

    /** Whether the last-used shape replays a captured CUDA graph (false when graphs are off or the capture failed). */
    public boolean replaysGraph() {
        return runner.lastPlanReplaysGraph();
    }

    /** Kernel launches (NVRTC kernels plus cuDNN and copy calls) per inference of the last-used shape; -1 before any. */
    public long launchesPerInference() {
        return runner.launchesPerInference();
    }

    /** Plan, fusion, memory, launch count, CUDA graph state and cuDNN algorithms of the last-used shape. */
    public String describeLastPlan() {
        return runner.describeLastPlan();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            runner.close();
            if (captureRunner != null) {
                captureRunner.close();
            }
            model.close();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("cuda session closed");
        }
    }

    @Override
    public String toString() {
        return "CudaSession[" + artifact.modelId() + " " + artifact.precision().id() + (artifact.labelsOut() ? " labels-out" : "")
                + ", plans built " + runner.plansBuilt() + ", launches/inference " + launchesPerInference() + "]";
    }

}
