package dev.segbench.models;

import dev.segbench.api.ModelCatalog;
import dev.segbench.api.ModelException;
import dev.segbench.api.ModelInfo;
import dev.segbench.api.ModelSource;
import dev.segbench.api.ModelSpec;
import dev.segbench.api.WeightsSpec;
import java.util.List;
import java.util.Optional;

/** Models the user brings as ONNX files: {@code onnx:PATH[?name=..&mean=..&std=..&input=..&output=..&layout=..]}. */
public final class OnnxFileCatalog implements ModelCatalog {

    public static final String SCHEME = "onnx";

    @Override
    public String name() {
        return "onnx-file";
    }

    /** None listed: each model is named by its spec. */
    @Override
    public List<ModelInfo> models() {
        return List.of();
    }

    @Override
    public ModelSource load(String modelId, WeightsSpec weights) throws ModelException {
        throw new ModelException("unknown model '" + modelId + "': an ONNX file is named onnx:PATH");
    }

    @Override
    public Optional<String> specScheme() {
        return Optional.of(SCHEME);
    }

    @Override
    public ModelSource open(ModelSpec spec) throws ModelException {
        return OnnxFileModel.open(spec);
    }
}
