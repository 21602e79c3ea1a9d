package dev.segbench.harness.cli;

import dev.segbench.api.CacheFolder;
import dev.segbench.api.DatasetOptions;
import dev.segbench.datasets.VocDataset;
import dev.segbench.api.DatasetOptions.BadSamplePolicy;
import dev.segbench.api.ModelInfo;
import dev.segbench.api.Precision;
import dev.segbench.api.WeightsSpec;
import dev.segbench.api.results.Run;
import dev.segbench.harness.UserException;
import dev.segbench.harness.plugins.Plugins;
import dev.segbench.harness.plan.RunSettings;
import dev.segbench.harness.plan.Shard;
import dev.segbench.harness.results.ResultsFiles;
import dev.segbench.harness.run.Runner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code segbench compare}: every model on every backend and precision, side by side. */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run models on backends and precisions: accuracy pass (mIoU, agreement with the reference), "
                + "performance pass (batch-1 latency, throughput). Writes OUT/results.json, summary.csv, gallery/, report.html.",
                "Defaults finish in a few minutes on a 2-core CPU: " + RunSettings.DEFAULT_DATASET
                        + " (generated images), 2 s warm-up, >= 5 s and >= 30 timed runs, batches 1,8 (1,8,32 on GPUs).",
                "Each run executes in its own child JVM (--in-process: all in this one); OUT/runs keeps every finished run, "
                        + "so --resume after a crash or Ctrl-C runs only what is left.",
                "Exit status: 0 every run ok or skipped, 3 results written but some run failed, 2 bad input, 1 internal error, "
                        + "130 interrupted (results so far written)."})
final class CompareCommand implements Callable<Integer> {

    @ParentCommand
    Cli cli;

    @Option(names = "--backends", split = ",", paramLabel = "ID", description = "Backend ids (default: every backend found; unavailable ones are listed as skipped).")
    List<String> backends = new ArrayList<>();

    @Option(names = "--models", split = ",", paramLabel = "ID", description = "Model ids (default: every model of every catalogue).")
    List<String> models = new ArrayList<>();

    @Option(names = "--dataset", paramLabel = "SCHEME[:LOCATION]", description = "voc:DIR, synthetic[:N] (default: " + RunSettings.DEFAULT_DATASET + ").")
    String dataset;

    @Option(names = "--weights", split = ",", paramLabel = "MODEL=FILE", description = "Checkpoint per model (default: seeded untrained weights).")
    Map<String, Path> weights = new LinkedHashMap<>();

    @Option(names = "--seed", defaultValue = "" + WeightsSpec.DEFAULT_SEED, paramLabel = "SEED", description = "Seed of untrained weights (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--precisions", split = ",", defaultValue = "fp32,fp16", paramLabel = "P", description = "fp32, fp16 (default: ${DEFAULT-VALUE}).")
    List<String> precisions;

    @Option(names = "--batch-sizes", split = ",", paramLabel = "N", description = "Throughput batch sizes (default: 1,8,32 on GPUs, 1,8 on CPUs); sizes that would not fit in memory are skipped with a warning.")
    List<Integer> batchSizes;

    @Option(names = "--limit", defaultValue = "0", paramLabel = "N", description = "At most N samples (0 = all).")
    int limit;

    @Option(names = "--ids", split = ",", paramLabel = "ID", description = "Only these sample ids, in this order.")
    List<String> ids = new ArrayList<>();

    @Option(names = "--split", paramLabel = "NAME", description = "VOC image list (default: val); the same as --dataset voc:DIR?split=NAME.")
    String split;

    @Option(names = "--aug-labels", description = "Read VOC labels from SegmentationClassAug (SBD-augmented layout); the same as ?aug-labels=true.")
    boolean augmentedLabels;

    @Option(names = "--on-bad-sample", defaultValue = "fail", paramLabel = "fail|skip", description = "Stop at a bad sample, or skip and report it (default: ${DEFAULT-VALUE}).")
    String onBadSample;

    @Option(names = "--shard", defaultValue = "0/1", paramLabel = "i/n|auto", description = "Evaluate only samples with index %% n == i "
            + "(merge with 'segbench merge'); auto: i and n from a Slurm job array or a Kubernetes Indexed Job (see docs/).")
    String shard;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "N", description = "Intra-op threads per session (0 = backend default).")
    int threads;

    @Option(names = "--decode-threads", paramLabel = "N", description = "Threads decoding and preprocessing ahead of inference (default: half the cores, at least 1).")
    Integer decodeThreads;

    @Option(names = "--reference", defaultValue = "auto", paramLabel = "BACKEND:PRECISION|auto|none", description = "Run whose labels "
            + "the others are compared with (default: auto = the available backend of lowest rank, in fp32: cpu:fp32 with the bundled backends).")
    String reference;

    @Option(names = "--perf-size", defaultValue = "512x512", paramLabel = "HxW", description = "Input size of the performance pass (default: ${DEFAULT-VALUE}).")
    String perfSize;

    @Option(names = "--warmup", defaultValue = "2", paramLabel = "SECONDS", description = "Warm-up time (default: ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = "--min-duration", defaultValue = "5", paramLabel = "SECONDS", description = "Timed runs last at least this long (default: ${DEFAULT-VALUE}).")
    double minDuration;

    @Option(names = "--min-iterations", defaultValue = "30", paramLabel = "N", description = "... and count at least N runs (default: ${DEFAULT-VALUE}).")
    int minIterations;

    @Option(names = "--cv-threshold", defaultValue = "0.05", paramLabel = "FRACTION", description = "Latency coefficient of variation above which a measurement is invalid (default: ${DEFAULT-VALUE}).")
    double cvThreshold;

    @Option(names = "--gallery", defaultValue = "6", paramLabel = "N", description = "Gallery images for the first N samples (default: ${DEFAULT-VALUE}).")
    int gallery;

    @Option(names = "--property", paramLabel = "KEY=VALUE", description = "Backend-specific session setting, e.g. tensorrt.opt-level=3; repeatable.")
    Map<String, String> properties = new LinkedHashMap<>();

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "Where backends cache compiled engines "
            + "(default: $XDG_CACHE_HOME/segbench or ~/.cache/segbench; 'none' = no cache).")
    String cacheDir;

    @Option(names = {"--out", "-o"}, defaultValue = "segbench-out", paramLabel = "DIR", description = "Results folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--resume", description = "Reuse the finished runs in OUT/runs whose inputs are unchanged; run the rest "
            + "(after a crash, Ctrl-C or kill). Without it a compare starts afresh.")
    boolean resume;

    @Option(names = "--in-process", description = "Run every backend inside this JVM instead of one child JVM per run "
            + "(for debugging: a crashing backend then takes the whole compare down).")
    boolean inProcess;

    @Option(names = "--run-timeout", defaultValue = "60m", paramLabel = "DURATION", description = "Kill a run (it fails) "
            + "after this long, e.g. 90s, 30m, 2h (default: ${DEFAULT-VALUE}).")
    String runTimeout;

    @Option(names = "--stall-timeout", defaultValue = "10m", paramLabel = "DURATION", description = "Kill a run (it fails) "
            + "that makes no progress for this long during its accuracy or performance pass (default: ${DEFAULT-VALUE}).")
    String stallTimeout;

    @Option(names = "--child-jvm-options", split = " ", paramLabel = "OPTIONS", description = "Extra JVM options for each "
            + "run's child JVM, space-separated, e.g. \"-Xmx8g\" (they follow this JVM's own).")
    List<String> childJvmOptions = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Plugins plugins = cli.plugins();
        RunSettings settings = settings(plugins);
        // Plugins find the cache folder here (ONNX Runtime's extracted libraries, say); children get it as an option.
        if (settings.session().cacheDir() == null) {
            System.clearProperty(CacheFolder.PROPERTY);
        } else {
            System.setProperty(CacheFolder.PROPERTY, settings.session().cacheDir().toAbsolutePath().toString());
        }
        if (dataset == null) {
            cli.err.println("no --dataset given: using " + RunSettings.DEFAULT_DATASET
                    + " (8 generated images; give --dataset voc:DIR for real accuracy numbers)");
        }
        Runner.Outcome outcome = new Runner(plugins, settings, cli.progress(), cli.err::println).run();
        List<Run> runs = outcome.results().runs();
        printTable(runs);
        if (runs.stream().anyMatch(r -> r.measurement() != null && !r.measurement().valid())) {
            cli.out.println("* performance measurement invalid (see measurement.reasons in results.json):");
            runs.stream().filter(r -> r.measurement() != null && !r.measurement().valid())
                    .forEach(r -> cli.out.println("  " + r.key() + ": " + String.join("; ", r.measurement().reasons())));
        }
        for (String w : outcome.results().warnings()) {
            cli.out.println("warning: " + w);
        }
        cli.out.println("wrote:");
        outcome.written().forEach(p -> cli.out.println("  " + p));
        long failed = runs.stream().filter(r -> Run.FAILED.equals(r.status())).count();
        if (failed > 0) {
            cli.err.println(failed + " run(s) failed; their reasons are in the table and in results.json");
            return Cli.SOME_RUNS_FAILED;
        }
        return 0;
    }

    RunSettings settings(Plugins plugins) {
        List<String> modelIds = models.isEmpty() ? plugins.models().stream().map(ModelInfo::id).toList()
                : models.stream().distinct().toList();
        if (modelIds.isEmpty()) {
            throw new UserException("no models found: is the models module on the class path?");
        }
        List<Precision> ps = new ArrayList<>();
        for (String p : precisions.stream().distinct().toList()) {
            try {
                ps.add(Precision.parse(p));
            } catch (IllegalArgumentException e) {
                throw new UserException("--precisions: " + e.getMessage());
            }
        }
        BadSamplePolicy policy = switch (onBadSample.toLowerCase(Locale.ROOT)) {
            case "fail" -> BadSamplePolicy.FAIL;
            case "skip" -> BadSamplePolicy.SKIP;
            default -> throw new UserException("--on-bad-sample: '" + onBadSample + "' is not fail or skip");
        };
        if (limit < 0) {
            throw new UserException("--limit: must be >= 0");
        }
        // --split and --aug-labels are VOC's parameters (a provider refuses keys it does not declare)
        DatasetOptions options = DatasetOptions.defaults().withLimit(limit).withIds(ids).withPolicy(policy);
        if (split != null) {
            options = options.with(VocDataset.SPLIT, split);
        }
        if (augmentedLabels) {
            options = options.with(VocDataset.AUG_LABELS, "true");
        }
        int[] size = RunSettings.parseSize(perfSize);
        int cores = Runtime.getRuntime().availableProcessors();
        List<Integer> batches = batchSizes == null ? List.of(1, 8, 32) : batchSizes.stream().distinct().sorted().toList();
        return new RunSettings(
                new RunSettings.Selection(modelIds, backends.stream().distinct().toList(), ps.stream().distinct().toList(),
                        weights, seed, RunSettings.Reference.parse(reference)),
                new RunSettings.Data(dataset == null ? RunSettings.DEFAULT_DATASET : dataset, options,
                        Shard.parse(shard, System.getenv()), decodeThreads == null ? Math.max(1, cores / 2) : decodeThreads, gallery),
                new RunSettings.Performance(batches, batchSizes != null, size[0], size[1], warmup, minDuration, minIterations,
                        cvThreshold),
                new RunSettings.Session(threads, properties, cacheDir()),
                new RunSettings.Execution(inProcess, resume, RunSettings.parseDurationSeconds("--run-timeout", runTimeout),
                        RunSettings.parseDurationSeconds("--stall-timeout", stallTimeout),
                        childJvmOptions.stream().filter(o -> !o.isBlank()).toList()),
                out);
    }

    /** Engines are slow to build (TensorRT: minutes), so they are cached unless the user says not to. */
    private Path cacheDir() {
        if (cacheDir != null) {
            return cacheDir.equalsIgnoreCase("none") ? null : Path.of(cacheDir);
        }
        return Cli.defaultCacheDir();
    }

    private void printTable(List<Run> runs) {
        cli.out.println(Table.render(List.of("model", "backend", "precision", "status", "mIoU", "agreement", "p50 ms",
                "p99 ms", "best img/s"), runs.stream().map(r -> {
                    Run.Throughput best = ResultsFiles.bestThroughput(r);
                    return List.of(r.model(), r.backend(), r.precision(),
                            !r.ok() ? r.status() + ": " + Table.clip(r.reason(), 48)
                                    : r.measurement() != null && !r.measurement().valid() ? "ok*" : "ok",
                            r.accuracy() == null ? "-" : Table.fmt("%.4f", r.accuracy().miou()),
                            r.agreement() == null ? "-" : Table.fmt("%.2f%%", 100 * r.agreement().pixelAgreement()),
                            r.latencyMs() == null ? "-" : Table.fmt("%.2f", r.latencyMs().p50()),
                            r.latencyMs() == null ? "-" : Table.fmt("%.2f", r.latencyMs().p99()),
                            best == null ? "-" : Table.fmt("%.1f (b%d)", best.imagesPerSecond(), best.batch()));
                }).toList()));
    }
}
