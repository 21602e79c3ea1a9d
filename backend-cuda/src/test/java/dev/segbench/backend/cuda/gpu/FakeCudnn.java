package dev.segbench.backend.cuda.gpu;

import dev.segbench.onnx.graph.ConvGeometry;
import dev.segbench.onnx.graph.ElemType;
import dev.segbench.backend.cuda.plan.Activation;
import dev.segbench.backend.cuda.ref.ReferenceExecutor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntUnaryOperator;

import static org.bytedeco.cuda.global.cudnn.*;

/**
 * cuDNN stood in for on the CPU: records every call with its arguments, keeps the descriptors' state, fakes statuses on
 * request, and (given an {@link EmulatedDevice}) computes the convolution, bias, residual and activation calls on the
 * emulated memory from what the descriptors say, so wrong descriptor arguments give wrong numbers. Like cuDNN it
 * refuses the fused call with IDENTITY unless the algorithm is IMPLICIT_PRECOMP_GEMM, and answers BAD_PARAM when the
 * output descriptor does not fit the convolution.
 */
final class FakeCudnn implements Cudnn {

    /** One recorded call: its name and arguments. */
    record Call(String name, List<Object> args) {
    }

    record TensorDesc(int format, int dataType, int n, int c, int h, int w) {
        long count() {
            return (long) n * c * h * w;
        }
    }

    record FilterDesc(int dataType, int format, int k, int c, int h, int w) {
    }

    static final class ConvDesc {
        int padH, padW, strideH, strideW, dilationH, dilationW, mode, computeType, groups = 1, mathType;
    }

    record ActDesc(int mode, int nanPropagation, double coef) {
    }

    final List<Call> calls = new ArrayList<>();
    /** Descriptor handles created and not yet destroyed. */
    final Set<Long> live = new LinkedHashSet<>();
    final List<String> problems = new ArrayList<>();
    private final Map<Long, Object> descriptors = new HashMap<>();
    private long nextHandle = 0x100;
    private final EmulatedDevice device;

    /** The ranking cudnnFind/cudnnGet return (algorithm numbers, all with status SUCCESS). */
    List<AlgoPerf> ranking = List.of(new AlgoPerf(CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED, 0, 0.5f, 4096, CUDNN_FMA_MATH),
            new AlgoPerf(CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, 0, 0.7f, 0, CUDNN_FMA_MATH),
            new AlgoPerf(CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM, 0, 0.9f, 1024, CUDNN_FMA_MATH));
    /** Status of the fused call by algorithm (after the IDENTITY rule); success by default. */
    IntUnaryOperator fusedStatus = algo -> CUDNN_STATUS_SUCCESS;
    /** Status of cudnnConvolutionForward by algorithm. */
    IntUnaryOperator convolutionStatus = algo -> CUDNN_STATUS_SUCCESS;
    /** A set call (by name, e.g. "cudnnSetActivationDescriptor") that fails, and with what. */
    String failingSetCall;
    int failingSetStatus = CUDNN_STATUS_BAD_PARAM;
    /** A descriptor kind whose create throws ("activation", ...). */
    String failingCreate;
    int clearedCudaErrors;

    /** Records only; the compute calls touch no memory. */
    FakeCudnn() {
        this(null);
    }

    FakeCudnn(EmulatedDevice device) {
        this.device = device;
    }

    private void record(String name, Object... args) {
        calls.add(new Call(name, List.of(args)));
    }

    List<Call> calls(String name) {
        return calls.stream().filter(c -> c.name().equals(name)).toList();
    }

    private long create(String kind, Object state) {
        record("create " + kind);
        if (kind.equals(failingCreate)) {
            throw CudnnException.of("cudnnCreate" + kind + "Descriptor", CUDNN_STATUS_ALLOC_FAILED, "CUDNN_STATUS_ALLOC_FAILED");
        }
        long h = nextHandle++;
        live.add(h);
        descriptors.put(h, state);
        return h;
    }

    private int destroy(String kind, long desc) {
        record("destroy " + kind, desc);
        if (!live.remove(desc)) {
            problems.add("destroyed " + kind + " " + desc + " that is not alive");
        }
        return CUDNN_STATUS_SUCCESS;
    }

    private int set(String name, long desc, Object state, Object... args) {
        record(name, args);
        if (!live.contains(desc)) {
            problems.add(name + " on dead descriptor " + desc);
        }
        if (name.equals(failingSetCall)) {
            return failingSetStatus;
        }
        descriptors.put(desc, state);
        return CUDNN_STATUS_SUCCESS;
    }

    @Override public long createTensor() { return create("Tensor", null); }
    @Override public long createFilter() { return create("Filter", null); }
    @Override public long createConvolution() { return create("Convolution", new ConvDesc()); }
    @Override public long createActivation() { return create("Activation", null); }
    @Override public int destroyTensor(long d) { return destroy("Tensor", d); }
    @Override public int destroyFilter(long d) { return destroy("Filter", d); }
    @Override public int destroyConvolution(long d) { return destroy("Convolution", d); }
    @Override public int destroyActivation(long d) { return destroy("Activation", d); }

    @Override
    public int setTensor4d(long desc, int format, int dataType, int n, int c, int h, int w) {
        return set("cudnnSetTensor4dDescriptor", desc, new TensorDesc(format, dataType, n, c, h, w), desc, format, dataType, n, c, h, w);
    }

    @Override
    public int setFilter4d(long desc, int dataType, int format, int k, int c, int h, int w) {
        return set("cudnnSetFilter4dDescriptor", desc, new FilterDesc(dataType, format, k, c, h, w), desc, dataType, format, k, c, h, w);
    }

    @Override
    public int setConvolution2d(long desc, int padH, int padW, int strideH, int strideW, int dilationH, int dilationW,
                                int mode, int computeType) {
        ConvDesc d = (ConvDesc) descriptors.get(desc);
        int status = set("cudnnSetConvolution2dDescriptor", desc, d, desc, padH, padW, strideH, strideW, dilationH,
                dilationW, mode, computeType);
        if (status == CUDNN_STATUS_SUCCESS) {
            d.padH = padH;
            d.padW = padW;
            d.strideH = strideH;
            d.strideW = strideW;
            d.dilationH = dilationH;
            d.dilationW = dilationW;
            d.mode = mode;
            d.computeType = computeType;
        }
        return status;
    }

    @Override
    public int setConvolutionGroupCount(long desc, int groups) {
        ConvDesc d = (ConvDesc) descriptors.get(desc);
        int status = set("cudnnSetConvolutionGroupCount", desc, d, desc, groups);
        if (status == CUDNN_STATUS_SUCCESS) {
            d.groups = groups;
        }
        return status;
    }

    @Override
    public int setConvolutionMathType(long desc, int mathType) {
        ConvDesc d = (ConvDesc) descriptors.get(desc);
        int status = set("cudnnSetConvolutionMathType", desc, d, desc, mathType);
        if (status == CUDNN_STATUS_SUCCESS) {
            d.mathType = mathType;
        }
        return status;
    }

    @Override
    public int setActivation(long desc, int mode, int nanPropagation, double coef) {
        return set("cudnnSetActivationDescriptor", desc, new ActDesc(mode, nanPropagation, coef), desc, mode, nanPropagation, coef);
    }

    @Override
    public List<AlgoPerf> forwardAlgorithms(boolean benchmark, long x, long w, long conv, long y) {
        record(benchmark ? "cudnnFindConvolutionForwardAlgorithm" : "cudnnGetConvolutionForwardAlgorithm_v7", x, w, conv, y);
        return ranking;
    }

    @Override
    public long workspaceBytes(long x, long w, long conv, long y, int algo) {
        record("cudnnGetConvolutionForwardWorkspaceSize", algo);
        return ranking.stream().filter(p -> p.algo() == algo).mapToLong(AlgoPerf::memoryBytes).findFirst().orElse(512);
    }

    TensorDesc tensor(long desc) {
        return (TensorDesc) descriptors.get(desc);
    }

    FilterDesc filter(long desc) {
        return (FilterDesc) descriptors.get(desc);
    }

    ConvDesc convolution(long desc) {
        return (ConvDesc) descriptors.get(desc);
    }

    ActDesc activation(long desc) {
        return (ActDesc) descriptors.get(desc);
    }

    private static ElemType type(int dataType) {
        return dataType == CUDNN_DATA_HALF ? ElemType.FLOAT16 : ElemType.FLOAT32;
    }

    /** The geometry the descriptors describe; null when the output descriptor does not fit (cuDNN: BAD_PARAM). */
    private ConvGeometry geometry(long xDesc, long wDesc, long convDesc, long yDesc) {
        TensorDesc x = tensor(xDesc);
        FilterDesc f = filter(wDesc);
        ConvDesc c = convolution(convDesc);
        TensorDesc y = tensor(yDesc);
        int outH = (x.h() + 2 * c.padH - c.dilationH * (f.h() - 1) - 1) / c.strideH + 1;
        int outW = (x.w() + 2 * c.padW - c.dilationW * (f.w() - 1) - 1) / c.strideW + 1;
        if (y.n() != x.n() || y.c() != f.k() || y.h() != outH || y.w() != outW || f.c() * c.groups != x.c()
                || c.mode != CUDNN_CROSS_CORRELATION) {
            return null;
        }
        return new ConvGeometry(x.n(), x.c(), x.h(), x.w(), f.k(), f.h(), f.w(), c.groups, c.padH, c.padW, c.padH, c.padW,
                c.strideH, c.strideW, c.dilationH, c.dilationW, outH, outW);
    }

    private static Activation act(ActDesc a) {
        if (a.mode() == CUDNN_ACTIVATION_RELU) {
            return Activation.RELU;
        }
        if (a.mode() == CUDNN_ACTIVATION_CLIPPED_RELU) {
            return Activation.clip(0f, (float) a.coef());
        }
        return Activation.NONE;
    }

    @Override
    public int convolutionBiasActivation(float alpha1, long xDesc, long x, long wDesc, long w, long convDesc, int algo,
                                         long workspace, long workspaceBytes, float alpha2, long zDesc, long z,
                                         long biasDesc, long bias, long actDesc, long yDesc, long y) {
        record("cudnnConvolutionBiasActivationForward", algo, alpha2, z, bias, y, workspace, workspaceBytes);
        if (activation(actDesc).mode() == CUDNN_ACTIVATION_IDENTITY && algo != CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM) {
            return CUDNN_STATUS_NOT_SUPPORTED;
        }
        int status = fusedStatus.applyAsInt(algo);
        if (status != CUDNN_STATUS_SUCCESS) {
            return status;
        }
        ConvGeometry g = geometry(xDesc, wDesc, convDesc, yDesc);
        if (g == null || alpha1 != 1f || workspaceBytes < workspaceFor(algo)) {
            return CUDNN_STATUS_BAD_PARAM;
        }
        if (device != null) {
            ElemType t = type(tensor(xDesc).dataType());
            float[] out = ReferenceExecutor.conv(device.read(t, x, tensor(xDesc).count()), g,
                    device.read(t, w, (long) g.k() * (g.c() / g.group()) * g.kh() * g.kw()), device.read(t, bias, g.k()),
                    alpha2 == 0f ? null : device.read(t, z, tensor(yDesc).count()), act(activation(actDesc)));
            device.write(t, y, out);
        }
        return CUDNN_STATUS_SUCCESS;
    }

    private long workspaceFor(int algo) {
        return ranking.stream().filter(p -> p.algo() == algo).mapToLong(AlgoPerf::memoryBytes).findFirst().orElse(512);
    }

    @Override
    public int convolution(float alpha, long xDesc, long x, long wDesc, long w, long convDesc, int algo, long workspace,
                           long workspaceBytes, float beta, long yDesc, long y) {
        record("cudnnConvolutionForward", algo, beta, y);
        int status = convolutionStatus.applyAsInt(algo);
        if (status != CUDNN_STATUS_SUCCESS) {
            return status;
        }
        ConvGeometry g = geometry(xDesc, wDesc, convDesc, yDesc);
        if (g == null || alpha != 1f || workspaceBytes < workspaceFor(algo)) {
            return CUDNN_STATUS_BAD_PARAM;
        }
        if (device != null) {
            ElemType t = type(tensor(xDesc).dataType());
            float[] out = ReferenceExecutor.conv(device.read(t, x, tensor(xDesc).count()), g,
                    device.read(t, w, (long) g.k() * (g.c() / g.group()) * g.kh() * g.kw()), null,
                    beta == 0f ? null : device.read(t, y, tensor(yDesc).count()), Activation.NONE);
            device.write(t, y, out);
        }
        return CUDNN_STATUS_SUCCESS;
    }

    @Override
    public int addTensor(float alpha, long aDesc, long a, float beta, long cDesc, long c) {
        record("cudnnAddTensor", alpha, a, beta, c);
        TensorDesc at = tensor(aDesc);
        TensorDesc ct = tensor(cDesc);
        boolean perChannel = at.n() == 1 && at.h() == 1 && at.w() == 1 && at.c() == ct.c();
        if (!perChannel && !at.equals(ct)) {
            return CUDNN_STATUS_BAD_PARAM;
        }
        if (device != null) {
            ElemType t = type(ct.dataType());
            float[] av = device.read(t, a, at.count());
            float[] cv = device.read(t, c, ct.count());
            long plane = (long) ct.h() * ct.w();
            for (int i = 0; i < cv.length; i++) {
                float add = perChannel ? av[(int) ((i / plane) % ct.c())] : av[i];
                cv[i] = alpha * add + (beta == 0f ? 0f : beta * cv[i]);
            }
            device.write(t, c, cv);
        }
        return CUDNN_STATUS_SUCCESS;
    }

    @Override
    public int activation(long actDesc, float alpha, long xDesc, long x, float beta, long yDesc, long y) {
        record("cudnnActivationForward", activation(actDesc).mode(), x, y);
        if (device != null) {
            ElemType t = type(tensor(xDesc).dataType());
            Activation act = act(activation(actDesc));
            float[] v = device.read(t, x, tensor(xDesc).count());
            for (int i = 0; i < v.length; i++) {
                v[i] = alpha * act.apply(v[i]);
            }
            device.write(t, y, v);
        }
        return CUDNN_STATUS_SUCCESS;
    }

    @Override
    public String errorString(int status) {
        return "CUDNN_STATUS_" + status;
    }

    @Override
    public void clearCudaError() {
        clearedCudaErrors++;
        record("cudaGetLastError");
    }
}
