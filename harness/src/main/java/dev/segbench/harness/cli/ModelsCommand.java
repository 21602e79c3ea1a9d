package dev.segbench.harness.cli;

import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelInfo;
import dev.segbench.api.results.AtomicFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
            rows.add(List.of(m.id(), Table.fmt("%,d", m.parameterCount()),
                    Table.fmt("%.2f", m.multiplyAdds(512, 512) / 1e9), String.valueOf(m.outputStride()), m.genotype()));
        }
        cli.out.println(Table.render(List.of("id", "params", "GMACs@512", "stride", "genotype"), rows));
        cli.plugins().warnings().forEach(w -> cli.out.println("warning: " + w));
        return 0;
    }

    /** {@code segbench models export}: one ONNX graph variant to a file. */
    @Command(name = "export", mixinStandardHelpOptions = true, description = "Write a model's ONNX graph (atomically).")
    static final class Export implements Callable<Integer> {

        @ParentCommand
        ModelsCommand models;

        @Mixin
        ModelOptions modelOptions;

        @Option(names = "--labels-out", description = "Upsampling and ArgMax inside the graph: UINT8 labels out.")
        boolean labelsOut;

        @Option(names = "--out", required = true, paramLabel = "FILE.onnx", description = "Where to write the graph.")
        Path out;

        @Override
        public Integer call() throws Exception {
            Cli cli = models.cli;
            ModelArtifact artifact = modelOptions.load(cli).artifact(modelOptions.precision(), labelsOut);
            AtomicFiles.write(out, artifact.onnx());
            cli.out.println("wrote " + out + " (" + artifact.modelId() + ", " + artifact.precision().id()
                    + (artifact.labelsOut() ? ", labels out" : ", logits out") + ", sha256 " + artifact.onnxSha256() + ")");
            return 0;
        }
    }
}
