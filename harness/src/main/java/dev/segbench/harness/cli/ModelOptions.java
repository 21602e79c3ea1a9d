package dev.segbench.harness.cli;

import dev.segbench.api.ModelException;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.WeightsSpec;
import dev.segbench.results.UserException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options that pick one model, its weights and a precision ({@code predict}, {@code models export}). */
final class ModelOptions {

    /** Splits --models at commas, but not inside an option's list of numbers ({@code mean=0.5,0.5,0.5}). */
    static final String SPLIT = ",(?![-+.0-9])";

    @Option(names = "--model", required = true, paramLabel = "MODEL", description = "Model id or onnx:PATH[?name=..&mean=..&std=..&input=..&output=..&layout=logits|labels].")
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
        if (weights != null && !Files.isRegularFile(weights)) {
            throw new UserException(weights + ": weights file " + (Files.exists(weights) ? "is not a regular file" : "does not exist"));
        }
        return cli.plugins().loadModel(model, weights == null ? WeightsSpec.seeded(seed) : WeightsSpec.checkpoint(weights));
    }
}
