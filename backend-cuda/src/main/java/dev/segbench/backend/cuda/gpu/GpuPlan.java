package dev.segbench.backend.cuda.gpu;

import dev.segbench.api.BackendException;
import dev.segbench.api.BackendException.Code;
import dev.segbench.backend.cuda.graph.ConvGeometry;
import dev.segbench.backend.cuda.graph.ElemType;
import dev.segbench.backend.cuda.plan.Plan;
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
import org.bytedeco.cuda.cudnn.cudnnActivationStruct;
import org.bytedeco.cuda.cudnn.cudnnConvolutionFwdAlgoPerf_t;
import org.bytedeco.cuda.cudnn.cudnnConvolutionStruct;
import org.bytedeco.cuda.cudnn.cudnnFilterStruct;
import org.bytedeco.cuda.cudnn.cudnnTensorStruct;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.SizeTPointer;

import static org.bytedeco.cuda.global.cudart.cudaMemcpyAsync;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToDevice;
import static org.bytedeco.cuda.global.cudnn.*;

/**
 * One {@link Plan} bound to the device: the activation arena, cuDNN descriptors and algorithms for each Conv step,
 * the workspace, and (when enabled) the CUDA graph that replays the whole inference. Compiled here; only runs on a
 * machine with a GPU.
 *
 * <p>Layout choice: every tensor is NCHW, as in the ONNX graph. FP32 convolutions use FMA math (no TF32 unless
 * {@code cuda.tf32}); FP16 convolutions use CUDNN_TENSOR_OP_MATH with FP32 accumulation, so cuDNN may pick
 * tensor-core kernels that transpose to NHWC internally. Keeping the whole graph NHWC would save those transposes
 * but needs NHWC variants of every NVRTC kernel and of the graph boundary; that is left until GpuCheck timings
 * show the transposes matter.
 */
final class GpuPlan implements AutoCloseable {

    /** cuDNN state of one Conv launch. */
    private record ConvLaunch(Lowering.Conv call, cudnnTensorStruct x, cudnnFilterStruct w, cudnnConvolutionStruct conv,
                              cudnnTensorStruct y, cudnnTensorStruct bias, cudnnActivationStruct act, GpuModel.Algo algo,
                              long biasAddress) {
    }

    final Plan plan;
    private final GpuModel model;
    private final DeviceBuffer arena;
    private final Map<Integer, ConvLaunch> convs = new HashMap<>();
    private final List<String> algorithmNotes = new ArrayList<>();
    private List<Lowering.Launch> launches = List.of();
    private DeviceBuffer workspace;
    private CudaGraph graph;
    private String graphNote = "disabled";
    private boolean closed;

    private GpuPlan(GpuModel model, Plan plan, DeviceBuffer arena) {
        this.model = model;
        this.plan = plan;
        this.arena = arena;
    }

    static GpuPlan create(GpuModel model, Plan plan) throws BackendException {
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
        long workspaceBytes = 0;
        for (int i = 0; i < launches.size(); i++) {
            if (launches.get(i) instanceof Lowering.Conv c) {
                ConvLaunch l = convLaunch(c);
                convs.put(i, l);
                workspaceBytes = Math.max(workspaceBytes, l.algo().workspaceBytes());
            }
        }
        workspace = DeviceBuffer.allocate(Math.max(workspaceBytes, 256));
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

    private ConvLaunch convLaunch(Lowering.Conv c) {
        ConvGeometry g = c.geometry();
        int dataType = c.type() == ElemType.FLOAT16 ? CUDNN_DATA_HALF : CUDNN_DATA_FLOAT;
        cudnnTensorStruct x = new cudnnTensorStruct();
        cudnnTensorStruct y = new cudnnTensorStruct();
        cudnnTensorStruct bias = new cudnnTensorStruct();
        cudnnFilterStruct w = new cudnnFilterStruct();
        cudnnConvolutionStruct conv = new cudnnConvolutionStruct();
        cudnnActivationStruct act = new cudnnActivationStruct();
        CudnnException.checkCudnn(cudnnCreateTensorDescriptor(x), "cudnnCreateTensorDescriptor");
        CudnnException.checkCudnn(cudnnCreateTensorDescriptor(y), "cudnnCreateTensorDescriptor");
        CudnnException.checkCudnn(cudnnCreateTensorDescriptor(bias), "cudnnCreateTensorDescriptor");
        CudnnException.checkCudnn(cudnnCreateFilterDescriptor(w), "cudnnCreateFilterDescriptor");
        CudnnException.checkCudnn(cudnnCreateConvolutionDescriptor(conv), "cudnnCreateConvolutionDescriptor");
        CudnnException.checkCudnn(cudnnCreateActivationDescriptor(act), "cudnnCreateActivationDescriptor");
        String what = " for " + c.nodes() + " " + g;
        CudnnException.checkCudnn(cudnnSetTensor4dDescriptor(x, CUDNN_TENSOR_NCHW, dataType, g.n(), g.c(), g.h(), g.w()),
                "cudnnSetTensor4dDescriptor(x)" + what);
        CudnnException.checkCudnn(cudnnSetTensor4dDescriptor(y, CUDNN_TENSOR_NCHW, dataType, g.n(), g.k(), g.outH(), g.outW()),
                "cudnnSetTensor4dDescriptor(y)" + what);
        CudnnException.checkCudnn(cudnnSetTensor4dDescriptor(bias, CUDNN_TENSOR_NCHW, dataType, 1, g.k(), 1, 1),
                "cudnnSetTensor4dDescriptor(bias)" + what);
        CudnnException.checkCudnn(cudnnSetFilter4dDescriptor(w, dataType, CUDNN_TENSOR_NCHW, g.k(), g.c() / g.group(), g.kh(), g.kw()),
                "cudnnSetFilter4dDescriptor" + what);
        // FP16 data accumulates in FP32 (PSEUDO_HALF_CONFIG), as the CPU reference does.
        CudnnException.checkCudnn(cudnnSetConvolution2dDescriptor(conv, g.padTop(), g.padLeft(), g.strideH(), g.strideW(),
                g.dilationH(), g.dilationW(), CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT), "cudnnSetConvolution2dDescriptor" + what);
        CudnnException.checkCudnn(cudnnSetConvolutionGroupCount(conv, g.group()), "cudnnSetConvolutionGroupCount" + what);
        int math = c.type() == ElemType.FLOAT16 ? CUDNN_TENSOR_OP_MATH : (model.settings.tf32() ? CUDNN_DEFAULT_MATH : CUDNN_FMA_MATH);
        CudnnException.checkCudnn(cudnnSetConvolutionMathType(conv, math), "cudnnSetConvolutionMathType" + what);
        int mode = switch (c.activation()) {
            case IDENTITY -> CUDNN_ACTIVATION_IDENTITY;
            case RELU -> CUDNN_ACTIVATION_RELU;
            case CLIPPED_RELU -> CUDNN_ACTIVATION_CLIPPED_RELU;
        };
        CudnnException.checkCudnn(cudnnSetActivationDescriptor(act, mode, CUDNN_PROPAGATE_NAN, c.coef()),
                "cudnnSetActivationDescriptor" + what);
        GpuModel.Algo algo = algorithm(new GpuModel.ConvKey(g.toString(), c.type(), mode), x, w, conv, y, mode);
        // Strict FP32 stays on FMA kernels: a perf result may report DEFAULT_MATH, which lets cuDNN use TF32 on Ampere+.
        int runMath = c.type() == ElemType.FLOAT32 && !model.settings.tf32() ? CUDNN_FMA_MATH : algo.mathType();
        CudnnException.checkCudnn(cudnnSetConvolutionMathType(conv, runMath), "cudnnSetConvolutionMathType" + what);
        if (runMath != algo.mathType()) {
            algo = withWorkspace(algo.algo(), algo.measuredMs(), x, w, conv, y); // the workspace may differ per math type
        }
        algorithmNotes.add(c.nodes().get(0) + ": algo " + algo.algo() + (algo.measuredMs() >= 0 ? " (" + algo.measuredMs() + " ms)" : "")
                + ", workspace " + algo.workspaceBytes() + " B");
        long biasAddress = c.bias() != 0 ? c.bias() : model.zeroBias((long) g.k() * c.type().byteSize()).address();
        return new ConvLaunch(c, x, w, conv, y, bias, act, algo, biasAddress);
    }

    private GpuModel.Algo algorithm(GpuModel.ConvKey key, cudnnTensorStruct x, cudnnFilterStruct w, cudnnConvolutionStruct conv,
                                    cudnnTensorStruct y, int mode) {
        GpuModel.Algo cached = model.algorithms.get(key);
        if (cached != null) {
            return cached;
        }
        GpuModel.Algo chosen = null;
        if (mode == CUDNN_ACTIVATION_IDENTITY) {
            chosen = withWorkspace(CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM, -1, x, w, conv, y);
        } else {
            int count = CUDNN_CONVOLUTION_FWD_ALGO_COUNT;
            cudnnConvolutionFwdAlgoPerf_t perf = new cudnnConvolutionFwdAlgoPerf_t(count);
            IntPointer returned = new IntPointer(1);
            if (model.settings.findAlgorithms()) {
                CudnnException.checkCudnn(cudnnFindConvolutionForwardAlgorithm(model.cudnn, x, w, conv, y, count, returned, perf),
                        "cudnnFindConvolutionForwardAlgorithm");
            } else {
                CudnnException.checkCudnn(cudnnGetConvolutionForwardAlgorithm_v7(model.cudnn, x, w, conv, y, count, returned, perf),
                        "cudnnGetConvolutionForwardAlgorithm_v7");
            }
            for (int i = 0; i < returned.get() && chosen == null; i++) {
                cudnnConvolutionFwdAlgoPerf_t p = perf.getPointer(i);
                if (p.status() == CUDNN_STATUS_SUCCESS && p.memory() <= model.settings.workspaceBytes()) {
                    chosen = new GpuModel.Algo(p.algo(), p.memory(), p.mathType(),
                            model.settings.findAlgorithms() ? p.time() : -1f);
                }
            }
            if (chosen == null) {
                chosen = withWorkspace(CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM, -1, x, w, conv, y);
            }
        }
        model.algorithms.put(key, chosen);
        return chosen;
    }

    private GpuModel.Algo withWorkspace(int algo, float ms, cudnnTensorStruct x, cudnnFilterStruct w,
                                        cudnnConvolutionStruct conv, cudnnTensorStruct y) {
        SizeTPointer size = new SizeTPointer(1);
        CudnnException.checkCudnn(cudnnGetConvolutionForwardWorkspaceSize(model.cudnn, x, w, conv, y, algo, size),
                "cudnnGetConvolutionForwardWorkspaceSize");
        IntPointer math = new IntPointer(1);
        CudnnException.checkCudnn(cudnnGetConvolutionMathType(conv, math), "cudnnGetConvolutionMathType");
        return new GpuModel.Algo(algo, size.get(), math.get(), ms);
    }

    /** Enqueues the lowered calls of one inference on the session stream (eagerly or under capture). */
    private void enqueue() {
        CudaStream stream = model.stream;
        for (int i = 0; i < launches.size(); i++) {
            switch (launches.get(i)) {
                case Lowering.Kernel k -> model.kernels.launch(k.name(), k.grid(), k.block(), stream, k.args().toArray());
                case Lowering.Conv c -> {
                    ConvLaunch l = convs.get(i);
                    GeometryBytes b = new GeometryBytes(c);
                    boolean residual = c.z() != 0;
                    DevicePointer y = new DevicePointer(c.y(), b.y());
                    CudnnException.checkCudnn(cudnnConvolutionBiasActivationForward(model.cudnn, model.one, l.x(),
                            new DevicePointer(c.x(), b.x()), l.w(), new DevicePointer(c.w(), b.w()), l.conv(), l.algo().algo(),
                            new DevicePointer(workspace.address(), workspace.byteSize()), l.algo().workspaceBytes(),
                            residual ? model.one : model.zero, l.y(), residual ? new DevicePointer(c.z(), b.y()) : y,
                            l.bias(), new DevicePointer(l.biasAddress(), b.bias()), l.act(), l.y(), y),
                            "cudnnConvolutionBiasActivationForward " + c.nodes());
                }
                case Lowering.Copy c -> CudaRuntime.check(cudaMemcpyAsync(new DevicePointer(c.dst(), c.bytes()),
                        new DevicePointer(c.src(), c.bytes()), c.bytes(), cudaMemcpyDeviceToDevice, stream.handle()),
                        "cudaMemcpyAsync(device to device, " + c.bytes() + " bytes)");
            }
        }
    }

    /** Byte sizes of a convolution's operands (JavaCPP pointers carry a limit). */
    private record GeometryBytes(long x, long w, long y, long bias) {
        GeometryBytes(Lowering.Conv c) {
            this((long) c.geometry().n() * c.geometry().c() * c.geometry().h() * c.geometry().w() * c.type().byteSize(),
                    (long) c.geometry().k() * (c.geometry().c() / c.geometry().group()) * c.geometry().kh() * c.geometry().kw()
                            * c.type().byteSize(),
                    (long) c.geometry().n() * c.geometry().k() * c.geometry().outH() * c.geometry().outW() * c.type().byteSize(),
                    (long) c.geometry().k() * c.type().byteSize());
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

    /** Device calls per inference: NVRTC kernels + cuDNN calls + device copies. */
    long launchesPerRun() {
        return launches.size();
    }

    String describe() {
        return plan.summary() + "; enqueued " + launches.size() + " launches (kernels + cuDNN/copy calls); CUDA graph "
                + graphNote + "; cuDNN " + String.join("; ", algorithmNotes);
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
        for (ConvLaunch l : convs.values()) {
            cudnnDestroyTensorDescriptor(l.x());
            cudnnDestroyTensorDescriptor(l.y());
            cudnnDestroyTensorDescriptor(l.bias());
            cudnnDestroyFilterDescriptor(l.w());
            cudnnDestroyConvolutionDescriptor(l.conv());
            cudnnDestroyActivationDescriptor(l.act());
        }
        if (workspace != null) {
            workspace.close();
        }
        arena.close();
    }
}
