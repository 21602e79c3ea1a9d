package dev.segbench.onnx.graph;

/** One ONNX node attribute; only the field matching its kind is meaningful. */
public record Attribute(String name, Kind kind, long i, float f, String s, long[] ints, float[] floats, Constant tensor) {

    public enum Kind { INT, FLOAT, STRING, INTS, FLOATS, TENSOR, OTHER }

    public static Attribute ofInt(String name, long value) {
        return new Attribute(name, Kind.INT, value, 0, null, null, null, null);
    }

    public static Attribute ofInts(String name, long... values) {
        return new Attribute(name, Kind.INTS, 0, 0, null, values.clone(), null, null);
    }

    public static Attribute ofFloat(String name, float value) {
        return new Attribute(name, Kind.FLOAT, 0, value, null, null, null, null);
    }

    public static Attribute ofString(String name, String value) {
        return new Attribute(name, Kind.STRING, 0, 0, value, null, null, null);
    }
}
