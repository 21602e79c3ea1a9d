package dev.segbench.backend.cuda.gpu;

import dev.segbench.api.DeviceTimings;
import dev.segbench.api.BackendException;
import dev.segbench.api.DType;
import dev.segbench.api.HostTensor;
import dev.segbench.api.InferenceResult;
import dev.segbench.onnx.graph.ElemType;
import dev.segbench.onnx.graph.Graph;
import dev.segbench.backend.cuda.plan.ExecutionPlan;
import dev.segbench.backend.cuda.plan.PlanCache;
import dev.segbench.cuda.PhaseTimer;
import dev.segbench.cuda.CudaException;
import dev.segbench.cuda.CudaRuntime;
import dev.segbench.cuda.PinnedBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

import static org.bytedeco.cuda.global.cudart.cudaMemcpyAsync;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;

/**
 * Runs one graph on the GPU: plans per input shape (with their device resources) from a {@link PlanCache}, the
 * input copied H2D into the arena, the compute replayed from a CUDA graph, the output copied D2H into pinned
 * memory borrowed from a pool, each phase timed with CUDA events.
 */
public final class GpuRunner implements AutoCloseable {

    /**
     * Free pinned output buffers kept for reuse. Bounded, and reused by size rather than kept per exact size:
     * VOC images come in hundreds of sizes, and one page-locked logits buffer (~16 MB) per size would pile up.
     */
    static final int MAX_FREE_OUTPUTS = 4;

    private final GpuModel model;
    private final PlanCache<GpuPlan> plans;
    private final String outputName;
    private final PhaseTimer timer;
    private final List<PinnedBuffer> freeOutputs = new ArrayList<>();
    private GpuPlan last;
    private boolean closed;

    public GpuRunner(Graph graph, String outputName, GpuModel model) {
        this.model = model;
        this.outputName = outputName;
        this.plans = new PlanCache<>(graph, model.settings.fuse(), model.settings.planCache(),
                plan -> GpuPlan.create(model, plan), GpuPlan::close);
        this.timer = PhaseTimer.create();
    }

    public InferenceResult run(HostTensor input) throws BackendException {
        if (closed) {
            throw new IllegalStateException("session closed");
        }
        if (input.dtype() != DType.FLOAT32) {
            throw new IllegalArgumentException("input must be FLOAT32, got " + input.dtype());
        }
        if (!input.data().isNative()) {
            throw new IllegalArgumentException("input must be in native memory (use InferenceSession.newInput)");
        }
        try {
            CudaRuntime.useDevice(model.ordinal);
            GpuPlan gp = plans.get(input.shape()).attachment();
            last = gp;
            ExecutionPlan plan = gp.plan;
            ExecutionPlan.TensorSlot in = plan.slot(plan.inputName());
            if (in.type() != ElemType.FLOAT32) {
                throw new BackendException(BackendException.Code.MODEL_INVALID, "graph input '" + in.name() + "' is "
                        + in.type() + "; the cuda backend feeds FP32 inputs");
            }
            ExecutionPlan.TensorSlot out = plan.slot(outputName);
            PinnedBuffer host = borrow(out.bytes());
            boolean handedOut = false;
            try {
                var stream = model.stream;
                timer.start(stream);
                CudaRuntime.check(cudaMemcpyAsync(gp.tensorPointer(in.name()), new DevicePointer(input.data().address(), in.bytes()),
                        in.bytes(), cudaMemcpyHostToDevice, stream.handle()), "cudaMemcpyAsync(input, " + in.bytes() + " bytes)");
                timer.afterCopyIn(stream);
                gp.compute();
                timer.afterCompute(stream);
                CudaRuntime.check(cudaMemcpyAsync(host.pointer(), gp.tensorPointer(out.name()), out.bytes(), cudaMemcpyDeviceToHost,
                        stream.handle()), "cudaMemcpyAsync(output, " + out.bytes() + " bytes)");
                timer.end(stream);
                DeviceTimings timings = timer.waitAndRead();
                HostTensor output = new HostTensor(dtype(out.type()), out.shape(), host.segment().asSlice(0, out.bytes()));
                handedOut = true;
                return new Result(output, timings, host);
            } finally {
                if (!handedOut) {
                    giveBack(host);
                }
            }
        } catch (CudaException e) {
            throw e.toBackendException();
        } catch (CudnnException e) {
            throw e.toBackendException();
        }
    }

    /**
     * The named tensors of the last run, copied from their device buffers to the heap as FP32 (FP16 widened), for
     * intermediate outputs: call right after {@link #run} on a graph that keeps them as outputs (so no later step
     * reused their buffers; see CapturePlan).
     */
    public java.util.Map<String, HostTensor> copyBack(List<String> names) throws BackendException {
        GpuPlan gp = last;
        if (gp == null) {
            throw new IllegalStateException("copyBack before any run");
        }
        java.util.Map<String, HostTensor> out = new java.util.LinkedHashMap<>();
        try (java.lang.foreign.Arena staging = java.lang.foreign.Arena.ofConfined()) {
            java.util.Map<String, java.lang.foreign.MemorySegment> hosts = new java.util.LinkedHashMap<>();
            for (String name : names) {
                ExecutionPlan.TensorSlot slot = gp.plan.slot(name);
                java.lang.foreign.MemorySegment host = staging.allocate(Math.max(slot.bytes(), 1), 64);
                CudaRuntime.check(cudaMemcpyAsync(new DevicePointer(host.address(), slot.bytes()), gp.tensorPointer(name),
                        slot.bytes(), cudaMemcpyDeviceToHost, model.stream.handle()), "cudaMemcpyAsync(" + name + ")");
                hosts.put(name, host);
            }
            model.stream.synchronize();
            for (String name : names) {
                ExecutionPlan.TensorSlot slot = gp.plan.slot(name);
                out.put(name, new HostTensor(DType.FLOAT32, slot.shape(), java.lang.foreign.MemorySegment.ofArray(
                        widen(hosts.get(name), slot.type(), (int) slot.elementCount()))));
            }
        } catch (CudaException e) {
            throw e.toBackendException();
        }
        return out;
    }

    /** FP32 values of a host copy of an FP32 or FP16 tensor. */
    static float[] widen(java.lang.foreign.MemorySegment host, ElemType type, int count) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = type == ElemType.FLOAT16
                    ? Float.float16ToFloat(host.getAtIndex(java.lang.foreign.ValueLayout.JAVA_SHORT, i))
                    : host.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i);
        }
        return values;
    }

    private static DType dtype(ElemType t) {
        return switch (t) {
            case FLOAT32 -> DType.FLOAT32;
            case FLOAT16 -> DType.FLOAT16;
            case UINT8 -> DType.UINT8;
            case INT64 -> DType.INT64;
            default -> throw new IllegalStateException("output type " + t + " cannot cross the backend SPI");
        };
    }

    private PinnedBuffer borrow(long bytes) {
        for (Iterator<PinnedBuffer> it = freeOutputs.iterator(); it.hasNext(); ) {
            PinnedBuffer b = it.next();
            if (b.byteSize() >= bytes) {
                it.remove();
                return b;
            }
        }
        return PinnedBuffer.allocate(bytes);
    }

    private void giveBack(PinnedBuffer b) {
        if (closed) {
            b.close();
            return;
        }
        freeOutputs.add(b);
        if (freeOutputs.size() > MAX_FREE_OUTPUTS) {
            PinnedBuffer smallest = freeOutputs.stream().min(Comparator.comparingLong(PinnedBuffer::byteSize)).orElseThrow();
            freeOutputs.remove(smallest);
            smallest.close();
        }
    }

    /** The output stays valid until close; closing returns its pinned buffer to the pool. */
    private final class Result implements InferenceResult {
        private final HostTensor output;
        private final DeviceTimings timings;
        private PinnedBuffer buffer;

        Result(HostTensor output, DeviceTimings timings, PinnedBuffer buffer) {
            this.output = output;
            this.timings = timings;
            this.buffer = buffer;
        }

        @Override
        public HostTensor output() {
            if (buffer == null) {
                throw new IllegalStateException("result closed");
            }
            return output;
        }

        @Override
        public Optional<DeviceTimings> deviceTimings() {
            return Optional.of(timings);
        }

        @Override
        public void close() {
            if (buffer != null) {
                giveBack(buffer);
                buffer = null;
            }
        }
    }

    /** Kernel launches (NVRTC kernels + cuDNN and copy calls) the last-used shape enqueues per inference; -1 before. */
    public long launchesPerInference() {
        return last == null ? -1 : last.launchesPerRun();
    }

    /** The last-used plan, its launches, CUDA graph state and cuDNN algorithms. */
    public String describeLastPlan() {
        return last == null ? "no inference yet" : last.describe();
    }

    public int plansBuilt() {
        return plans.plansBuilt();
    }

    /** Whether the last-used plan replays a captured CUDA graph. */
    public boolean lastPlanReplaysGraph() {
        return last != null && last.replaysGraph();
    }

    /** Convolutions of the last-used plan, and how many of them took their cuDNN choice from the cache. */
    public int[] lastPlanConvolutions() {
        return last == null ? new int[] {0, 0} : new int[] {last.convolutions(), last.convolutionsFromCache()};
    }

    /** Device memory held: weights and zero biases, and each cached plan's arena and workspace. */
    public long deviceBytes() {
        return model.deviceBytes() + plans.attachments().stream().mapToLong(GpuPlan::deviceBytes).sum();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        last = null;
        plans.clear();
        freeOutputs.forEach(PinnedBuffer::close);
        freeOutputs.clear();
        timer.close();
    }
}
