package dev.segbench.backend.cuda.gpu;

import dev.segbench.onnx.graph.ConvGeometry;
import dev.segbench.onnx.graph.ElemType;

import static org.bytedeco.cuda.global.cudnn.CUDNN_ACTIVATION_CLIPPED_RELU;
import static org.bytedeco.cuda.global.cudnn.CUDNN_ACTIVATION_IDENTITY;
import static org.bytedeco.cuda.global.cudnn.CUDNN_ACTIVATION_RELU;
import static org.bytedeco.cuda.global.cudnn.CUDNN_CROSS_CORRELATION;
import static org.bytedeco.cuda.global.cudnn.CUDNN_DATA_FLOAT;
import static org.bytedeco.cuda.global.cudnn.CUDNN_DATA_HALF;
import static org.bytedeco.cuda.global.cudnn.CUDNN_NOT_PROPAGATE_NAN;
import static org.bytedeco.cuda.global.cudnn.CUDNN_TENSOR_NCHW;

/**
 * The six cuDNN descriptors of one convolution (input, output, bias, filter, convolution, activation), created and
 * configured together and destroyed together. Each handle is owned from the moment it exists, so a create or set call
 * that fails part-way leaves nothing behind (finding 6 of issue 13).
 */
final class ConvDescriptors implements AutoCloseable {

    private final Cudnn cudnn;
    private long x;
    private long y;
    private long bias;
    private long w;
    private long conv;
    private long act;

    private ConvDescriptors(Cudnn cudnn) {
        this.cudnn = cudnn;
    }

    /**
     * Creates and sets the descriptors of {@code c}. {@code mathType} is the convolution descriptor's math type for the
     * algorithm search (it is set again per algorithm tried).
     */
    static ConvDescriptors create(Cudnn cudnn, Lowering.Conv c, int mathType) {
        ConvDescriptors d = new ConvDescriptors(cudnn);
        try {
            d.x = cudnn.createTensor();
            d.y = cudnn.createTensor();
            d.bias = cudnn.createTensor();
            d.w = cudnn.createFilter();
            d.conv = cudnn.createConvolution();
            d.act = cudnn.createActivation();
            d.configure(c, mathType);
            return d;
        } catch (RuntimeException | Error e) {
            d.close();
            throw e;
        }
    }

    static int dataType(ElemType type) {
        return type == ElemType.FLOAT16 ? CUDNN_DATA_HALF : CUDNN_DATA_FLOAT;
    }

    static int activationMode(Lowering.CudnnActivation a) {
        return switch (a) {
            case IDENTITY -> CUDNN_ACTIVATION_IDENTITY;
            case RELU -> CUDNN_ACTIVATION_RELU;
            case CLIPPED_RELU -> CUDNN_ACTIVATION_CLIPPED_RELU;
        };
    }

    private void configure(Lowering.Conv c, int mathType) {
        ConvGeometry g = c.geometry();
        int dataType = dataType(c.type());
        String what = " for " + c.nodes() + " " + g;
        cudnn.check(cudnn.setTensor4d(x, CUDNN_TENSOR_NCHW, dataType, g.n(), g.c(), g.h(), g.w()), "cudnnSetTensor4dDescriptor(x)" + what);
        cudnn.check(cudnn.setTensor4d(y, CUDNN_TENSOR_NCHW, dataType, g.n(), g.k(), g.outH(), g.outW()),
                "cudnnSetTensor4dDescriptor(y)" + what);
        cudnn.check(cudnn.setTensor4d(bias, CUDNN_TENSOR_NCHW, dataType, 1, g.k(), 1, 1), "cudnnSetTensor4dDescriptor(bias)" + what);
        cudnn.check(cudnn.setFilter4d(w, dataType, CUDNN_TENSOR_NCHW, g.k(), g.c() / g.group(), g.kh(), g.kw()),
                "cudnnSetFilter4dDescriptor" + what);
        // FP16 data accumulates in FP32 (PSEUDO_HALF_CONFIG), as the CPU reference does. Pads are symmetric (the planner
        // refuses others), so top/left are the whole story.
        cudnn.check(cudnn.setConvolution2d(conv, g.padTop(), g.padLeft(), g.strideH(), g.strideW(), g.dilationH(),
                g.dilationW(), CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT), "cudnnSetConvolution2dDescriptor" + what);
        cudnn.check(cudnn.setConvolutionGroupCount(conv, g.group()), "cudnnSetConvolutionGroupCount" + what);
        cudnn.check(cudnn.setConvolutionMathType(conv, mathType), "cudnnSetConvolutionMathType" + what);
        // NOT_PROPAGATE_NAN (finding 1 of issue 13). Every production caller of cudnnConvolutionBiasActivationForward
        // found (TensorFlow's stream executor, ONNX Runtime's fused Conv, MNN, oneDNN's NVIDIA backend) passes it, and
        // TensorFlow's source notes it is the only mode cuDNN supports in that call (a note from cuDNN 6). cuDNN 9's
        // cudnn_cnn API reference (docs.nvidia.com/deeplearning/cudnn/backend/v9.6.0/api/cudnn-cnn-library.html) could
        // not be read past its opening in the stored copy available here, so this rests on those callers and on the
        // fallback chain in ConvCall: a NOT_SUPPORTED fused call falls back to the unfused sequence instead of failing.
        // With finite inputs the two modes give identical results (they differ only for NaN inputs to the ReLU).
        cudnn.check(cudnn.setActivation(act, activationMode(c.activation()), CUDNN_NOT_PROPAGATE_NAN, c.coef()),
                "cudnnSetActivationDescriptor" + what);
    }

    long x() {
        return x;
    }

    long y() {
        return y;
    }

    long bias() {
        return bias;
    }

    long w() {
        return w;
    }

    long conv() {
        return conv;
    }

    long act() {
        return act;
    }

    /** Destroys every descriptor that exists (statuses ignored: close runs in cleanup paths and must not throw). */
    @Override
    public void close() {
        if (act != 0) {
            cudnn.destroyActivation(act);
            act = 0;
        }
        if (conv != 0) {
            cudnn.destroyConvolution(conv);
            conv = 0;
        }
        if (w != 0) {
            cudnn.destroyFilter(w);
            w = 0;
        }
        for (long d : new long[] {bias, y, x}) {
            if (d != 0) {
                cudnn.destroyTensor(d);
            }
        }
        bias = 0;
        y = 0;
        x = 0;
    }
}
