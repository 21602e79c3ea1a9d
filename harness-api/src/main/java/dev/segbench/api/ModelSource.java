package dev.segbench.api;

import java.util.List;
import java.util.Optional;

/** A model bound to its weights; hands out ONNX graph variants on demand (cached by the implementation). */
public interface ModelSource {

    ModelInfo info();

    WeightsInfo weights();

    /**
     * The ONNX graph in one variant.
     *
     * @param precision FP16 means FP16 weights and compute with FP32 input/output through Casts; INT8 needs a
     *                  calibration table, so INT8 graphs come from {@link #int8()} instead
     * @param labelsOut true: upsampling to input size and ArgMax inside the graph, UINT8 labels out
     */
    ModelArtifact artifact(Precision precision, boolean labelsOut) throws ModelException;

    /** The model's calibrated int8 graphs, or empty when it has none (backends then refuse INT8 saying so). */
    default Optional<Int8Graphs> int8() {
        return Optional.empty();
    }

    /**
     * Int8 in two steps, as TensorRT and ONNX Runtime's static quantization do it: run the {@link #calibrationGraph()
     * calibration graph} on sample images to get a {@link CalibrationTable}, then build the QDQ graph from it.
     */
    interface Int8Graphs {

        /**
         * Identifies the calibrated tensors and the Q/DQ placement; it changes whenever they do, so that a cached
         * {@link CalibrationTable} made for another graph is not reused (it is part of {@link CalibrationTable.Key}).
         */
        String graphVersion();

        /** The FP32 graph with every tensor the int8 graph quantizes as an extra output. */
        CalibrationGraph calibrationGraph() throws ModelException;

        /**
         * The QDQ int8 graph ({@link ModelArtifact#precision()} INT8): QuantizeLinear/DequantizeLinear pairs at the
         * calibrated scales of {@code table} in the {@code activations} flavour, per-output-channel int8 weights.
         * Refuses a table made for another model, weights or graph version.
         */
        ModelArtifact artifact(CalibrationTable table, Int8Activations activations, boolean labelsOut)
                throws ModelException;
    }

    /**
     * An FP32 graph with the usual input and "logits" output, plus one extra FP32 output per tensor to calibrate,
     * named as the tensor ({@link CalibrationTable} keys use the same names).
     */
    record CalibrationGraph(ModelArtifact artifact, List<String> tensors) {
        public CalibrationGraph {
            tensors = List.copyOf(tensors);
        }
    }
}
