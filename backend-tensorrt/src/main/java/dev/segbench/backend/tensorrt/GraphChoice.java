package dev.segbench.backend.tensorrt;

import dev.segbench.api.BackendException;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelException;
import dev.segbench.api.ModelSource;

/**
 * Which ONNX graph a session builds its engine from: the FP16 graph for FP16 sessions (FP16 weights and Casts
 * inside, so the strongly typed network computes in FP16), the FP32 graph for FP32, each in the labels-out or
 * logits variant.
 */
public final class GraphChoice {

    private GraphChoice() {
    }

    /** Asks {@code model} for the graph variant the settings call for and checks it is the one returned. */
    public static ModelArtifact select(ModelSource model, TensorRtSettings settings) throws BackendException {
        ModelArtifact artifact;
        try {
            artifact = model.artifact(settings.precision(), settings.labelsOut());
        } catch (ModelException e) {
            throw new BackendException(BackendException.Code.MODEL_INVALID,
                    "cannot export " + model.info().id() + " (" + settings.precision().id()
                            + (settings.labelsOut() ? ", labels-out" : "") + "): " + e.getMessage(), e);
        }
        if (artifact.precision() != settings.precision() || artifact.labelsOut() != settings.labelsOut()) {
            throw new BackendException(BackendException.Code.MODEL_INVALID, "model " + model.info().id()
                    + " returned the " + artifact.precision().id() + (artifact.labelsOut() ? " labels-out" : " logits")
                    + " graph when asked for " + settings.precision().id()
                    + (settings.labelsOut() ? " labels-out" : " logits"));
        }
        return artifact;
    }
}
