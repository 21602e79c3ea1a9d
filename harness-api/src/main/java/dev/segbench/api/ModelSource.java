package dev.segbench.api;

import java.util.List;
import java.util.Optional;
import java.util.Set;

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

    /** Where {@link #withArtifacts} takes a model's graphs from. */
    @FunctionalInterface
    interface Artifacts {
        ModelArtifact artifact(Precision precision, boolean labelsOut) throws ModelException;
    }

    /**
     * This model (same info, weights and int8 graphs) whose graphs come from {@code artifacts}: a rewritten or fixed
     * graph for a backend to open as usual.
     */
    default ModelSource withArtifacts(Artifacts artifacts) {
        return forwarding(this, artifacts, this::int8);
    }

    /** This model with {@code graphs} as its int8 graphs (e.g. its own, {@link Int8Graphs#keepingInFloat} some layers). */
    default ModelSource withInt8(Optional<Int8Graphs> graphs) {
        return forwarding(this, this::artifact, () -> graphs);
    }

    /** {@code model}'s info and weights, with graphs from {@code artifacts} and int8 graphs from {@code int8}. */
    private static ModelSource forwarding(ModelSource model, Artifacts artifacts,
                                          java.util.function.Supplier<Optional<Int8Graphs>> int8) {
        return new ModelSource() {
            @Override
            public ModelInfo info() {
                return model.info();
            }

            @Override
            public WeightsInfo weights() {
                return model.weights();
            }

            @Override
            public ModelArtifact artifact(Precision precision, boolean labelsOut) throws ModelException {
                return artifacts.artifact(precision, labelsOut);
            }

            @Override
            public Optional<Int8Graphs> int8() {
                return int8.get();
            }
        };
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

        /**
         * The convolutions the int8 graph quantizes and that may be kept in float instead, in graph order (none by
         * default: a model that cannot keep layers in float says so by an empty list).
         */
        default List<Layer> quantizableLayers() {
            return List.of();
        }

        /**
         * The QDQ graph with the convolutions named in {@code floatLayers} kept in float: FP32 weights, and no
         * Quantize/Dequantize pair that only they would need. The same table serves every set (it holds a range for
         * every tensor the full int8 graph quantizes), so keeping layers in float needs no new calibration.
         *
         * @throws ModelException for a name that is not one of {@link #quantizableLayers()}
         */
        default ModelArtifact artifact(CalibrationTable table, Int8Activations activations, boolean labelsOut,
                                       Set<String> floatLayers) throws ModelException {
            if (!floatLayers.isEmpty()) {
                throw new ModelException("this model's int8 graph cannot keep layers in float");
            }
            return artifact(table, activations, labelsOut);
        }

        /** This model's int8 graphs with {@code floatLayers} kept in float wherever a backend asks for one. */
        default Int8Graphs keepingInFloat(Set<String> floatLayers) {
            Int8Graphs all = this;
            Set<String> kept = Set.copyOf(floatLayers);
            return new Int8Graphs() {
                @Override
                public String graphVersion() {
                    return all.graphVersion();
                }

                @Override
                public CalibrationGraph calibrationGraph() throws ModelException {
                    return all.calibrationGraph();
                }

                @Override
                public ModelArtifact artifact(CalibrationTable table, Int8Activations activations, boolean labelsOut)
                        throws ModelException {
                    return all.artifact(table, activations, labelsOut, kept);
                }

                @Override
                public List<Layer> quantizableLayers() {
                    return all.quantizableLayers();
                }
            };
        }
    }

    /**
     * A convolution of the int8 graph, by the names its float graph and its QDQ graph share.
     *
     * @param name   the Conv node's name
     * @param input  the activation it reads
     * @param output the tensor the int8 graph quantizes after it: the Conv's output, or the output of the Relu/Clip
     *               folded into it
     */
    record Layer(String name, String input, String output) {
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
