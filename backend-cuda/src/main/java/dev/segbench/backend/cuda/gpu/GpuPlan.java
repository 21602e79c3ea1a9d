package dev.segbench.backend.cuda.gpu;

import dev.segbench.api.BackendException;
import dev.segbench.api.BackendException.Code;
import dev.segbench.onnx.graph.ElemType;
import dev.segbench.backend.cuda.plan.ExecutionPlan;
import dev.segbench.backend.cuda.plan.Step;
import dev.segbench.cuda.CudaException;
import dev.segbench.cuda.CudaGraph;
import dev.segbench.cuda.CudaRuntime;
import dev.segbench.cuda.CudaStream;
import dev.segbench.cuda.DeviceBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.bytedeco.cuda.global.cudart.cudaMemcpyAsync;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToDevice;

/**
 * One {@link ExecutionPlan} bound to the device: the activation arena, a {@link ConvCall} per convolution (its cuDNN
 * descriptors and the algorithm and mode chosen for it), the workspace, and (when enabled) the CUDA graph that replays
 * the whole inference. Compiled here; only runs on a machine with a GPU.
 *
 * <p>Layout choice: every tensor is NCHW, as in the ONNX graph. FP32 convolutions use FMA math (no TF32 unless
 * {@code cuda.tf32}); FP16 convolutions use CUDNN_TENSOR_OP_MATH with FP32 accumulation, so cuDNN may pick
 * tensor-core kernels that transpose to NHWC internally. Keeping the whole graph NHWC would save those transposes
 * but needs NHWC variants of every NVRTC kernel and of the graph boundary; that is left until GPU timings show the
 * transposes matter.
 */
final class GpuPlan implements AutoCloseable {

    final ExecutionPlan plan;
    private final GpuModel model;
    private final DeviceBuffer arena;
    private final Map<Integer, ConvCall> convs = new HashMap<>();
    private List<Lowering.Launch> launches = List.of();
    private DeviceBuffer workspace;
    private CudaGraph graph;
    private String graphNote = "disabled";
    private boolean closed;

    private GpuPlan(GpuModel model, ExecutionPlan plan, DeviceBuffer arena) {
        this.model = model;
        this.plan = plan;
        this.arena = arena;
    }

    static GpuPlan create(GpuModel model, ExecutionPlan plan) throws BackendException {
        GpuPlan p = new GpuPlan(model, plan, DeviceBuffer.allocate(plan.arenaBytes()));
        try {
            p.prepare();
            return p;
        } catch (CudaException e) {
            p.close();
            throw e.toBackendException();
        } catch (CudnnException e) {
            p.close();
            throw e.toBackendException();
        } catch (BackendException | RuntimeException e) {
            p.close();
            throw e;
        }
    }

    private void prepare() throws BackendException {
        for (Step s : plan.steps()) {
            checkSupported(s);
        }
        // Resolving addresses uploads the constants now, outside any capture.
        launches = Lowering.lower(plan, this::address, model.settings.clippedRelu());
        reserveWorkspace(256);
        // Choosing how each convolution runs tries candidates on the device: here, before any capture. Each ConvCall is
        // registered as soon as it exists, so close() frees its descriptors if a later one fails.
        for (int i = 0; i < launches.size(); i++) {
            if (launches.get(i) instanceof Lowering.Conv c) {
                convs.put(i, ConvCall.prepare(model.cudnn, c, model.convOptions, model.choices, this::reserveWorkspace,
                        bytes -> model.zeroBias(bytes).address()));
            }
        }
        // Eager run first: it validates every call outside capture, where errors are easier to attribute.
        enqueue();
        model.stream.synchronize();
        if (model.settings.graphs()) {
            try {
                graph = model.stream.capture(this::enqueue);
                graphNote = "captured";
            } catch (CudaException | CudnnException e) {
                graph = null;
                graphNote = "capture failed, running eagerly: " + e.getMessage();
            }
        }
    }

    /** Grows the shared workspace to at least {@code bytes}; work already queued may still use the old one, so wait first. */
    private long reserveWorkspace(long bytes) {
        if (workspace == null || workspace.byteSize() < bytes) {
            if (workspace != null) {
                model.stream.synchronize();
                workspace.close();
            }
            workspace = DeviceBuffer.allocate(Math.max(bytes, 256));
        }
        return workspace.address();
    }

    /** Rejects what the GPU lowering does not implement, naming the node (the CPU reference is more general). */
    private void checkSupported(Step s) throws BackendException {
        String where = "step " + s.nodes() + ": ";
        switch (s) {
            case Step.Add a -> {
                if (rank(a.output()) > 4) {
                    throw new BackendException(Code.UNSUPPORTED_OP, where + "Add of rank > 4 is not supported on the GPU");
                }
                floatType(s, a.output());
            }
            case Step.Mul m -> {
                if (rank(m.output()) > 4) {
                    throw new BackendException(Code.UNSUPPORTED_OP, where + "Mul of rank > 4 is not supported on the GPU");
                }
                floatType(s, m.output());
            }
            case Step.HardSigmoid h -> floatType(s, h.output());
            case Step.Sigmoid g -> floatType(s, g.output());
            case Step.MaxPool m -> floatType(s, m.output());
            case Step.Expand e -> {
                if (rank(e.output()) > 4) {
                    throw new BackendException(Code.UNSUPPORTED_OP, where + "Expand of rank > 4 is not supported on the GPU");
                }
                floatType(s, e.output());
            }
            case Step.Concat c -> floatType(s, c.output());
            case Step.Act a -> floatType(s, a.output());
            case Step.Cast c -> {
                if (Lowering.castKernel(type(c.input()), c.to()) == null) {
                    throw new BackendException(Code.UNSUPPORTED_OP, where + "Cast " + type(c.input()) + " -> " + c.to()
                            + " has no GPU kernel");
                }
            }
            default -> {
            }
        }
    }

    private void floatType(Step s, String tensor) throws BackendException {
        ElemType t = type(tensor);
        if (t != ElemType.FLOAT32 && t != ElemType.FLOAT16) {
            throw new BackendException(Code.UNSUPPORTED_OP, "step " + s.nodes() + ": " + t + " tensors are not supported on the GPU");
        }
    }

    private ElemType type(String name) {
        return plan.isConstant(name) ? plan.constant(name).type() : plan.slot(name).type();
    }

    private int rank(String name) {
        return (plan.isConstant(name) ? plan.constant(name).shape() : plan.slot(name).shape()).length;
    }

    long address(String name) {
        if (plan.isConstant(name)) {
            return model.constant(plan.constant(name)).address();
        }
        return arena.address() + plan.slot(name).offset();
    }

    private DevicePointer pointer(String name) {
        long bytes = plan.isConstant(name) ? plan.constant(name).elementCount() * plan.constant(name).type().byteSize()
                : plan.slot(name).bytes();
        return new DevicePointer(address(name), bytes);
    }

    /** Enqueues the lowered calls of one inference on the session stream (eagerly or under capture). */
    private void enqueue() {
        CudaStream stream = model.stream;
        for (int i = 0; i < launches.size(); i++) {
            switch (launches.get(i)) {
                case Lowering.Kernel k -> model.kernels.launch(k.name(), k.grid(), k.block(), stream, k.args().toArray());
                case Lowering.Conv c -> convs.get(i).enqueue(model.cudnn, workspace.address(), workspace.byteSize());
                case Lowering.Copy c -> CudaRuntime.check(cudaMemcpyAsync(new DevicePointer(c.dst(), c.bytes()),
                        new DevicePointer(c.src(), c.bytes()), c.bytes(), cudaMemcpyDeviceToDevice, stream.handle()),
                        "cudaMemcpyAsync(device to device, " + c.bytes() + " bytes)");
            }
        }
    }

    /** Runs the compute part of one inference on the stream: the CUDA graph, or the calls eagerly. */
    void compute() {
        if (graph != null) {
            graph.launch(model.stream);
        } else {
            enqueue();
        }
    }

    DevicePointer tensorPointer(String name) {
        return pointer(name);
    }

    /** Device calls per inference: NVRTC kernels, cuDNN calls (more than one for an unfused convolution), device copies. */
    long launchesPerRun() {
        long n = 0;
        for (int i = 0; i < launches.size(); i++) {
            n += launches.get(i) instanceof Lowering.Conv ? convs.get(i).launches() : 1;
        }
        return n;
    }

    /** Convolutions whose cuDNN choice came from the cache (an earlier plan or session) rather than a search. */
    int convolutionsFromCache() {
        return (int) convs.values().stream().filter(ConvCall::fromCache).count();
    }

    int convolutions() {
        return convs.size();
    }

    boolean replaysGraph() {
        return graph != null;
    }

    /** The arena and the workspace. */
    long deviceBytes() {
        return arena.byteSize() + (workspace == null ? 0 : workspace.byteSize());
    }

    String describe() {
        List<String> notes = new ArrayList<>();
        convs.keySet().stream().sorted().forEach(i -> notes.add(convs.get(i).describe()));
        return plan.summary() + "; enqueued " + launchesPerRun() + " launches (kernels + cuDNN/copy calls); CUDA graph "
                + graphNote + "; cuDNN " + String.join("; ", notes);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (graph != null) {
            graph.close();
        }
        convs.values().forEach(ConvCall::close);
        if (workspace != null) {
            workspace.close();
        }
        arena.close();
    }
}
