package dev.segbench.models;

/**
 * Receives the network one layer at a time from {@link NasSegmNetwork}, which owns the architecture:
 * one implementation emits the ONNX graph, another counts tensors, parameters and multiply-adds, so
 * the definition exists exactly once. Each method returns the name of the value it produced.
 */
interface LayerSink {

    /** A feature map: value name, static channel count and stride (pooled maps are 1x1). */
    record Feature(String name, int channels, int stride, boolean pooled) {
    }

    /**
     * A convolution with checkpoint keys {@code weightKey.weight}, optional BatchNorm
     * {@code batchNormKey.{weight,bias,running_mean,running_var}} folded into it, and optional own
     * {@code weightKey.bias}.
     */
    record Conv(String weightKey, String batchNormKey, boolean bias, int inChannels, int outChannels,
                int kernel, int stride, int padding, int dilation, int groups) {

        long[] weightShape() {
            return new long[] {outChannels, inChannels / groups, kernel, kernel};
        }
    }

    enum Activation { RELU, RELU6 }

    String conv(Feature x, Conv conv);

    /** A conv whose weights the checkpoint holds but whose output no inference path reads: never computed. */
    void unused(Conv conv);

    String activation(Feature x, Activation activation);

    /** Element-wise sum of two maps of the same shape. */
    String add(Feature a, Feature b);

    /** Bilinear (half_pixel) resize of {@code x} to the spatial size of {@code like}. */
    String upsample(Feature x, Feature like);

    /** Channel concatenation of two maps of the same spatial size. */
    String concat(Feature a, Feature b);

    /** Mean over H and W, keeping a 1x1 map. */
    String globalAveragePool(Feature x);

    /** A 1x1 map repeated to the spatial size (and batch) of {@code like}, which has as many channels. */
    String broadcast(Feature pooled, Feature like);

    /** A map of zeros shaped like {@code x}. */
    String zeros(Feature x);
}
