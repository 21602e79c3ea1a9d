package dev.segbench.backend.tensorrt;

import dev.segbench.api.BackendException;
import dev.segbench.api.CalibrationTable;
import dev.segbench.api.Int8Activations;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelException;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;

/**
 * Which ONNX graph a session builds its engine from: the FP16 graph for FP16 sessions (FP16 weights and Casts
 * inside, so the strongly typed network computes in FP16), the FP32 graph for FP32, the symmetric int8 QDQ graph
 * for INT8 (explicit quantization), each in the labels-out or logits variant.
 */
public final class GraphChoice {

    private GraphChoice() {
    }

    /** The activation flavour TensorRT's explicit quantization takes: symmetric int8 Q/DQ, biases left in float. */
    public static final Int8Activations INT8_ACTIVATIONS = Int8Activations.SYMMETRIC_INT8;

    /** Asks {@code model} for the graph variant the settings call for and checks it is the one returned. */
    public static ModelArtifact select(ModelSource model, TensorRtSettings settings) throws BackendException {
        return select(model, settings, null);
    }

    /**
     * As {@link #select(ModelSource, TensorRtSettings)}; an INT8 session takes the symmetric QDQ graph built from
     * {@code calibration} (the session options' table), which the strongly typed network then runs in int8 wherever
     * the Q/DQ pairs say so.
     */
    public static ModelArtifact select(ModelSource model, TensorRtSettings settings, CalibrationTable calibration)
            throws BackendException {
        ModelArtifact artifact;
        try {
            if (settings.precision() == Precision.INT8) {
                if (calibration == null) {
                    throw new IllegalArgumentException("an int8 session needs a calibration table in its options"
                            + " (SessionOptions.withCalibration); none was given for " + model.info().id());
                }
                ModelSource.Int8Graphs int8 = model.int8().orElseThrow(() -> new BackendException(
                        BackendException.Code.UNSUPPORTED_OP, "model " + model.info().id() + " has no int8 graph"));
                artifact = int8.artifact(calibration, INT8_ACTIVATIONS, settings.labelsOut());
            } else {
                artifact = model.artifact(settings.precision(), settings.labelsOut());
            }
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
