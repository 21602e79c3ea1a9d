package dev.segbench.backend.cuda.gpu;

import dev.segbench.cuda.CudaStream;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.cuda.cudnn.cudnnActivationStruct;
import org.bytedeco.cuda.cudnn.cudnnContext;
import org.bytedeco.cuda.cudnn.cudnnConvolutionFwdAlgoPerf_t;
import org.bytedeco.cuda.cudnn.cudnnConvolutionStruct;
import org.bytedeco.cuda.cudnn.cudnnFilterStruct;
import org.bytedeco.cuda.cudnn.cudnnTensorStruct;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.SizeTPointer;

import static org.bytedeco.cuda.global.cudart.cudaGetLastError;
import static org.bytedeco.cuda.global.cudnn.*;

/**
 * {@link Cudnn} through the JavaCPP cuDNN bindings, on one handle bound to one stream. Touching it loads cuDNN.
 * cuDNN 9 marks this legacy (descriptor) API deprecated in favour of its graph API; it is still shipped and supported
 * in 9.x, and moving to the graph API is a rewrite left for when a GPU is at hand to measure it.
 */
@SuppressWarnings("deprecation")
final class JavaCppCudnn implements Cudnn, AutoCloseable {

    private final cudnnContext handle;
    /** cuDNN reads scaling factors from host memory; only 0 and 1 are ever used. */
    private final FloatPointer zero = new FloatPointer(0f);
    private final FloatPointer one = new FloatPointer(1f);
    private boolean closed;

    private JavaCppCudnn(cudnnContext handle) {
        this.handle = handle;
    }

    /** cudnnCreate + cudnnSetStream; the handle is destroyed again if the stream cannot be set. */
    static JavaCppCudnn create(CudaStream stream) {
        cudnnContext handle = new cudnnContext();
        int status = cudnnCreate(handle);
        if (status != CUDNN_STATUS_SUCCESS) {
            throw CudnnException.of("cudnnCreate", status, text(status));
        }
        status = cudnnSetStream(handle, stream.handle());
        if (status != CUDNN_STATUS_SUCCESS) {
            cudnnDestroy(handle);
            throw CudnnException.of("cudnnSetStream", status, text(status));
        }
        return new JavaCppCudnn(handle);
    }

    private static String text(int status) {
        var s = cudnnGetErrorString(status);
        return s == null || s.isNull() ? "cuDNN error" : s.getString();
    }

    /** A view of a raw address for a JavaCPP argument (owns nothing). */
    private static Pointer at(long address) {
        return new DevicePointer(address, 0);
    }

    private FloatPointer scalar(float value) {
        if (value == 0f) {
            return zero;
        }
        if (value == 1f) {
            return one;
        }
        throw new IllegalArgumentException("only 0 and 1 are used as cuDNN scaling factors, got " + value);
    }

    private static cudnnTensorStruct tensorAt(long desc) {
        return new cudnnTensorStruct(at(desc));
    }

    private static cudnnFilterStruct filterAt(long desc) {
        return new cudnnFilterStruct(at(desc));
    }

    private static cudnnConvolutionStruct convolutionAt(long desc) {
        return new cudnnConvolutionStruct(at(desc));
    }

    private static cudnnActivationStruct activationAt(long desc) {
        return new cudnnActivationStruct(at(desc));
    }

    @Override
    public long createTensor() {
        cudnnTensorStruct d = new cudnnTensorStruct();
        check(cudnnCreateTensorDescriptor(d), "cudnnCreateTensorDescriptor");
        return d.address();
    }

    @Override
    public long createFilter() {
        cudnnFilterStruct d = new cudnnFilterStruct();
        check(cudnnCreateFilterDescriptor(d), "cudnnCreateFilterDescriptor");
        return d.address();
    }

    @Override
    public long createConvolution() {
        cudnnConvolutionStruct d = new cudnnConvolutionStruct();
        check(cudnnCreateConvolutionDescriptor(d), "cudnnCreateConvolutionDescriptor");
        return d.address();
    }

    @Override
    public long createActivation() {
        cudnnActivationStruct d = new cudnnActivationStruct();
        check(cudnnCreateActivationDescriptor(d), "cudnnCreateActivationDescriptor");
        return d.address();
    }

    @Override
    public int destroyTensor(long desc) {
        return cudnnDestroyTensorDescriptor(tensorAt(desc));
    }

    @Override
    public int destroyFilter(long desc) {
        return cudnnDestroyFilterDescriptor(filterAt(desc));
    }

    @Override
    public int destroyConvolution(long desc) {
        return cudnnDestroyConvolutionDescriptor(convolutionAt(desc));
    }

    @Override
    public int destroyActivation(long desc) {
        return cudnnDestroyActivationDescriptor(activationAt(desc));
    }

    @Override
    public int setTensor4d(long desc, int format, int dataType, int n, int c, int h, int w) {
        return cudnnSetTensor4dDescriptor(tensorAt(desc), format, dataType, n, c, h, w);
    }

    @Override
    public int setFilter4d(long desc, int dataType, int format, int k, int c, int h, int w) {
        return cudnnSetFilter4dDescriptor(filterAt(desc), dataType, format, k, c, h, w);
    }

    @Override
    public int setConvolution2d(long desc, int padH, int padW, int strideH, int strideW, int dilationH, int dilationW,
                                int mode, int computeType) {
        return cudnnSetConvolution2dDescriptor(convolutionAt(desc), padH, padW, strideH, strideW, dilationH, dilationW, mode,
                computeType);
    }

    @Override
    public int setConvolutionGroupCount(long desc, int groups) {
        return cudnnSetConvolutionGroupCount(convolutionAt(desc), groups);
    }

    @Override
    public int setConvolutionMathType(long desc, int mathType) {
        return cudnnSetConvolutionMathType(convolutionAt(desc), mathType);
    }

    @Override
    public int setActivation(long desc, int mode, int nanPropagation, double coef) {
        return cudnnSetActivationDescriptor(activationAt(desc), mode, nanPropagation, coef);
    }

    @Override
    public List<AlgoPerf> forwardAlgorithms(boolean benchmark, long x, long w, long conv, long y) {
        int count = CUDNN_CONVOLUTION_FWD_ALGO_COUNT;
        try (cudnnConvolutionFwdAlgoPerf_t perf = new cudnnConvolutionFwdAlgoPerf_t(count);
             IntPointer returned = new IntPointer(1)) {
            if (benchmark) {
                check(cudnnFindConvolutionForwardAlgorithm(handle, tensorAt(x), filterAt(w), convolutionAt(conv), tensorAt(y), count,
                        returned, perf), "cudnnFindConvolutionForwardAlgorithm");
            } else {
                check(cudnnGetConvolutionForwardAlgorithm_v7(handle, tensorAt(x), filterAt(w), convolutionAt(conv), tensorAt(y),
                        count, returned, perf), "cudnnGetConvolutionForwardAlgorithm_v7");
            }
            List<AlgoPerf> ranked = new ArrayList<>();
            for (int i = 0; i < returned.get(); i++) {
                cudnnConvolutionFwdAlgoPerf_t p = perf.getPointer(i);
                ranked.add(new AlgoPerf(p.algo(), p.status(), benchmark ? p.time() : -1f, p.memory(), p.mathType()));
            }
            return ranked;
        }
    }

    @Override
    public long workspaceBytes(long x, long w, long conv, long y, int algo) {
        try (SizeTPointer size = new SizeTPointer(1)) {
            check(cudnnGetConvolutionForwardWorkspaceSize(handle, tensorAt(x), filterAt(w), convolutionAt(conv), tensorAt(y), algo,
                    size), "cudnnGetConvolutionForwardWorkspaceSize(algo " + algo + ")");
            return size.get();
        }
    }

    @Override
    public int convolutionBiasActivation(float alpha1, long xDesc, long x, long wDesc, long w, long convDesc, int algo,
                                         long workspace, long workspaceBytes, float alpha2, long zDesc, long z,
                                         long biasDesc, long bias, long actDesc, long yDesc, long y) {
        return cudnnConvolutionBiasActivationForward(handle, scalar(alpha1), tensorAt(xDesc), at(x), filterAt(wDesc), at(w),
                convolutionAt(convDesc), algo, at(workspace), workspaceBytes, scalar(alpha2), tensorAt(zDesc), at(z),
                tensorAt(biasDesc), at(bias), activationAt(actDesc), tensorAt(yDesc), at(y));
    }

    @Override
    public int convolution(float alpha, long xDesc, long x, long wDesc, long w, long convDesc, int algo, long workspace,
                           long workspaceBytes, float beta, long yDesc, long y) {
        return cudnnConvolutionForward(handle, scalar(alpha), tensorAt(xDesc), at(x), filterAt(wDesc), at(w),
                convolutionAt(convDesc), algo, at(workspace), workspaceBytes, scalar(beta), tensorAt(yDesc), at(y));
    }

    @Override
    public int addTensor(float alpha, long aDesc, long a, float beta, long cDesc, long c) {
        return cudnnAddTensor(handle, scalar(alpha), tensorAt(aDesc), at(a), scalar(beta), tensorAt(cDesc), at(c));
    }

    @Override
    public int activation(long actDesc, float alpha, long xDesc, long x, float beta, long yDesc, long y) {
        return cudnnActivationForward(handle, activationAt(actDesc), scalar(alpha), tensorAt(xDesc), at(x), scalar(beta),
                tensorAt(yDesc), at(y));
    }

    @Override
    public String errorString(int status) {
        return text(status);
    }

    @Override
    public void clearCudaError() {
        cudaGetLastError();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            cudnnDestroy(handle);
            zero.close();
            one.close();
        }
    }
}
