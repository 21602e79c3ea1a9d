package dev.segbench.models;

import dev.segbench.models.LayerSink.Activation;
import dev.segbench.models.LayerSink.Conv;
import dev.segbench.models.LayerSink.Feature;
import java.util.ArrayList;
import java.util.List;

/**
 * The inference-time NAS-segm network (nas-segm-architecture.md): truncated MobileNet-v2 encoder,
 * MicroDecoder with contextual and merge cells, collect, classifier. No auxiliary cells.
 * Walks the architecture once into a {@link LayerSink}, in the checkpoint's key order.
 */
final class NasSegmNetwork {

    static final int AGG_SIZE = 64;
    /** MobileNet-v2 stages layer2..layer8: (expansion t, out channels c, blocks n, first stride s). */
    private static final int[][] STAGES = {
        {1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
    /** Encoder layers whose outputs feed the decoder (strides 4, 8, 16, 32). */
    private static final List<Integer> TAPPED_LAYERS = List.of(3, 4, 6, 8);

    private final Genotype genotype;
    private final int numClasses;
    private final LayerSink sink;

    private NasSegmNetwork(Genotype genotype, int numClasses, LayerSink sink) {
        this.genotype = genotype;
        this.numClasses = numClasses;
        this.sink = sink;
    }

    /** Emits the whole network for the 3-channel {@code input}; returns the logits at the output stride. */
    static Feature emit(Genotype genotype, int numClasses, LayerSink sink, Feature input) {
        return new NasSegmNetwork(genotype, numClasses, sink).network(input);
    }

    private Feature network(Feature input) {
        List<Feature> pool = encoder(input);
        for (int i = 0; i < pool.size(); i++) {
            String key = "decoder.adapt" + (i + 1);
            if (readByAMergeCell(i)) {
                pool.set(i, convBnAct(pool.get(i), key + ".0", key + ".1", AGG_SIZE, 1, 1, 1, Activation.RELU));
            } else {
                // PyTorch computes this adaptation and drops it (its exporter removes it as dead code); the graph
                // leaves it out, the checkpoint still holds its weights.
                Feature tap = pool.get(i);
                sink.unused(new Conv(key + ".0", key + ".1", false, tap.channels(), AGG_SIZE, 1, 1, 0, 1, 1));
                pool.set(i, null);
            }
        }
        for (int k = 0; k < genotype.connections().size(); k++) {
            Genotype.Connection c = genotype.connections().get(k);
            String key = "decoder.cells." + k;
            Feature a = contextualCell(pool.get(c.i()), key + ".op_1");
            Feature b = contextualCell(pool.get(c.j()), key + ".op_2");
            a = convBnAct(a, key + ".agg.branch_1.0", key + ".agg.branch_1.1", AGG_SIZE, 1, 1, 1, Activation.RELU);
            b = convBnAct(b, key + ".agg.branch_2.0", key + ".agg.branch_2.1", AGG_SIZE, 1, 1, 1, Activation.RELU);
            pool.add(add(toFinerOf(a, b), toFinerOf(b, a)));
        }
        Feature out = null;
        for (int index : genotype.collected()) {
            Feature next = pool.get(index);
            out = out == null ? next : concat(toFinerOf(out, next), toFinerOf(next, out));
        }
        out = activation(out, Activation.RELU);
        out = convBnAct(out, "decoder.pre_clf.0", "decoder.pre_clf.1", AGG_SIZE, 1, 1, 1, Activation.RELU);
        return conv(out, new Conv("decoder.conv_clf", null, true, AGG_SIZE, numClasses, 3, 1, 1, 1, 1));
    }

    /** Whether some merge cell takes encoder tap {@code index} (the decoder collects only merge-cell outputs). */
    private boolean readByAMergeCell(int index) {
        return genotype.connections().stream().anyMatch(c -> c.i() == index || c.j() == index);
    }

    /**
     * {@code x} resized to {@code other}'s size when {@code other} is the larger map. Sizes follow
     * from strides (a side n is ceil(n / stride)), so "smaller" is decided here, not at run time.
     */
    private Feature toFinerOf(Feature x, Feature other) {
        return x.stride() > other.stride() ? new Feature(sink.upsample(x, other), x.channels(), other.stride(), false) : x;
    }

    private List<Feature> encoder(Feature input) {
        List<Feature> taps = new ArrayList<>();
        Feature x = convBnAct(input, "encoder.layer1.0", "encoder.layer1.1", 32, 3, 2, 1, Activation.RELU6);
        for (int s = 0; s < STAGES.length; s++) {
            int layer = s + 2;
            int[] cfg = STAGES[s];
            for (int b = 0; b < cfg[2]; b++) {
                x = invertedResidual(x, "encoder.layer" + layer + "." + b + ".conv.", cfg[1], b == 0 ? cfg[3] : 1, cfg[0]);
            }
            if (TAPPED_LAYERS.contains(layer)) {
                taps.add(x);
            }
        }
        return taps;
    }

    /** 1x1 expand (present even for t = 1), 3x3 depthwise, 1x1 project; residual when shapes allow. */
    private Feature invertedResidual(Feature x, String key, int out, int stride, int expansion) {
        int hidden = x.channels() * expansion;
        Feature h = convBnAct(x, key + "0", key + "1", hidden, 1, 1, 1, Activation.RELU6);
        h = conv(h, new Conv(key + "3", key + "4", false, hidden, hidden, 3, stride, 1, 1, hidden));
        h = activation(h, Activation.RELU6);
        h = conv(h, new Conv(key + "6", key + "7", false, hidden, out, 1, 1, 0, 1, 1));
        return stride == 1 && x.channels() == out ? add(x, h) : h;
    }

    /** f[0] = input; op0; then per block two ops and their sum; output = sum of the loose ends. */
    private Feature contextualCell(Feature input, String key) {
        List<Feature> f = new ArrayList<>();
        f.add(input);
        f.add(cellOp(genotype.firstOp(), input, key + "._ops.0"));
        for (int m = 1; m <= genotype.blocks().size(); m++) {
            Genotype.Block block = genotype.blocks().get(m - 1);
            Feature a = cellOp(block.a(), f.get(block.p()), key + "._ops." + (3 * m - 2));
            Feature b = cellOp(block.b(), f.get(block.q()), key + "._ops." + (3 * m - 1));
            f.add(a);
            f.add(b);
            f.add(add(a, b));
        }
        Feature out = null;
        for (int index : genotype.cellOutputs()) {
            out = out == null ? f.get(index) : add(out, f.get(index));
        }
        return out;
    }

    private Feature cellOp(int id, Feature x, String key) {
        CellOp op = CellOp.byId(id);
        return switch (op.kind) {
            case CONV -> convBnAct(x, key + ".0", key + ".1", AGG_SIZE, op.kernel, 1, op.dilation, Activation.RELU);
            case SEPARABLE -> {
                Feature y = x;
                for (int r = 0; r < CellOp.SEPARABLE_REPEATS; r++) {
                    String sep = key + ".op.sep_" + r;
                    y = conv(y, new Conv(sep + ".0", null, false, AGG_SIZE, AGG_SIZE, op.kernel, 1, op.padding(),
                            op.dilation, AGG_SIZE));
                    y = convBnAct(y, sep + ".1", sep + ".2", AGG_SIZE, 1, 1, 1, Activation.RELU);
                }
                yield y;
            }
            case GLOBAL_POOL -> {
                Feature pooled = new Feature(sink.globalAveragePool(x), x.channels(), x.stride(), true);
                pooled = convBnAct(pooled, key + ".conv1x1.0", key + ".conv1x1.1", AGG_SIZE, 1, 1, 1, Activation.RELU);
                yield new Feature(sink.broadcast(pooled, x), AGG_SIZE, x.stride(), false);
            }
            case IDENTITY -> x;
            case ZERO -> new Feature(sink.zeros(x), x.channels(), x.stride(), false);
        };
    }

    /** Conv (padding "same" for its kernel and dilation) + folded BN + activation. */
    private Feature convBnAct(Feature x, String convKey, String bnKey, int out, int kernel, int stride, int dilation,
                              Activation act) {
        Feature y = conv(x, new Conv(convKey, bnKey, false, x.channels(), out, kernel, stride,
                dilation * (kernel - 1) / 2, dilation, 1));
        return activation(y, act);
    }

    private Feature conv(Feature x, Conv conv) {
        return new Feature(sink.conv(x, conv), conv.outChannels(), x.stride() * conv.stride(), x.pooled());
    }

    private Feature activation(Feature x, Activation act) {
        return new Feature(sink.activation(x, act), x.channels(), x.stride(), x.pooled());
    }

    private Feature add(Feature a, Feature b) {
        return new Feature(sink.add(a, b), a.channels(), a.stride(), false);
    }

    private Feature concat(Feature a, Feature b) {
        return new Feature(sink.concat(a, b), a.channels() + b.channels(), a.stride(), false);
    }
}
