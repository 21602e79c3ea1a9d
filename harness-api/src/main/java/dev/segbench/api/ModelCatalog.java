package dev.segbench.api;

import java.util.List;
import java.util.Optional;

/**
 * A set of models, found with {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.segbench.api.ModelCatalog}). Construction must be cheap.
 */
public interface ModelCatalog {

    /** Catalogue name ("nas-segm"). */
    String name();

    List<ModelInfo> models();

    default Optional<ModelInfo> find(String modelId) {
        return models().stream().filter(m -> m.id().equals(modelId)).findFirst();
    }

    /**
     * Binds a model to its weights: a checkpoint file when {@code weights.checkpoint()} is set
     * (verified and imported now, so errors surface before any run), else seeded untrained weights.
     */
    ModelSource load(String modelId, WeightsSpec weights) throws ModelException;

    /** The scheme of the {@link ModelSpec}s this catalogue opens ("onnx" for {@code onnx:PATH}), or empty for none. */
    default Optional<String> specScheme() {
        return Optional.empty();
    }

    /**
     * Opens a model named by a spec of {@link #specScheme()} (the model carries its own weights); an unknown option
     * or an unusable file is a one-line error naming it.
     */
    default ModelSource open(ModelSpec spec) throws ModelException {
        throw new ModelException(spec + ": catalogue " + name() + " opens no model specs");
    }
}
