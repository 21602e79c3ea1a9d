package dev.segbench.onnx.graph;

import java.util.List;

/** Small graphs with the op patterns of the NAS-segm models, built with {@link OnnxBuilder}. */
public final class TestGraphs {

    private TestGraphs() {
    }

    /** Encoder-like: stride-2 convs, ReLU6, depthwise, projection with a residual Add. Output "logits". */
    public static byte[] mobileBlock(long seed) {
        return mobileBlock(seed, 17);
    }

    public static byte[] mobileBlockAtOpset(int opset) {
        return mobileBlock(1, opset);
    }

    public static byte[] mobileBlock(long seed, int opset) {
        OnnxBuilder b = new OnnxBuilder(seed).opset(opset).input("input", 1, 3).output("logits", 1, 4);
        String x = b.relu6(b.conv("input", 3, 8, 3, 2, 1, 1, 1, true));
        String e = b.relu6(b.conv(x, 8, 16, 1, 1, 0, 1, 1, true));
        String d = b.relu6(b.conv(e, 16, 16, 3, 1, 1, 1, 16, true));
        String p = b.conv(d, 16, 8, 1, 1, 0, 1, 1, true);
        String r = b.node("Add", List.of(p, x));
        String e2 = b.relu6(b.conv(r, 8, 24, 1, 1, 0, 1, 1, true));
        String d2 = b.relu6(b.conv(e2, 24, 24, 3, 2, 1, 1, 24, true));
        String w = b.floatInit(new long[] {12, 24, 1, 1}, 0.2f);
        String bias = b.floatInit(new long[] {12}, 0.1f);
        b.nodeNamed("logits", "Conv", List.of(d2, w, bias), "kernel_shape", new long[] {1, 1});
        return b.build();
    }

    /** Decoder-like: dilated and depthwise-dilated convs, GAP + Expand, shape-computed Resize, Concat. */
    public static OnnxBuilder decoder(long seed, String outName) {
        OnnxBuilder b = new OnnxBuilder(seed).input("input", 1, 3);
        String a = b.node("Relu", List.of(b.conv("input", 3, 8, 1, 1, 0, 1, 1, true)));
        String half = b.node("Relu", List.of(b.conv("input", 3, 8, 3, 2, 1, 1, 1, true)));
        String dil = b.node("Relu", List.of(b.conv(a, 8, 8, 3, 1, 3, 3, 1, true)));
        String sep = b.node("Relu", List.of(b.conv(b.conv(dil, 8, 8, 5, 1, 12, 6, 8, false), 8, 8, 1, 1, 0, 1, 1, true)));
        String pooled = b.node("GlobalAveragePool", List.of(half));
        String gap = b.node("Relu", List.of(b.conv(pooled, 8, 8, 1, 1, 0, 1, 1, true)));
        String expanded = b.node("Expand", List.of(gap, b.node("Shape", List.of(half))));
        String sumHalf = b.node("Add", List.of(expanded, b.node("Relu", List.of(b.conv(half, 8, 8, 1, 1, 0, 1, 1, true)))));
        String up = b.resizeLike(sumHalf, a);
        String cell = b.node("Add", List.of(sep, up));
        String cat = b.node("Relu", List.of(b.node("Concat", List.of(a, cell), "axis", 1L)));
        String pre = b.node("Relu", List.of(b.conv(cat, 16, 8, 1, 1, 0, 1, 1, false)));
        String w = b.floatInit(new long[] {5, 8, 3, 3}, 0.2f);
        String bias = b.floatInit(new long[] {5}, 0.1f);
        b.nodeNamed(outName, "Conv", List.of(pre, w, bias), "kernel_shape", new long[] {3, 3}, "pads", new long[] {1, 1, 1, 1});
        return b;
    }

    public static byte[] decoder(long seed) {
        return decoder(seed, "logits").output("logits", 1, 4).build();
    }

    /** Decoder, upsampled to the input size, ArgMax over classes, Cast to uint8: output "labels" [N, H, W]. */
    public static byte[] labels(long seed) {
        OnnxBuilder b = decoder(seed, "scores");
        String up = b.resizeLike("scores", "input");
        String arg = b.node("ArgMax", List.of(up), "axis", 1L, "keepdims", 0L);
        b.nodeNamed("labels", "Cast", List.of(arg), "to", 2L);
        return b.output("labels", 2, 3).build();
    }

    /** FP16 body between FP32 boundary Casts, as in the models' FP16 variant. */
    public static byte[] halfPrecision(long seed) {
        OnnxBuilder b = new OnnxBuilder(seed).input("input", 1, 3).output("logits", 1, 4);
        String h = b.node("Cast", List.of("input"), "to", 10L);
        String c = b.node("Conv", List.of(h, b.halfInit(new long[] {8, 3, 3, 3}, 0.3f), b.halfInit(new long[] {8}, 0.1f)),
                "kernel_shape", new long[] {3, 3}, "pads", new long[] {1, 1, 1, 1}, "strides", new long[] {2, 2});
        String r = b.node("Relu", List.of(c));
        String d = b.node("Conv", List.of(r, b.halfInit(new long[] {8, 1, 3, 3}, 0.3f), b.halfInit(new long[] {8}, 0.1f)),
                "kernel_shape", new long[] {3, 3}, "pads", new long[] {1, 1, 1, 1}, "group", 8L);
        String sum = b.node("Add", List.of(d, r));
        b.nodeNamed("logits", "Cast", List.of(sum), "to", 1L);
        return b.build();
    }

    /** sizes = Concat(Shape(x)[0:2], Unsqueeze(Gather(Shape(x), 2) * 2), Unsqueeze(Cast(Gather(Shape(x), 3)) / 2)). */
    public static byte[] arithmeticResize() {
        OnnxBuilder b = new OnnxBuilder(5).input("input", 1, 3).output("logits", 1, 4);
        String shape = b.node("Shape", List.of("input"));
        String nc = b.node("Slice", List.of(shape, b.longInit(0), b.longInit(2), b.longInit(0), b.longInit(1)));
        String h = b.node("Mul", List.of(b.node("Gather", List.of(shape, b.longScalar(2)), "axis", 0L), b.longScalar(2)));
        String w = b.node("Div", List.of(b.node("Cast", List.of(b.node("Gather", List.of(shape, b.longScalar(3)))), "to", 7L),
                b.longScalar(2)));
        String axes = b.longInit(0);
        String sizes = b.node("Concat", List.of(nc, b.node("Unsqueeze", List.of(h, axes)), b.node("Unsqueeze", List.of(w, axes))),
                "axis", 0L);
        b.nodeNamed("logits", "Resize", List.of("input", "", "", sizes), "mode", "linear");
        return b.build();
    }

    /**
     * The ops of torchvision's MobileNetV3 segmentation heads on a few channels: hardswish (HardSigmoid then Mul), a
     * ceil-mode MaxPool, a squeeze-excitation gate (GlobalAveragePool, Conv, Sigmoid, broadcast Mul), and a Resize
     * whose sizes come from torchvision's shape sub-graph (Shape, Slice, Gather, Unsqueeze, Concat, Cast).
     */
    public static byte[] segmentationHead(long seed) {
        OnnxBuilder b = new OnnxBuilder(seed).opset(13).input("input", 1, 3).output("logits", 1, 4);
        String c = b.conv("input", 3, 8, 3, 2, 1, 1, 1, true);
        String hardswish = b.node("Mul", List.of(c, b.node("HardSigmoid", List.of(c), "alpha", 1f / 6)));
        String pooled = b.node("MaxPool", List.of(hardswish), "kernel_shape", new long[] {3, 3}, "strides", new long[] {2, 2},
                "pads", new long[] {1, 1, 1, 1}, "ceil_mode", 1L);
        String e = b.node("Relu", List.of(b.conv(pooled, 8, 12, 1, 1, 0, 1, 1, true)));
        String squeezed = b.conv(b.node("GlobalAveragePool", List.of(e)), 12, 12, 1, 1, 0, 1, 1, true);
        String gate = b.node("HardSigmoid", List.of(squeezed), "alpha", 0.25f, "beta", 0.4f);
        String scaled = b.node("Mul", List.of(gate, e));
        String mixed = b.node("Mul", List.of(scaled, b.node("Sigmoid", List.of(b.conv(scaled, 12, 12, 1, 1, 0, 1, 1, true)))));
        String scores = b.conv(mixed, 12, 5, 1, 1, 0, 1, 1, true);
        b.nodeNamed("logits", "Resize", List.of(scores, "", "", b.torchvisionSizes(scores, "input")), "mode", "linear",
                "coordinate_transformation_mode", "half_pixel");
        return b.build();
    }

    /**
     * Three MaxPools on the input: asymmetric pads, ceil_mode with a last window that would start in the padding
     * (dropped), and dilation with pads wider than half the window. Padding must never win a maximum.
     */
    public static byte[] maxPools() {
        OnnxBuilder b = new OnnxBuilder(6).opset(13).input("input", 1, 3).output("logits", 1, 4);
        String p1 = b.node("MaxPool", List.of("input"), "kernel_shape", new long[] {3, 3}, "strides", new long[] {2, 2},
                "pads", new long[] {0, 1, 1, 0});
        String p2 = b.node("MaxPool", List.of(p1), "kernel_shape", new long[] {2, 2}, "strides", new long[] {2, 2},
                "pads", new long[] {1, 1, 1, 1}, "ceil_mode", 1L);
        b.nodeNamed("logits", "MaxPool", List.of(p2), "kernel_shape", new long[] {3, 3}, "dilations", new long[] {2, 2},
                "pads", new long[] {2, 2, 2, 2});
        return b.build();
    }
}
