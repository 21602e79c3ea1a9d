package dev.segbench.onnx.graph;

import java.util.Arrays;

/**
 * A tensor whose value is known on the host: an initializer, a Constant node, or a folded shape computation.
 * Float types keep their values in {@code floats} (FP16 values are exactly representable there), integer and
 * bool types in {@code longs}.
 */
public record Constant(ElemType type, long[] shape, float[] floats, long[] longs) {

    public Constant {
        shape = shape.clone();
        long n = elementCount(shape);
        if (type.isFloat()) {
            if (floats == null || floats.length != n) {
                throw new IllegalArgumentException("constant " + type + Arrays.toString(shape) + " needs " + n + " floats");
            }
        } else if (longs == null || longs.length != n) {
            throw new IllegalArgumentException("constant " + type + Arrays.toString(shape) + " needs " + n + " integers");
        }
    }

    public static Constant ofLongs(long[] shape, long... values) {
        return new Constant(ElemType.INT64, shape, null, values);
    }

    public static Constant vector(long... values) {
        return ofLongs(new long[] {values.length}, values);
    }

    public static Constant ofFloats(ElemType type, long[] shape, float... values) {
        return new Constant(type, shape, values, null);
    }

    public static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** The same values under another integer type (or float type), without conversion checks. */
    public Constant withType(ElemType newType) {
        return newType.isFloat() ? new Constant(newType, shape, asFloats(), null) : new Constant(newType, shape, null, asLongs());
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long elementCount() {
        return elementCount(shape);
    }

    /** Values as integers (float constants are truncated toward zero, as ONNX Cast does). */
    public long[] asLongs() {
        if (longs != null) {
            return longs.clone();
        }
        long[] out = new long[floats.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (long) floats[i];
        }
        return out;
    }

    public float[] asFloats() {
        if (floats != null) {
            return floats.clone();
        }
        float[] out = new float[longs.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = longs[i];
        }
        return out;
    }

    /** The single value of a scalar or one-element tensor. */
    public double scalar() {
        if (elementCount() != 1) {
            throw new IllegalStateException("not a scalar: " + type + Arrays.toString(shape));
        }
        return floats != null ? floats[0] : longs[0];
    }

    @Override
    public String toString() {
        return "Constant[" + type + Arrays.toString(shape) + "]";
    }
}
