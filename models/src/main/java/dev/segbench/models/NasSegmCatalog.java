package dev.segbench.models;

import dev.segbench.api.ModelCatalog;
import dev.segbench.api.ModelException;
import dev.segbench.api.ModelInfo;
import dev.segbench.api.ModelSource;
import dev.segbench.api.WeightsInfo;
import dev.segbench.api.WeightsSpec;
import dev.segbench.models.checkpoint.Checkpoint;
import dev.segbench.models.checkpoint.CheckpointReader;
import java.util.List;

/**
 * The three NAS-segm PASCAL VOC models (arch0, arch1, arch2) of nas-segm-architecture.md, built as
 * ONNX graphs from their genotypes; weights come from a released-format checkpoint or a seed.
 */
public final class NasSegmCatalog implements ModelCatalog {

    public static final String NAME = "nas-segm";

    private final List<NasSegmModel> models;

    public NasSegmCatalog() {
        models = List.of(
                model("arch0", "[[8, [0,0,5,2], [0,2,8,8], [0,5,1,4]], [[3,3], [3,2], [3,0]]]", "segm-23378522.pth"),
                model("arch1", "[[2, [1,0,3,6], [0,1,2,8], [2,0,6,1]], [[2,3], [3,1], [4,4]]]", "segm-12f78b21.pth"),
                model("arch2", "[[5, [0,0,4,1], [3,2,0,1], [5,6,5,0]], [[1,3], [4,3], [2,2]]]", "segm-8f00fc4d.pth"));
    }

    private static NasSegmModel model(String id, String genotype, String releasedCheckpoint) {
        try {
            return new NasSegmModel(id, Genotype.parse(genotype), releasedCheckpoint);
        } catch (ModelException e) {
            throw new IllegalStateException("built-in genotype is invalid: " + e.getMessage(), e);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<ModelInfo> models() {
        return List.copyOf(models);
    }

    @Override
    public ModelSource load(String modelId, WeightsSpec weights) throws ModelException {
        NasSegmModel model = models.stream().filter(m -> m.id().equals(modelId)).findFirst()
                .orElseThrow(() -> new ModelException("unknown model '" + modelId + "' in catalogue " + NAME
                        + " (known: " + String.join(", ", models.stream().map(NasSegmModel::id).toList()) + ")"));
        return load(model, weights);
    }

    static ModelSource load(NasSegmModel model, WeightsSpec weights) throws ModelException {
        Layout layout = model.layout();
        if (weights.isSeeded()) {
            return new NasSegmModelSource(model, WeightsInfo.seeded(weights.seed()),
                    StateDict.seeded(layout, weights.seed()));
        }
        Checkpoint checkpoint = CheckpointReader.read(weights.checkpoint());
        StateDict state = StateDict.bind(layout, checkpoint.tensors(), weights.checkpoint().toString(),
                NAME + " " + model.id() + " " + model.genotype());
        return new NasSegmModelSource(model, WeightsInfo.checkpoint(checkpoint.sha256(), weights.checkpoint().toString()),
                state);
    }
}
