package dev.segbench.backend.cuda.gpu;

import java.util.List;

/**
 * The cuDNN calls the cuda backend makes, on one cuDNN handle (its stream set). An interface so that tests can record
 * the descriptor arguments, fake statuses and emulate the calls on the CPU ({@link JavaCppCudnn} is the real one).
 * Descriptors are opaque {@code long} handles; device memory is addressed by {@code long} addresses; scaling factors
 * are FP32 values (cuDNN takes float scalars for FP32 and FP16 data alike).
 *
 * <p>Creating a descriptor throws {@link CudnnException} when cuDNN fails; the other calls return the
 * {@code cudnnStatus_t} so that the caller decides what a failure means (a convolution that cuDNN does not support is a
 * reason to try another algorithm, not an error).
 */
interface Cudnn {

    /** One algorithm as cudnnFind/cudnnGet rank it (for plain cudnnConvolutionForward, not for the fused call). */
    record AlgoPerf(int algo, int status, float timeMs, long memoryBytes, int mathType) {
    }

    long createTensor();

    long createFilter();

    long createConvolution();

    long createActivation();

    int destroyTensor(long desc);

    int destroyFilter(long desc);

    int destroyConvolution(long desc);

    int destroyActivation(long desc);

    int setTensor4d(long desc, int format, int dataType, int n, int c, int h, int w);

    int setFilter4d(long desc, int dataType, int format, int k, int c, int h, int w);

    int setConvolution2d(long desc, int padH, int padW, int strideH, int strideW, int dilationH, int dilationW, int mode,
                         int computeType);

    int setConvolutionGroupCount(long desc, int groups);

    int setConvolutionMathType(long desc, int mathType);

    /** cudnnSetActivationDescriptor: mode, NaN propagation, coefficient (the ceiling of CLIPPED_RELU). */
    int setActivation(long desc, int mode, int nanPropagation, double coef);

    /**
     * Ranked candidates for the forward convolution: measured ({@code benchmark}, cudnnFindConvolutionForwardAlgorithm)
     * or from heuristics (cudnnGetConvolutionForwardAlgorithm_v7). Throws {@link CudnnException} when the call fails.
     */
    List<AlgoPerf> forwardAlgorithms(boolean benchmark, long x, long w, long conv, long y);

    /** cudnnGetConvolutionForwardWorkspaceSize for {@code algo} with the descriptor's current math type; throws. */
    long workspaceBytes(long x, long w, long conv, long y, int algo);

    /** {@code y = act(alpha1 * conv(x, w) + alpha2 * z + bias)}: cudnnConvolutionBiasActivationForward. */
    int convolutionBiasActivation(float alpha1, long xDesc, long x, long wDesc, long w, long convDesc, int algo,
                                  long workspace, long workspaceBytes, float alpha2, long zDesc, long z, long biasDesc,
                                  long bias, long actDesc, long yDesc, long y);

    /** {@code y = alpha * conv(x, w) + beta * y}: cudnnConvolutionForward. */
    int convolution(float alpha, long xDesc, long x, long wDesc, long w, long convDesc, int algo, long workspace,
                    long workspaceBytes, float beta, long yDesc, long y);

    /** {@code c = alpha * a + beta * c}, {@code a} broadcast over c's dimensions of size 1: cudnnAddTensor. */
    int addTensor(float alpha, long aDesc, long a, float beta, long cDesc, long c);

    /** {@code y = alpha * act(x) + beta * y} (in place when x == y): cudnnActivationForward. */
    int activation(long actDesc, float alpha, long xDesc, long x, float beta, long yDesc, long y);

    /** cudnnGetErrorString. */
    String errorString(int status);

    /**
     * Resets the calling thread's last CUDA error (cudaGetLastError) after a call cuDNN refused, so that the refusal
     * is not reported again by the next library that checks it.
     */
    void clearCudaError();

    /** Throws {@link CudnnException} naming {@code call} when {@code status} is not success. */
    default void check(int status, String call) {
        if (status != Statuses.SUCCESS) {
            throw CudnnException.of(call, status, errorString(status));
        }
    }

    /** The cudnnStatus_t values (cuDNN 9 groups them: 2000s bad parameter, 3000s not supported, 4000s internal). */
    final class Statuses {
        static final int SUCCESS = org.bytedeco.cuda.global.cudnn.CUDNN_STATUS_SUCCESS;
        static final int NOT_SUPPORTED = org.bytedeco.cuda.global.cudnn.CUDNN_STATUS_NOT_SUPPORTED;
        static final int ALLOC_FAILED = org.bytedeco.cuda.global.cudnn.CUDNN_STATUS_ALLOC_FAILED;

        private Statuses() {
        }

        /** CUDNN_STATUS_NOT_SUPPORTED or one of its cuDNN 9 sub-codes (NOT_SUPPORTED_SHAPE, ..._LAYOUT, ...). */
        static boolean notSupported(int status) {
            return status / 1000 == NOT_SUPPORTED / 1000;
        }
    }
}
