package dev.segbench.harness.cli;

import dev.segbench.api.ModelCatalog;
import dev.segbench.api.ModelException;
import dev.segbench.api.ModelInfo;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.WeightsSpec;
import dev.segbench.harness.UserException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import picocli.CommandLine.Option;

/** The options that pick one model, its weights and a precision ({@code predict}, {@code models export}). */
final class ModelOptions {

    @Option(names = "--model", required = true, description = "Model id.")
    String model;

    @Option(names = "--weights", paramLabel = "FILE", description = "Checkpoint (default: seeded untrained weights).")
    Path weights;

    @Option(names = "--seed", defaultValue = "" + WeightsSpec.DEFAULT_SEED, paramLabel = "SEED", description = "Seed of untrained weights (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--precision", defaultValue = "fp32", description = "fp32, fp16 or int8 (default: ${DEFAULT-VALUE}).")
    String precision;

    Precision precision() {
        try {
            return Precision.parse(precision);
        } catch (IllegalArgumentException e) {
            throw new UserException("--precision: " + e.getMessage());
        }
    }

    ModelSource load(Cli cli) throws ModelException {
        ModelCatalog catalog = cli.plugins().catalogFor(model).orElseThrow(() -> new UserException("unknown model '" + model
                + "' (known: " + cli.plugins().models().stream().map(ModelInfo::id).collect(Collectors.joining(", ")) + ")"));
        if (weights != null && !Files.isRegularFile(weights)) {
            throw new UserException(weights + ": weights file " + (Files.exists(weights) ? "is not a regular file" : "does not exist"));
        }
        return catalog.load(model, weights == null ? WeightsSpec.seeded(seed) : WeightsSpec.checkpoint(weights));
    }
}
