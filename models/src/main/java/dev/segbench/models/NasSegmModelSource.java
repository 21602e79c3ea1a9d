package dev.segbench.models;

import dev.segbench.api.io.Sha256;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelException;
import dev.segbench.api.ModelInfo;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.WeightsInfo;

import java.util.HashMap;
import java.util.Map;

/** A model bound to validated weights; builds each (precision, labels-out) graph once and keeps it. */
final class NasSegmModelSource implements ModelSource {

    private record Variant(Precision precision, boolean labelsOut) {
    }

    private final NasSegmModel info;
    private final WeightsInfo weightsInfo;
    private final StateDict weights;
    private final Map<Variant, ModelArtifact> artifacts = new HashMap<>();

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
        Variant variant = new Variant(precision, labelsOut);
        ModelArtifact known = artifacts.get(variant);
        if (known != null) {
            return known;
        }
        byte[] onnx;
        try {
            onnx = OnnxGraphBuilder.build(
                    new OnnxGraphBuilder.Description(info.id(), info.architecture(), weightsInfo.sha256()),
                    info.numClasses(), weights, precision, labelsOut).toByteArray();
        } catch (OnnxGraphBuilder.Fp16RangeException e) {
            throw new ModelException(weightsInfo.source() + ": cannot build the " + precision.id() + " graph of "
                    + info.id() + ": " + e.getMessage(), e);
        }
        ModelArtifact artifact = new ModelArtifact(info.id(), precision, labelsOut, onnx, Sha256.hex(onnx), weightsInfo);
        artifacts.put(variant, artifact);
        return artifact;
    }

}
