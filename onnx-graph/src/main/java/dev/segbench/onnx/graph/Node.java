package dev.segbench.onnx.graph;

import java.util.List;
import java.util.Map;

/** One ONNX node. Optional inputs that are absent are empty strings, as in ONNX. */
public record Node(String name, String op, List<String> inputs, List<String> outputs, Map<String, Attribute> attributes) {

    public Node {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        attributes = Map.copyOf(attributes);
    }

    /** "name (Op)" for error messages. */
    public String describe() {
        return "node '" + name + "' (" + op + ")";
    }

    public String input(int index) {
        return index < inputs.size() ? inputs.get(index) : "";
    }

    public boolean hasInput(int index) {
        return !input(index).isEmpty();
    }

    public long attrInt(String key, long fallback) {
        Attribute a = attributes.get(key);
        return a == null ? fallback : a.i();
    }

    public float attrFloat(String key, float fallback) {
        Attribute a = attributes.get(key);
        return a == null ? fallback : a.f();
    }

    public String attrString(String key, String fallback) {
        Attribute a = attributes.get(key);
        return a == null ? fallback : a.s();
    }

    public long[] attrInts(String key, long[] fallback) {
        Attribute a = attributes.get(key);
        return a == null ? fallback : a.ints().clone();
    }
}
