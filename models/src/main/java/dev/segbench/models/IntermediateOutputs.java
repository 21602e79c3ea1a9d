package dev.segbench.models;

import ai.onnx.proto.OnnxMl.ModelProto;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelException;
import dev.segbench.api.io.Sha256;

import java.util.List;

/**
 * A graph with some of its intermediate tensors as extra outputs, for a backend that returns extra graph outputs
 * ({@code InferenceResult.extraOutputs()}): how the int8 fallback search reads FP32 and int8 feature maps.
 */
public final class IntermediateOutputs {

    private IntermediateOutputs() {
    }

    /** {@code artifact} with each of {@code tensors} (rank-4 FP32 feature maps it computes) as an extra output. */
    public static ModelArtifact of(ModelArtifact artifact, List<String> tensors) throws ModelException {
        ModelProto model;
        try {
            model = ModelProto.parseFrom(artifact.onnx());
        } catch (InvalidProtocolBufferException e) {
            throw new ModelException(artifact.modelId() + ": not an ONNX graph: " + e.getMessage(), e);
        }
        byte[] onnx = QdqGraphs.withOutputs(model, tensors).toByteArray();
        return new ModelArtifact(artifact.modelId(), artifact.precision(), artifact.labelsOut(), onnx, Sha256.hex(onnx),
                artifact.weights());
    }
}
