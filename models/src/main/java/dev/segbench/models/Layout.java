package dev.segbench.models;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a genotype's network holds and costs: the state_dict tensors it expects (name -> shape, in
 * checkpoint order, BN running statistics included), the trained-parameter count, and multiply-adds
 * at one input size.
 *
 * <p>Multiply-adds count convolutions only: out_h * out_w * out_channels * (in_channels / groups) *
 * k * k per conv, with BN folded into it (no extra cost); activations, sums, resizes and pooling are
 * left out, and so is the encoder tap adaptation no merge cell reads (PyTorch computes it and discards it; our
 * graph leaves it out). This lands 3-5% below the architecture document's figures at 512x512 (4.21 / 2.85 / 3.37 G
 * against 4.42 / 2.93 / 3.48 G), whose counter evidently charges some element-wise work too.
 */
final class Layout implements LayerSink {

    private static final String[] BN_TENSORS = {"weight", "bias", "running_mean", "running_var"};

    private final int height;
    private final int width;
    private final Map<String, long[]> tensors = new LinkedHashMap<>();
    private long parameters;
    private long multiplyAdds;

    private Layout(int height, int width) {
        this.height = height;
        this.width = width;
    }

    static Layout of(Genotype genotype, int numClasses, int height, int width) {
        Layout layout = new Layout(height, width);
        NasSegmNetwork.emit(genotype, numClasses, layout, new Feature("input", 3, 1, false));
        return layout;
    }

    static Layout of(Genotype genotype, int numClasses) {
        return of(genotype, numClasses, 0, 0);
    }

    /** Expected state_dict tensors (no num_batches_tracked, no aux cells), in checkpoint order. */
    Map<String, long[]> tensors() {
        return Collections.unmodifiableMap(tensors);
    }

    /** Trained parameters: conv weights and biases, BN gamma and beta (running statistics excluded). */
    long parameters() {
        return parameters;
    }

    long multiplyAdds() {
        return multiplyAdds;
    }

    static boolean isRunningStatistic(String key) {
        return key.endsWith(".running_mean") || key.endsWith(".running_var");
    }

    @Override
    public String conv(Feature x, Conv conv) {
        recordWeights(conv);
        long outSide = x.pooled() ? 1 : side(height, x.stride() * conv.stride()) * side(width, x.stride() * conv.stride());
        long[] w = conv.weightShape();
        multiplyAdds += outSide * w[0] * w[1] * w[2] * w[3];
        return conv.weightKey();
    }

    @Override
    public void unused(Conv conv) {
        recordWeights(conv); // in the checkpoint, not computed at inference
    }

    private void recordWeights(Conv conv) {
        record(conv.weightKey() + ".weight", conv.weightShape());
        if (conv.bias()) {
            record(conv.weightKey() + ".bias", new long[] {conv.outChannels()});
        }
        if (conv.batchNormKey() != null) {
            for (String t : BN_TENSORS) {
                record(conv.batchNormKey() + "." + t, new long[] {conv.outChannels()});
            }
        }
    }

    private static long side(int n, int stride) {
        return (n + stride - 1) / stride; // every stride-2 conv maps n to ceil(n / 2)
    }

    private void record(String key, long[] shape) {
        tensors.put(key, shape);
        if (!isRunningStatistic(key)) {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            parameters += n;
        }
    }

    @Override
    public String activation(Feature x, Activation activation) {
        return x.name();
    }

    @Override
    public String add(Feature a, Feature b) {
        return a.name();
    }

    @Override
    public String upsample(Feature x, Feature like) {
        return x.name();
    }

    @Override
    public String concat(Feature a, Feature b) {
        return a.name();
    }

    @Override
    public String globalAveragePool(Feature x) {
        return x.name();
    }

    @Override
    public String broadcast(Feature pooled, Feature like) {
        return pooled.name();
    }

    @Override
    public String zeros(Feature x) {
        return x.name();
    }
}
