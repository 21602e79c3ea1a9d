package dev.segbench.harness.cli;

import dev.segbench.api.Backend;
import dev.segbench.api.CalibrationTable;
import dev.segbench.api.DatasetOptions;
import dev.segbench.api.Int8Activations;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelInfo;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.io.AtomicFiles;
import dev.segbench.results.UserException;
import dev.segbench.harness.calibration.FallbackSearch;
import dev.segbench.results.settings.Int8Fallback;
import dev.segbench.results.settings.CalibrationRequest;
import dev.segbench.harness.calibration.Calibrator;
import dev.segbench.harness.plugins.Plugins;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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

    @Option(names = "--models", split = ModelOptions.SPLIT, paramLabel = "MODEL",
            description = "Also show these models: onnx:PATH[?name=..&mean=..&std=..&input=..&output=..] (or catalogue ids:"
                    + " then only those).")
    List<String> models = new ArrayList<>();

    @Override
    public Integer call() throws dev.segbench.api.ModelException {
        List<ModelInfo> shown = new ArrayList<>();
        boolean onlySpecs = true;
        for (String entry : models) {
            onlySpecs &= dev.segbench.api.ModelSpec.parse(entry).isPresent();
        }
        if (onlySpecs) { // files shown beside the catalogues' models
            shown.addAll(cli.plugins().models());
        }
        for (String entry : models) {
            String id = entry.strip();
            shown.add(dev.segbench.api.ModelSpec.parse(entry).isPresent()
                    ? cli.plugins().loadModel(entry, dev.segbench.api.WeightsSpec.seeded(dev.segbench.api.WeightsSpec.DEFAULT_SEED)).info()
                    : cli.plugins().models().stream().filter(m -> m.id().equals(id)).findFirst()
                            .orElseThrow(() -> new UserException("--models: unknown model '" + id + "'")));
        }
        List<List<String>> rows = new ArrayList<>();
        for (ModelInfo m : shown) {
            long macs = m.multiplyAdds(512, 512);
            rows.add(List.of(m.id(), Table.fmt("%,d", m.parameterCount()),
                    macs < 0 ? "?" : Table.fmt("%.2f", macs / 1e9), String.valueOf(m.outputStride()), m.genotype()));
        }
        cli.out.println(Table.render(List.of("id", "params", "GMACs@512", "stride", "genotype"), rows));
        for (ModelInfo m : shown) {
            if (!m.details().isEmpty()) {
                cli.out.println(m.id() + ":");
                m.details().forEach((k, v) -> cli.out.println("  " + k + ": " + v));
            }
        }
        cli.plugins().warnings().forEach(w -> cli.out.println("warning: " + w));
        return 0;
    }

    /** {@code segbench models export}: one ONNX graph variant to a file. */
    @Command(name = "export", mixinStandardHelpOptions = true, description = "Write a model's ONNX graph (atomically);"
            + " --precision int8 calibrates first (or takes the table from the calibration cache).")
    static final class Export implements Callable<Integer> {

        @ParentCommand
        ModelsCommand models;

        @Mixin
        ModelOptions modelOptions;

        @Mixin
        CalibrationOptions calibration;

        @Option(names = "--labels-out", description = "Upsampling and ArgMax inside the graph: UINT8 labels out.")
        boolean labelsOut;

        @Option(names = "--int8-activations", paramLabel = "A", defaultValue = "uint8",
                description = "int8 graphs: uint8 (asymmetric, int32 bias: what ONNX Runtime's CPU kernels fuse) or int8"
                        + " (symmetric, float bias: TensorRT's explicit quantization) (default: ${DEFAULT-VALUE}).")
        String activations;

        @Option(names = "--cache-dir", paramLabel = "DIR", description = "Where calibration tables are cached"
                + " (default: $XDG_CACHE_HOME/segbench or ~/.cache/segbench; 'none' = no cache).")
        String cacheDir;

        @Option(names = "--threads", defaultValue = "0", paramLabel = "N",
                description = "Intra-op threads of the calibration pass (0 = all cores).")
        int threads;

        @Option(names = "--out", required = true, paramLabel = "FILE.onnx", description = "Where to write the graph.")
        Path out;

        @Override
        public Integer call() throws Exception {
            Cli cli = models.cli;
            Precision precision = modelOptions.precision();
            Int8Activations flavour = int8Activations();
            if (precision != Precision.INT8) {
                calibration.refuseWithoutInt8("use --precision int8");
            }
            CalibrationRequest request = precision == Precision.INT8
                    ? calibration.request(null, DatasetOptions.defaults(), CacheDirOption.resolve(cacheDir), threads)
                    : null;
            ModelSource source = modelOptions.load(cli);
            ModelArtifact artifact;
            if (precision == Precision.INT8) {
                ModelSource.Int8Graphs int8 = source.int8().orElseThrow(() -> new UserException("model "
                        + source.info().id() + " has no int8 graph"));
                Backend cpu = cli.plugins().requireBackend("cpu", "--precision int8 calibrates on ");
                if (!Plugins.availability(cpu).available()) {
                    throw new UserException("--precision int8: calibration runs on the cpu backend, which is not"
                            + " available: " + Plugins.availability(cpu).reason());
                }
                CalibrationTable table = new Calibrator(cli.plugins()::datasetProvider, cpu, cli.progress(),
                        cli.err::println).calibrate(source, request);
                dev.segbench.harness.calibration.FloatLayers.Choice fallback = new FallbackSearch(cli.plugins()::datasetProvider, cpu, cli.progress(),
                        cli.err::println).choose(source, table, request);
                artifact = fallback == null ? int8.artifact(table, flavour, labelsOut)
                        : int8.artifact(table, flavour, labelsOut, java.util.Set.copyOf(fallback.floatLayers()));
                if (fallback != null) {
                    cli.err.println(source.info().id() + ": " + fallback.floatLayers().size() + " layer(s) kept in float"
                            + (fallback.floatLayers().isEmpty() ? "" : ": " + String.join(", ", fallback.floatLayers())));
                }
            } else {
                artifact = source.artifact(precision, labelsOut);
            }
            try {
                AtomicFiles.write(out, artifact.onnx());
            } catch (java.io.IOException e) {
                throw new UserException("--out " + out + ": cannot write the graph (" + dev.segbench.harness.Messages.oneLine(e) + ")");
            }
            cli.out.println("wrote " + out + " (" + artifact.modelId() + ", " + artifact.precision().id()
                    + (precision == Precision.INT8 ? ", " + activations.strip().toLowerCase(Locale.ROOT) + " activations" : "")
                    + (artifact.labelsOut() ? ", labels out" : ", logits out") + ", sha256 " + artifact.onnxSha256() + ")");
            return 0;
        }

        private Int8Activations int8Activations() {
            return switch (activations.strip().toLowerCase(Locale.ROOT)) {
                case "uint8" -> Int8Activations.ASYMMETRIC_UINT8;
                case "int8" -> Int8Activations.SYMMETRIC_INT8;
                default -> throw new UserException("--int8-activations: '" + activations + "' is not uint8 or int8");
            };
        }
    }
}
