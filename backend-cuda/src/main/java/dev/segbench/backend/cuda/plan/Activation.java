package dev.segbench.backend.cuda.plan;

/** The element-wise activation a step applies to its result: none, ReLU, or Clip(min, max) (ReLU6 = Clip(0, 6)). */
public record Activation(Kind kind, float min, float max) {

    public enum Kind { NONE, RELU, CLIP }

    public static final Activation NONE = new Activation(Kind.NONE, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
    public static final Activation RELU = new Activation(Kind.RELU, 0f, Float.POSITIVE_INFINITY);

    public static Activation clip(float min, float max) {
        return new Activation(Kind.CLIP, min, max);
    }

    public boolean isRelu6() {
        return kind == Kind.CLIP && min == 0f && max == 6f;
    }

    public float apply(float v) {
        return switch (kind) {
            case NONE -> v;
            case RELU -> v > 0 ? v : 0f;
            // NaN passes through, as in ONNX Clip
            case CLIP -> v < min ? min : (v > max ? max : v);
        };
    }

    @Override
    public String toString() {
        return switch (kind) {
            case NONE -> "none";
            case RELU -> "relu";
            case CLIP -> isRelu6() ? "relu6" : "clip(" + min + "," + max + ")";
        };
    }
}
