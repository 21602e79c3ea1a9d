package dev.segbench.harness.fakes;

import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelCatalog;
import dev.segbench.api.ModelException;
import dev.segbench.api.ModelInfo;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Preprocessing;
import dev.segbench.api.VocClasses;
import dev.segbench.api.WeightsInfo;
import dev.segbench.api.WeightsSpec;
import dev.segbench.testfixtures.StubModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;

/**
 * Test catalogue "fakes": "tiny" (stride 1), "tiny2" (stride 2), "tiny4" (stride 4) and "tiny3" (stride 1,
 * three classes). They carry no real graph; the
 * fake backend computes logits straight from the input: input value v at a pixel favours class v / 10.
 */
public final class FakeModels implements ModelCatalog {

    /** Identity preprocessing, so the backend sees raw pixel values. */
    public static final Preprocessing RAW = new Preprocessing(1f, new float[] {0, 0, 0}, new float[] {1, 1, 1});

    /** The classes of "tiny3", which matches the dataset "fake:N?classes=3". */
    public static final List<String> THREE_CLASSES = List.of("sky", "road", "car");

    public record Info(String id, int outputStride, List<String> classNames) implements ModelInfo {
        public Info(String id, int outputStride) {
            this(id, outputStride, VocClasses.NAMES);
        }

        @Override
        public String description() {
            return "fake model for tests";
        }

        @Override
        public String genotype() {
            return "[fake]";
        }

        @Override
        public Preprocessing preprocessing() {
            return RAW;
        }

        @Override
        public long parameterCount() {
            return 1234;
        }

        @Override
        public long multiplyAdds(int height, int width) {
            return (long) height * width;
        }
    }

    @Override
    public String name() {
        return "fakes";
    }

    @Override
    public List<ModelInfo> models() {
        return List.of(new Info("tiny", 1), new Info("tiny2", 2), new Info("tiny4", 4), new Info("tiny3", 1, THREE_CLASSES));
    }

    @Override
    public ModelSource load(String modelId, WeightsSpec weights) throws ModelException {
        ModelInfo info = find(modelId).orElseThrow(() -> new ModelException("no model " + modelId));
        WeightsInfo w;
        if (weights.isSeeded()) {
            w = WeightsInfo.seeded(weights.seed());
        } else {
            try {
                String text = Files.readString(weights.checkpoint(), StandardCharsets.UTF_8);
                if (!text.startsWith("fake-weights")) {
                    throw new ModelException(weights.checkpoint() + ": not a fake checkpoint");
                }
            } catch (java.io.IOException e) {
                throw new ModelException(weights.checkpoint() + ": cannot read (" + e.getMessage() + ")");
            }
            w = WeightsInfo.checkpoint("0".repeat(64), weights.checkpoint().toString());
        }
        return StubModels.source(info, w, (precision, labelsOut) -> new ModelArtifact(modelId, precision, labelsOut,
                "fake".getBytes(StandardCharsets.US_ASCII), "f".repeat(64), w));
    }
}
