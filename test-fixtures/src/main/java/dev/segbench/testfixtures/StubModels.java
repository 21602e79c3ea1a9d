package dev.segbench.testfixtures;

import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelException;
import dev.segbench.api.ModelInfo;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.Preprocessing;
import dev.segbench.api.WeightsInfo;
import java.util.List;

/** Model descriptions and sources for tests that bring their own graphs (or none). */
public final class StubModels {

    private StubModels() {
    }

    /** Multiply-adds of one forward pass at an input size. */
    @FunctionalInterface
    public interface MultiplyAdds {
        long at(int height, int width);
    }

    /** Makes a source's artifact. */
    @FunctionalInterface
    public interface Artifacts {
        ModelArtifact make(Precision precision, boolean labelsOut) throws ModelException;
    }

    /** A {@link ModelInfo} given by its values. */
    public record Info(String id, String description, String genotype, List<String> classNames,
                       Preprocessing preprocessing, int outputStride, long parameterCount, MultiplyAdds macs)
            implements ModelInfo {

        public Info {
            classNames = List.copyOf(classNames);
        }

        @Override
        public long multiplyAdds(int height, int width) {
            return macs.at(height, width);
        }
    }

    /** A source of {@code info} and {@code weights} whose artifacts {@code artifacts} makes. */
    public static ModelSource source(ModelInfo info, WeightsInfo weights, Artifacts artifacts) {
        return new ModelSource() {
            @Override
            public ModelInfo info() {
                return info;
            }

            @Override
            public WeightsInfo weights() {
                return weights;
            }

            @Override
            public ModelArtifact artifact(Precision precision, boolean labelsOut) throws ModelException {
                return artifacts.make(precision, labelsOut);
            }
        };
    }
}
