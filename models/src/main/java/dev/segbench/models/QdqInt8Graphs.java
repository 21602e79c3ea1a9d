package dev.segbench.models;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.segbench.api.CalibrationTable;
import dev.segbench.api.Int8Activations;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelException;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.WeightsInfo;
import dev.segbench.api.io.Sha256;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The int8 view of a float model through {@link QdqGraphs}: its calibration graph and QDQ graphs, built on demand and
 * kept. The built-in and the file models differ only in where their float graphs and placements come from.
 */
final class QdqInt8Graphs implements ModelSource.Int8Graphs {

    private record Variant(String tableSha256, Int8Activations activations, boolean labelsOut, Set<String> floatLayers) {
    }

    /** Something of the float model, with logits out or with the labels-out head. */
    @FunctionalInterface
    interface ForHead<T> {
        T of(boolean labelsOut);
    }

    private final String modelId;
    private final WeightsInfo weights;
    private final ForHead<ModelProto> fp32Graphs;
    private final ForHead<QdqGraphs.Plan> plans;
    private final String versionSuffix;
    private final Map<Variant, ModelArtifact> artifacts = new HashMap<>();
    private ModelSource.CalibrationGraph calibrationGraph;

    /**
     * @param fp32Graphs    the float graph
     * @param plans         the Q/DQ placement on it
     * @param versionSuffix added to the placement's graph version: what else decides the calibrated ranges ("" if
     *                      nothing)
     */
    QdqInt8Graphs(String modelId, WeightsInfo weights, ForHead<ModelProto> fp32Graphs, ForHead<QdqGraphs.Plan> plans,
                  String versionSuffix) {
        this.modelId = modelId;
        this.weights = weights;
        this.fp32Graphs = fp32Graphs;
        this.plans = plans;
        this.versionSuffix = versionSuffix;
    }

    private ModelProto fp32Graph(boolean labelsOut) {
        return fp32Graphs.of(labelsOut);
    }

    private QdqGraphs.Plan plan(boolean labelsOut) {
        return plans.of(labelsOut);
    }

    @Override
    public String graphVersion() {
        return plan(false).graphVersion() + versionSuffix;
    }

    @Override
    public synchronized ModelSource.CalibrationGraph calibrationGraph() {
        if (calibrationGraph == null) {
            QdqGraphs.Plan plan = plan(false);
            byte[] onnx = QdqGraphs.calibrationGraph(fp32Graph(false), plan).toByteArray();
            calibrationGraph = new ModelSource.CalibrationGraph(new ModelArtifact(modelId, Precision.FP32, false, onnx,
                    Sha256.hex(onnx), weights), plan.calibrated());
        }
        return calibrationGraph;
    }

    @Override
    public List<ModelSource.Layer> quantizableLayers() {
        return QdqGraphs.layers(fp32Graph(false).getGraph(), plan(false));
    }

    @Override
    public ModelArtifact artifact(CalibrationTable table, Int8Activations activations, boolean labelsOut)
            throws ModelException {
        return artifact(table, activations, labelsOut, Set.of());
    }

    @Override
    public synchronized ModelArtifact artifact(CalibrationTable table, Int8Activations activations, boolean labelsOut,
                                               Set<String> floatLayers) throws ModelException {
        CalibrationTable.Key key = table.key();
        String mismatch = !key.modelId().equals(modelId) ? "model " + key.modelId()
                : !key.weightsSha256().equals(weights.sha256()) ? "weights " + key.weightsSha256()
                : !key.graphVersion().equals(graphVersion()) ? "graph version " + key.graphVersion() : null;
        if (mismatch != null) {
            throw new ModelException("the calibration table was made for " + mismatch + ", not for " + modelId
                    + " with weights " + weights.sha256() + " (graph version " + graphVersion() + ")");
        }
        Variant variant = new Variant(table.sha256(), activations, labelsOut, Set.copyOf(floatLayers));
        ModelArtifact known = artifacts.get(variant);
        if (known == null) {
            byte[] onnx = QdqGraphs.quantize(fp32Graph(labelsOut), plan(labelsOut), table,
                    QdqGraphs.Options.of(activations), floatLayers).toByteArray();
            known = new ModelArtifact(modelId, Precision.INT8, labelsOut, onnx, Sha256.hex(onnx), weights);
            artifacts.put(variant, known);
        }
        return known;
    }
}
