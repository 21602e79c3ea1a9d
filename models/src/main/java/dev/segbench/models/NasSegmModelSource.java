package dev.segbench.models;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.segbench.api.CalibrationTable;
import dev.segbench.api.Int8Activations;
import dev.segbench.api.io.Sha256;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelException;
import dev.segbench.api.ModelInfo;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.WeightsInfo;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A model bound to validated weights; builds each (precision, labels-out) graph once and keeps it. */
final class NasSegmModelSource implements ModelSource {

    private record Variant(Precision precision, boolean labelsOut) {
    }

    private record Int8Variant(String tableSha256, Int8Activations activations, boolean labelsOut,
                               Set<String> floatLayers) {
    }

    private final NasSegmModel info;
    private final WeightsInfo weightsInfo;
    private final StateDict weights;
    private final Map<Variant, ModelArtifact> artifacts = new HashMap<>();
    private final Map<Int8Variant, ModelArtifact> int8Artifacts = new HashMap<>();
    private final Map<Boolean, ModelProto> fp32Graphs = new HashMap<>();
    private final Map<Boolean, QdqGraphs.Plan> plans = new HashMap<>();
    private CalibrationGraph calibrationGraph;

    NasSegmModelSource(NasSegmModel info, WeightsInfo weightsInfo, StateDict weights) {
        this.info = info;
        this.weightsInfo = weightsInfo;
        this.weights = weights;
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public WeightsInfo weights() {
        return weightsInfo;
    }

    @Override
    public synchronized ModelArtifact artifact(Precision precision, boolean labelsOut) throws ModelException {
        if (precision == Precision.INT8) {
            throw new ModelException(info.id() + ": the int8 graph is built from a calibration table"
                    + " (ModelSource.int8().artifact(table, ...)), not asked for by precision alone");
        }
        Variant variant = new Variant(precision, labelsOut);
        ModelArtifact known = artifacts.get(variant);
        if (known != null) {
            return known;
        }
        byte[] onnx;
        try {
            onnx = graph(precision, labelsOut).toByteArray();
        } catch (OnnxGraphBuilder.Fp16RangeException e) {
            throw new ModelException(weightsInfo.source() + ": cannot build the " + precision.id() + " graph of "
                    + info.id() + ": " + e.getMessage(), e);
        }
        ModelArtifact artifact = new ModelArtifact(info.id(), precision, labelsOut, onnx, Sha256.hex(onnx), weightsInfo);
        artifacts.put(variant, artifact);
        return artifact;
    }

    private ModelProto graph(Precision precision, boolean labelsOut) {
        return OnnxGraphBuilder.build(new OnnxGraphBuilder.Description(info.id(), info.architecture(),
                weightsInfo.sha256()), info.numClasses(), weights, precision, labelsOut);
    }

    @Override
    public Optional<Int8Graphs> int8() {
        return Optional.of(new Int8());
    }

    private synchronized ModelProto fp32Graph(boolean labelsOut) {
        return fp32Graphs.computeIfAbsent(labelsOut, l -> graph(Precision.FP32, l));
    }

    /** The placement, computed on the logits graph; the labels-out graph must quantize exactly the same tensors. */
    private synchronized QdqGraphs.Plan plan(boolean labelsOut) {
        QdqGraphs.Plan plan = plans.get(labelsOut);
        if (plan == null) {
            plan = QdqGraphs.plan(fp32Graph(labelsOut).getGraph());
            if (labelsOut && !plan.quantized().equals(plan(false).quantized())) {
                throw new IllegalStateException(info.id() + ": labels-out and logits graphs quantize different tensors");
            }
            plans.put(labelsOut, plan);
        }
        return plan;
    }

    /** The int8 view of this model: calibration graph and QDQ graphs, built on demand and kept. */
    private final class Int8 implements Int8Graphs {

        @Override
        public String graphVersion() {
            return plan(false).graphVersion();
        }

        @Override
        public CalibrationGraph calibrationGraph() {
            synchronized (NasSegmModelSource.this) {
                if (calibrationGraph == null) {
                    QdqGraphs.Plan plan = plan(false);
                    byte[] onnx = QdqGraphs.calibrationGraph(fp32Graph(false), plan).toByteArray();
                    calibrationGraph = new CalibrationGraph(new ModelArtifact(info.id(), Precision.FP32, false, onnx,
                            Sha256.hex(onnx), weightsInfo), plan.calibrated());
                }
                return calibrationGraph;
            }
        }

        @Override
        public List<Layer> quantizableLayers() {
            synchronized (NasSegmModelSource.this) {
                return QdqGraphs.layers(fp32Graph(false).getGraph(), plan(false));
            }
        }

        @Override
        public ModelArtifact artifact(CalibrationTable table, Int8Activations activations, boolean labelsOut)
                throws ModelException {
            return artifact(table, activations, labelsOut, Set.of());
        }

        @Override
        public ModelArtifact artifact(CalibrationTable table, Int8Activations activations, boolean labelsOut,
                                      Set<String> floatLayers) throws ModelException {
            CalibrationTable.Key key = table.key();
            String mismatch = !key.modelId().equals(info.id()) ? "model " + key.modelId()
                    : !key.weightsSha256().equals(weightsInfo.sha256()) ? "weights " + key.weightsSha256()
                    : !key.graphVersion().equals(graphVersion()) ? "graph version " + key.graphVersion() : null;
            if (mismatch != null) {
                throw new ModelException("the calibration table was made for " + mismatch + ", not for " + info.id()
                        + " with weights " + weightsInfo.sha256() + " (graph version " + graphVersion() + ")");
            }
            Int8Variant variant = new Int8Variant(table.sha256(), activations, labelsOut, Set.copyOf(floatLayers));
            synchronized (NasSegmModelSource.this) {
                ModelArtifact known = int8Artifacts.get(variant);
                if (known != null) {
                    return known;
                }
                byte[] onnx = QdqGraphs.quantize(fp32Graph(labelsOut), plan(labelsOut), table,
                        QdqGraphs.Options.of(activations), floatLayers).toByteArray();
                ModelArtifact artifact = new ModelArtifact(info.id(), Precision.INT8, labelsOut, onnx, Sha256.hex(onnx),
                        weightsInfo);
                int8Artifacts.put(variant, artifact);
                return artifact;
            }
        }
    }
}
