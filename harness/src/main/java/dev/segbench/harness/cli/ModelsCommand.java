package dev.segbench.harness.cli;

import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelCatalog;
import dev.segbench.api.ModelInfo;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.WeightsSpec;
import dev.segbench.api.results.AtomicFiles;
import dev.segbench.harness.UserException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code segbench models} and {@code segbench models export}. */
@Command(name = "models", mixinStandardHelpOptions = true, description = "List models: parameters, GMACs at 512x512, output stride, genotype.",
        subcommands = ModelsCommand.Export.class)
final class ModelsCommand implements Callable<Integer> {

    @ParentCommand
    Cli cli;

    @Override
    public Integer call() {
        List<List<String>> rows = new ArrayList<>();
        for (ModelInfo m : cli.plugins().models()) {
            rows.add(List.of(m.id(), Table.fmt("%.2fM", m.parameterCount() / 1e6),
                    Table.fmt("%.2f", m.multiplyAdds(512, 512) / 1e9), String.valueOf(m.outputStride()), m.genotype()));
        }
        cli.out.println(Table.render(List.of("id", "params", "GMACs@512", "stride", "genotype"), rows));
        cli.plugins().warnings().forEach(w -> cli.out.println("warning: " + w));
        return 0;
    }

    static ModelSource load(Cli cli, String model, Path weights, long seed) throws Exception {
        ModelCatalog catalog = cli.plugins().catalogFor(model).orElseThrow(() -> new UserException("unknown model '" + model
                + "' (known: " + cli.plugins().models().stream().map(ModelInfo::id).collect(Collectors.joining(", ")) + ")"));
        if (weights != null && !Files.isRegularFile(weights)) {
            throw new UserException(weights + ": weights file " + (Files.exists(weights) ? "is not a regular file" : "does not exist"));
        }
        return catalog.load(model, weights == null ? WeightsSpec.seeded(seed) : WeightsSpec.checkpoint(weights));
    }

    static Precision precision(String text) {
        try {
            return Precision.parse(text);
        } catch (IllegalArgumentException e) {
            throw new UserException("--precision: " + e.getMessage());
        }
    }

    /** {@code segbench models export}: one ONNX graph variant to a file. */
    @Command(name = "export", mixinStandardHelpOptions = true, description = "Write a model's ONNX graph (atomically).")
    static final class Export implements Callable<Integer> {

        @ParentCommand
        ModelsCommand models;

        @Option(names = "--model", required = true, description = "Model id.")
        String model;

        @Option(names = "--weights", paramLabel = "FILE", description = "Checkpoint (default: seeded untrained weights).")
        Path weights;

        @Option(names = "--seed", defaultValue = "" + WeightsSpec.DEFAULT_SEED, paramLabel = "SEED", description = "Seed of untrained weights (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--precision", defaultValue = "fp32", description = "fp32 or fp16 (default: ${DEFAULT-VALUE}).")
        String precision;

        @Option(names = "--labels-out", description = "Upsampling and ArgMax inside the graph: UINT8 labels out.")
        boolean labelsOut;

        @Option(names = "--out", required = true, paramLabel = "FILE.onnx", description = "Where to write the graph.")
        Path out;

        @Override
        public Integer call() throws Exception {
            Cli cli = models.cli;
            ModelArtifact artifact = load(cli, model, weights, seed).artifact(precision(precision), labelsOut);
            AtomicFiles.write(out, artifact.onnx());
            cli.out.println("wrote " + out + " (" + artifact.modelId() + ", " + artifact.precision().id()
                    + (artifact.labelsOut() ? ", labels out" : ", logits out") + ", sha256 " + artifact.onnxSha256() + ")");
            return 0;
        }
    }
}
