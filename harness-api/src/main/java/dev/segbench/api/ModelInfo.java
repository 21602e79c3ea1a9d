package dev.segbench.api;

import java.util.List;

/** What a catalogue says about a model before any weights are loaded: its input and output contract. */
public interface ModelInfo {

    String id();

    /** One line for `segbench models`. */
    String description();

    /** The architecture in the catalogue's own notation (for NAS-segm, the genotype list). */
    String genotype();

    /** Class names in output-channel order. */
    List<String> classNames();

    default int numClasses() {
        return classNames().size();
    }

    Preprocessing preprocessing();

    /** Output logits are ceil(input / stride) on each side. */
    int outputStride();

    /** Parameters of the inference graph (BN folded or not, the count is of the trained model's tensors). */
    long parameterCount();

    /** Multiply-adds of one forward pass at this input size; negative when the model cannot tell. */
    long multiplyAdds(int height, int width);

    /** Facts `segbench models` shows under the table (a model file's path, sha256, opset, inputs, outputs). */
    default java.util.Map<String, String> details() {
        return java.util.Map.of();
    }
}
