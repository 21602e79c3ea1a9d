package dev.segbench.harness.cli;

import dev.segbench.api.CacheFolder;
import dev.segbench.api.DatasetOptions;
import dev.segbench.datasets.VocDataset;
import dev.segbench.api.DatasetOptions.BadSamplePolicy;
import dev.segbench.api.ModelInfo;
import dev.segbench.api.Precision;
import dev.segbench.api.WeightsSpec;
import dev.segbench.results.InFlightThroughput;
import dev.segbench.results.Run;
import dev.segbench.results.Server;
import dev.segbench.results.Stability;
import dev.segbench.results.Warning;
import dev.segbench.results.UserException;
import dev.segbench.results.settings.CalibrationRequest;
import dev.segbench.harness.gate.GateEvaluator;
import dev.segbench.results.settings.Arrivals;
import dev.segbench.results.settings.LoadSettings;
import dev.segbench.results.settings.OptionLists;
import dev.segbench.harness.plugins.Plugins;
import dev.segbench.results.settings.Settings;
import dev.segbench.results.settings.Shard;
import dev.segbench.harness.run.Runner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code segbench compare}: every model on every backend and precision, side by side. */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run models on backends and precisions: accuracy pass (mIoU, agreement with the reference), "
                + "performance pass (batch-1 latency, throughput). Writes OUT/results.json, summary.csv, gallery/, report.html.",
                "With no --dataset it is a first look that ends in about two minutes on a 2-core CPU: " + Settings.DEFAULT_DATASET
                        + " (generated images), seeded weights and short measurements (" + MeasurementDefaults.FIRST_LOOK_TEXT
                        + "); with --dataset the measurement defaults are " + MeasurementDefaults.FULL_TEXT
                        + ".",
                "Each run executes in its own child JVM (--in-process: all in this one); OUT/runs keeps every finished run, "
                        + "so --resume after a crash or Ctrl-C runs only what is left.",
                "Exit status: 0 every run ok or skipped, 3 results written but some run failed, 4 results written but some run "
                        + "failed its --gate (4 wins over 3: with --gate, a failed run fails its gate too), 2 bad input, "
                        + "1 internal error, 130 interrupted (results so far written)."})
final class CompareCommand implements Callable<Integer> {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** {@link GateMetric#known()}, as a constant for the help text (a test keeps them equal). */
    static final String GATE_METRICS = "miou, pixel-accuracy, mean-class-accuracy, fw-iou, agreement, miou-vs-ref, p50-ms, "
            + "p90-ms, p95-ms, p99-ms, max-ms, mean-ms, e2e-p50-ms, e2e-p99-ms, images-per-s, max-qps";

    @ParentCommand
    Cli cli;

    @Option(names = "--backends", split = ",", paramLabel = "ID", description = "Backend ids (default: every backend found; unavailable ones are listed as skipped).")
    List<String> backends = new ArrayList<>();

    @Option(names = "--models", split = ModelOptions.SPLIT, paramLabel = "MODEL", description = "Model ids or onnx:PATH[?name=..&mean=..&std=..&input=..&output=..&layout=logits|labels]"
            + " (default: every model of every catalogue).")
    List<String> models = new ArrayList<>();

    @Option(names = "--dataset", paramLabel = "SCHEME[:LOCATION]", description = "voc:DIR, synthetic[:N] (default: " + Settings.DEFAULT_DATASET + ").")
    String dataset;

    @Option(names = "--weights", split = ",", paramLabel = "MODEL=FILE", description = "Checkpoint per model (default: seeded untrained weights).")
    Map<String, Path> weights = new LinkedHashMap<>();

    @Option(names = "--seed", defaultValue = "" + WeightsSpec.DEFAULT_SEED, paramLabel = "SEED", description = "Seed of untrained weights (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--precisions", split = ",", defaultValue = "fp32,fp16", paramLabel = "P", description = "fp32, fp16, int8 (int8: calibrated first, see --calibration) (default: ${DEFAULT-VALUE}).")
    List<String> precisions;

    @Option(names = "--batch-sizes", paramLabel = "N,N,...", description = "Throughput batch sizes, any list, e.g. 1,3,6,12 (default: 1,8,32 on GPUs, 1,8 on CPUs; 1 in the first look without --dataset); sizes that would not fit in memory are skipped with a warning.")
    String batchSizes;

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

    @Option(names = "--baseline", paramLabel = "BACKEND:PRECISION", description = "Run every other run's speed-up is "
            + "measured against, per model: its batch-1 p50 / theirs and their best images/s / its (default: the reference "
            + "run). Agreement stays measured against --reference.")
    String baseline;

    @Option(names = "--perf-size", defaultValue = "512x512", paramLabel = "HxW[,HxW...]", description = "Input sizes of the performance pass; "
            + "every scenario runs at each, e.g. 384x384,512x512 (default: ${DEFAULT-VALUE}; the first size fills latency_ms and the table).")
    String perfSize;

    @Option(names = "--scenarios", paramLabel = "LIST", description = "Performance scenarios, MLPerf LoadGen's names: single-stream "
            + "(batch-1 latency, one request at a time), offline (throughput per batch and in-flight), server (open loop: latency "
            + "under load from each request's scheduled time). Default: single-stream,offline, plus server when "
            + "--server-latency-ms (or --server-p99-ms) or --server-qps is given.")
    String scenarios;

    @Option(names = "--in-flight", defaultValue = "1", paramLabel = "K,K,...", description = "Offline: keep exactly K requests in "
            + "flight from K threads, for each K listed, e.g. 1,2,4 (default: ${DEFAULT-VALUE}). Only backends that declare "
            + "concurrent runs take K > 1 (others run one at a time, with a warning); the server uses the largest K as its workers.")
    String inFlight;

    @Option(names = "--offline-threads", defaultValue = LoadSettings.SPLIT, paramLabel = "split|fixed|N,N,...", description =
            "Offline, on CPU backends: intra-op threads per request for each --in-flight K. split: the K requests share the "
            + "--threads T (T/K each: (T x 1), (T/2 x 2), ... (1 x T)); fixed: every K with T threads; a list: each count x "
            + "each K. A thread count other than the run's opens one more session of the model (default: ${DEFAULT-VALUE}).")
    String offlineThreads;

    @Option(names = "--arrivals", defaultValue = "poisson", paramLabel = "poisson|uniform", description = "Server request "
            + "arrivals, seeded (default: ${DEFAULT-VALUE}).")
    String arrivals;

    @Option(names = "--server-latency-ms", paramLabel = "MS", description = "Server: search for the highest request rate "
            + "whose latency at --server-latency-percentile stays within MS (max_qps; starts from the offline throughput, "
            + "bisects to 5%%).")
    String serverLatencyMs;

    @Option(names = "--server-latency-percentile", defaultValue = "99", paramLabel = "P", description = "Server: the "
            + "latency percentile the bound applies to, e.g. 99, 99.9, 95 (default: ${DEFAULT-VALUE}).")
    double serverLatencyPercentile;

    @Option(names = "--server-p99-ms", paramLabel = "MS", description = "Short for --server-latency-ms MS with "
            + "--server-latency-percentile 99.")
    String serverP99Ms;

    @Option(names = "--server-qps", paramLabel = "QPS", description = "Server: one trial at this fixed request rate instead "
            + "of a search (with --server-latency-ms the trial is also judged against that bound).")
    String serverQps;

    @Option(names = "--server-seed", defaultValue = "" + LoadSettings.DEFAULT_SEED, paramLabel = "SEED", description = "Seed of "
            + "the server arrival schedule (default: ${DEFAULT-VALUE}).")
    long serverSeed;

    @Option(names = "--server-min-requests", defaultValue = "" + LoadSettings.DEFAULT_SERVER_MIN_REQUESTS, paramLabel = "N",
            description = "Server: each trial measures at least N requests (and, judged against a bound, at least what its "
                    + "percentile needs: 368 for p99), and lasts at least --min-duration (default: ${DEFAULT-VALUE}).")
    int serverMinRequests;

    @Option(names = "--server-search-budget", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Server: the max-QPS search starts no trial that would end after this long; it keeps the trials "
                    + "so far and says why it stopped (default: half of --run-timeout, shared among the --perf-size sizes).")
    Double serverSearchBudget;

    @Option(names = "--gate", paramLabel = "CONDITIONS", description = "Conditions every run must meet, checked against its "
            + "reference after all runs, e.g. agreement>=0.99,miou>=0.99*ref,p99-ms<=120 (metrics: " + GATE_METRICS + "). "
            + "Any failed condition makes the exit status 4, after everything is written.")
    String gate;

    @Option(names = "--warmup", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Untimed warm-up before each measurement, e.g. 2s, 500ms, 1m; a bare number is seconds; 0 = none "
                    + "(the measurement is then invalid, ok*) (default: 2s; 1s in the first look without --dataset).")
    Double warmup;

    @Option(names = "--min-duration", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Each measurement (single-stream, each offline cell, each server trial) lasts at least this long "
                    + "(default: 5s; 2s in the first look without --dataset).")
    Double minDuration;

    @Option(names = "--min-iterations", paramLabel = "N", description = "... and counts at least N "
            + "requests, in every scenario that counts them (a server trial: at least the larger of N and "
            + "--server-min-requests) (default: 30; 10 in the first look without --dataset).")
    Integer minIterations;

    @Option(names = "--cv-threshold", defaultValue = "0.05", paramLabel = "FRACTION", description = "Latency coefficient of variation above which a measurement is flagged unstable (not invalid; default: ${DEFAULT-VALUE}).")
    double cvThreshold;

    @Option(names = "--gallery", defaultValue = "" + Settings.Data.DEFAULT_GALLERY, paramLabel = "N", description = "Gallery images for the first N samples (default: ${DEFAULT-VALUE}).")
    int gallery;

    @Option(names = "--property", paramLabel = "KEY=VALUE", description = "Backend-specific session setting, e.g. tensorrt.opt-level=3; repeatable.")
    Map<String, String> properties = new LinkedHashMap<>();

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "Where backends cache compiled engines and int8 "
            + "calibration tables (default: $XDG_CACHE_HOME/segbench or ~/.cache/segbench; 'none' = no cache).")
    String cacheDir;

    /** int8: the --calibration* options, the same as models export's. */
    @Mixin
    CalibrationOptions calibration;

    @Option(names = {"--out", "-o"}, defaultValue = "segbench-out", paramLabel = "DIR", description = "Results folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--resume", description = "Reuse the finished runs in OUT/runs whose inputs are unchanged; run the rest "
            + "(after a crash, Ctrl-C or kill). Without it a compare starts afresh.")
    boolean resume;

    @Option(names = "--in-process", description = "Run every backend inside this JVM instead of one child JVM per run "
            + "(for debugging: a crashing backend then takes the whole compare down).")
    boolean inProcess;

    @Option(names = "--run-timeout", defaultValue = "60m", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Kill a run (it fails) after this long, e.g. 90s, 30m, 2h (default: ${DEFAULT-VALUE}).")
    double runTimeout;

    @Option(names = "--stall-timeout", defaultValue = "10m", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Kill a run (it fails) "
            + "that makes no progress for this long during its accuracy or performance pass (default: ${DEFAULT-VALUE}).")
    double stallTimeout;

    @Option(names = "--child-jvm-options", split = " ", paramLabel = "OPTIONS", description = "Extra JVM options for each "
            + "run's child JVM, space-separated, e.g. \"-Xmx8g\" (they follow this JVM's own).")
    List<String> childJvmOptions = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Plugins plugins = cli.plugins();
        Settings settings = settings(plugins);
        GateEvaluator gateEvaluator = gate == null ? null : GateEvaluator.parse(gate); // malformed: exit 2 before any run
        // Plugins find the cache folder here (ONNX Runtime's extracted libraries, say); children get it as an option.
        if (settings.session().cacheDir() == null) {
            System.clearProperty(CacheFolder.PROPERTY);
        } else {
            System.setProperty(CacheFolder.PROPERTY, settings.session().cacheDir().toAbsolutePath().toString());
        }
        Runner.Outcome outcome = new Runner(plugins, settings, cli.progress(), cli.err::println).afterValidation(() -> {
            if (dataset == null) { // said only once the input is known to be good, so it never precedes an error
                cli.err.println("no --dataset given: a first look on " + Settings.DEFAULT_DATASET
                        + " (8 generated images; give --dataset voc:DIR for real accuracy numbers) with short measurements ("
                        + MeasurementDefaults.FIRST_LOOK + "; the 95% intervals show their precision)");
            }
        }).gate(gateEvaluator, gate).run();
        List<Run> runs = outcome.results().runs();
        printTable(runs, outcome.results().settings() == null ? null : outcome.results().settings().reference(),
                outcome.results().settings() == null ? null : outcome.results().settings().baseline());
        // the warnings as the results hold them: each decided once, by the harness, and shown as the report shows it
        for (Warning w : outcome.results().warnings()) {
            cli.out.println("warning: " + w.text());
        }
        cli.out.println("wrote:");
        outcome.written().forEach(p -> cli.out.println("  " + p));
        long failed = runs.stream().filter(r -> Run.FAILED.equals(r.status())).count();
        if (failed > 0) {
            cli.err.println(failed + " run(s) failed; their reasons are in the table and in results.json");
        }
        long gateFailed = runs.stream().filter(r -> r.gate() != null && !r.gate().passed()).count();
        if (gateFailed > 0) {
            cli.err.println(gateFailed + " run(s) failed the gate " + gate + ": see the gate column and gate in results.json");
            return GateEvaluator.EXIT_GATE_FAILED;
        }
        return failed > 0 ? Cli.SOME_RUNS_FAILED : 0;
    }

    Settings settings(Plugins plugins) {
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
        LoadSettings load = loadSettings();
        OptionLists.Size first = load.perfSizes().getFirst();
        int[] size = {first.height(), first.width()};
        List<Integer> batches = batchSizes == null ? measurementDefaults().batchSizes()
                : OptionLists.positiveInts("--batch-sizes", batchSizes, 1024);
        return new Settings(
                new Settings.Selection(modelIds, backends.stream().distinct().toList(), ps.stream().distinct().toList(),
                        weights, seed, Settings.Reference.parse(reference), baseline(plugins, ps)).requireWeightFiles(),
                new Settings.Data(dataset == null ? Settings.DEFAULT_DATASET : dataset, options,
                        Shard.parse(shard, System.getenv()), decodeThreads == null ? Settings.Data.defaultDecodeThreads() : decodeThreads, gallery),
                new Settings.Performance(batches, batchSizes != null, size[0], size[1],
                        warmup != null ? warmup : measurementDefaults().warmupSeconds(),
                        minDuration != null ? minDuration : measurementDefaults().minDurationSeconds(),
                        minIterations != null ? minIterations : measurementDefaults().minIterations(),
                        cvThreshold, load),
                new Settings.Session(threads, properties, CacheDirOption.resolve(cacheDir)),
                new Settings.Execution(inProcess, resume, runTimeout, stallTimeout,
                        childJvmOptions.stream().filter(o -> !o.isBlank()).toList()),
                out, calibrationRequest(ps, options),
                new Settings.Recorded(commandLine(), List.of(), null, null, null, null)); // the rest is the plan's (ResultsBook)
    }

    /** The arguments as the user typed them (after "segbench"); none when the command was not parsed by picocli. */
    private List<String> commandLine() {
        return spec == null || spec.commandLine().getParseResult() == null ? null
                : List.copyOf(spec.commandLine().getParseResult().originalArgs());
    }

    /** {@code --baseline}, checked against the backends and precisions that run; null = the reference. */
    private Settings.Reference baseline(Plugins plugins, List<Precision> ps) {
        if (baseline == null) {
            return null;
        }
        Settings.Reference b = Settings.Reference.parseBaseline(baseline);
        List<String> ids = backends.isEmpty() ? plugins.backends().stream().map(dev.segbench.api.Backend::id).toList()
                : backends;
        if (!ids.contains(b.backend())) {
            throw new UserException("--baseline: backend '" + b.backend() + "' is not among the compared backends " + ids);
        }
        if (!ps.contains(b.precision())) {
            throw new UserException("--baseline: precision " + b.precision().id() + " is not among --precisions "
                    + ps.stream().map(Precision::id).toList());
        }
        return b;
    }

    /** The measurement defaults: a first look without --dataset, the full ones with it. */
    private MeasurementDefaults measurementDefaults() {
        return dataset == null ? MeasurementDefaults.FIRST_LOOK : MeasurementDefaults.FULL;
    }

    /** The scenarios' options, each mistake one line naming the option. */
    private LoadSettings loadSettings() {
        if (serverP99Ms != null && serverLatencyMs != null) {
            throw new UserException("--server-p99-ms: give it or --server-latency-ms, not both");
        }
        if (serverP99Ms != null && serverLatencyPercentile != Server.DEFAULT_PERCENTILE) {
            throw new UserException("--server-p99-ms: it bounds p99; with --server-latency-percentile "
                    + Server.percentileLabel(serverLatencyPercentile).substring(1) + " give --server-latency-ms instead");
        }
        Double bound = null;
        if (serverP99Ms != null) {
            bound = OptionLists.positive("--server-p99-ms", serverP99Ms);
        } else if (serverLatencyMs != null) {
            bound = OptionLists.positive("--server-latency-ms", serverLatencyMs);
        }
        Double qps = serverQps == null ? null : OptionLists.positive("--server-qps", serverQps);
        return new LoadSettings(LoadSettings.scenarios(scenarios, bound != null || qps != null),
                OptionLists.sizes("--perf-size", perfSize), OptionLists.positiveInts("--in-flight", inFlight, LoadSettings.MAX_IN_FLIGHT),
                Arrivals.parse("--arrivals", arrivals), serverSeed, bound, qps, serverMinRequests, offlineThreads,
                serverSearchBudget != null ? serverSearchBudget
                        : LoadSettings.defaultSearchBudgetSeconds(runTimeout, OptionLists.sizes("--perf-size", perfSize).size()),
                serverLatencyPercentile);
    }

    /** How int8 runs calibrate (null without int8): on the evaluated dataset's default unless --calibration says. */
    private CalibrationRequest calibrationRequest(List<Precision> ps, DatasetOptions evaluatedOptions) {
        if (!ps.contains(Precision.INT8)) {
            calibration.refuseWithoutInt8("add int8 to --precisions");
            return null;
        }
        return calibration.request(dataset == null ? Settings.DEFAULT_DATASET : dataset, evaluatedOptions,
                CacheDirOption.resolve(cacheDir), threads);
    }

    /** The run's server result at its first performance size (the size of the table's other columns); null if none. */
    private static Server server(Run r) {
        return r.performance().isEmpty() ? null : r.performance().getFirst().server();
    }

    /** "61.2 (p99 <= 50 ms)", "none (p99 <= 5 ms)", "fixed 40 qps", or "-". */
    private static String maxQpsCell(Server s) {
        if (s == null) {
            return "-";
        }
        if (Server.FIXED.equals(s.mode())) {
            String qps = Table.fmt("%.4g", s.trials().getFirst().targetQps());
            return "fixed " + (qps.contains(".") ? qps.replaceAll("\\.?0+$", "") : qps) + " qps";
        }
        return (s.maxQps() == null ? "none" : Table.fmt("%.1f", s.maxQps())) + " (" + s.boundText() + ")";
    }

    /**
     * The summary: one row per run that was tried, then one line per backend and reason for the skipped ones (on a
     * machine without a GPU those are most runs, each with the same long reason). A gate column when --gate was given.
     */
    private void printTable(List<Run> runs, String reference, String baseline) {
        List<Run> tried = runs.stream().filter(r -> !Run.SKIPPED.equals(r.status())).toList();
        boolean gated = runs.stream().anyMatch(r -> r.gate() != null);
        boolean speedups = runs.stream().anyMatch(r -> r.speedup() != null);
        boolean served = tried.stream().anyMatch(r -> server(r) != null);
        if (!tried.isEmpty()) {
            List<String> header = new ArrayList<>(List.of("model", "backend", "precision", "status", "mIoU", "agreement",
                    "p50 ms", "p99 ms", "best img/s (threads x in flight x batch)", "vs 1 request"));
            if (speedups) {
                header.add("speed-up vs " + baseline);
            }
            if (served) {
                header.add("max qps");
            }
            if (gated) {
                header.add("gate");
            }
            cli.out.println(Table.render(header, tried.stream().map(r -> {
                        InFlightThroughput best = InFlightThroughput.best(r);
                        Run.OfflineBest ob = r.offlineBest();
                        List<String> row = new ArrayList<>(List.of(r.model(), r.backend(), r.precision(),
                                !r.ok() ? r.status() + ": " + Table.clip(r.reason(), 48)
                                        : Stability.invalid(r) ? "ok*" : "ok",
                                r.accuracy() == null ? "-" : Run.seeded(r) ? "n/a (seeded)" : Table.fmt("%.4f", r.accuracy().miou()),
                                r.ok() && r.isReference(reference) ? "reference"
                                        : r.agreement() == null ? "-" : Table.fmt("%.2f%%", 100 * r.agreement().pixelAgreement()),
                                r.latencyMs() == null ? "-" : Table.fmt("%.2f", r.latencyMs().p50()),
                                r.latencyMs() == null ? "-" : r.latencyMs().p99() == null
                                        ? dev.segbench.results.PercentileIntervals.TOO_FEW : Table.fmt("%.2f", r.latencyMs().p99()),
                                best == null ? "-" : Table.fmt("%.1f (", best.imagesPerSecond())
                                        + (best.threadsPerRequest() == null ? "" : best.threadsPerRequest() + "t x ")
                                        + best.inFlight() + " x b" + best.batch() + ")"
                                        + (best.measurement() != null && !best.measurement().valid() ? "*" : ""),
                                ob == null || ob.gain() == null ? "-" : Table.fmt("%.2fx", ob.gain())));
                        if (speedups) {
                            row.add(speedup(r, baseline));
                        }
                        if (served) {
                            row.add(maxQpsCell(server(r)));
                        }
                        if (gated) {
                            row.add(Table.clip(GateEvaluator.summary(r.gate()), 60));
                        }
                        return List.copyOf(row);
                    }).toList()));
        }
        Map<String, List<Run>> skipped = new LinkedHashMap<>();
        runs.stream().filter(r -> Run.SKIPPED.equals(r.status()))
                .forEach(r -> skipped.computeIfAbsent(r.backend() + "\u0000" + r.reason(), k -> new ArrayList<>()).add(r));
        for (List<Run> group : skipped.values()) {
            cli.out.println(group.getFirst().backend() + ": skipped (" + (group.size() == 1 ? group.getFirst().key()
                    : group.size() + " runs") + "): " + Table.clip(group.getFirst().reason(), 60));
        }
    }

    /** "baseline" for the baseline run, "2.10x p50, 1.80x img/s" for another, "-" where there is nothing to compare. */
    private static String speedup(Run r, String baseline) {
        if (r.isBaseline(baseline)) {
            return "baseline";
        }
        Run.Speedup up = r.speedup();
        if (up == null || (up.latency() == null && up.throughput() == null)) {
            return "-";
        }
        List<String> parts = new ArrayList<>();
        if (up.latency() != null) {
            parts.add(Table.fmt("%.2fx p50", up.latency()));
        }
        if (up.throughput() != null) {
            parts.add(Table.fmt("%.2fx img/s", up.throughput()));
        }
        return String.join(", ", parts);
    }
}
