package dev.segbench.models;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.segbench.api.io.Sha256;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelException;
import dev.segbench.api.ModelInfo;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.WeightsInfo;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** A model bound to validated weights; builds each (precision, labels-out) graph once and keeps it. */
final class NasSegmModelSource implements ModelSource {

    private record Variant(Precision precision, boolean labelsOut) {
    }

    private final NasSegmModel info;
    private final WeightsInfo weightsInfo;
    private final StateDict weights;
    private final Map<Variant, ModelArtifact> artifacts = new HashMap<>();
    private final Map<Boolean, ModelProto> fp32Graphs = new HashMap<>();
    private final Map<Boolean, QdqGraphs.Plan> plans = new HashMap<>();
    private QdqInt8Graphs int8;

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
    public synchronized Optional<Int8Graphs> int8() {
        if (int8 == null) {
            int8 = new QdqInt8Graphs(info.id(), weightsInfo, this::fp32Graph, this::plan, "");
        }
        return Optional.of(int8);
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
}
