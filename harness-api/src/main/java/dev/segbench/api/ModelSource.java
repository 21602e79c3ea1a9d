package dev.segbench.api;

/** A model bound to its weights; hands out ONNX graph variants on demand (cached by the implementation). */
public interface ModelSource {

    ModelInfo info();

    WeightsInfo weights();

    /**
     * The ONNX graph in one variant.
     *
     * @param precision FP16 means FP16 weights and compute with FP32 input/output through Casts
     * @param labelsOut true: upsampling to input size and ArgMax inside the graph, UINT8 labels out
     */
    ModelArtifact artifact(Precision precision, boolean labelsOut) throws ModelException;
}
