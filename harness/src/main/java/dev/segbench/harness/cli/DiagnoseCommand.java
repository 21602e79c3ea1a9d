package dev.segbench.harness.cli;

import dev.segbench.api.Backend;
import dev.segbench.api.CacheFolder;
import dev.segbench.api.Capability;
import dev.segbench.api.DatasetException;
import dev.segbench.api.DatasetOptions;
import dev.segbench.api.DatasetSpec;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelException;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.WeightsSpec;
import dev.segbench.api.io.CalibrationFile;
import dev.segbench.api.io.Folders;
import dev.segbench.api.io.AtomicFiles;
import dev.segbench.results.ResultsJson;
import dev.segbench.results.UserException;
import dev.segbench.harness.calibration.Calibrator;
import dev.segbench.harness.diagnose.DiagnoseJob;
import dev.segbench.harness.diagnose.DiagnosePage;
import dev.segbench.harness.diagnose.DiagnoseTask;
import dev.segbench.harness.diagnose.Diagnosis;
import dev.segbench.harness.diagnose.GraphView;
import dev.segbench.harness.exec.BackendProbes;
import dev.segbench.harness.exec.BackendEnvironment;
import dev.segbench.harness.exec.IsolatedTasks;
import dev.segbench.harness.plan.BackendState;
import dev.segbench.results.settings.Settings;
import dev.segbench.harness.plugins.Plugins;
import dev.segbench.harness.plan.PlannedRun;
import dev.segbench.results.settings.Int8Fallback;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code segbench diagnose}: where, layer by layer, runs of one model part ways with a reference run. */
@Command(name = "diagnose", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run one model on two or more BACKEND:PRECISION runs (the first is the reference) on a few images "
                + "with every intermediate tensor captured, and compare the tensors the graphs share by name: relative "
                + "L2 error, max abs error, cosine similarity, amplification (error here / largest error among the "
                + "tensors its op read), and the first tensor whose error passes --tolerance, with the op that made it.",
                "Writes OUT/diagnose.json and OUT/diagnose.html and prints the worst layers. Each run executes in its "
                        + "own child JVM (a crashing backend costs its own result).",
                "Exit status: 0 every run ok, 3 written but some run failed, 2 bad input, 1 internal error."})
final class DiagnoseCommand implements Callable<Integer> {

    /**
     * Default --tolerance (the README gives the measurements): above all FP16 rounding on the fixture models (at most
     * 2% on any tensor), below what a wrong kernel gives (10% and more); int8 passes it within its first layers.
     */
    static final double DEFAULT_TOLERANCE = 0.05;
    static final int DEFAULT_IMAGES = 3;

    @ParentCommand
    Cli cli;

    @Option(names = "--model", required = true, paramLabel = "MODEL", description = "Model id (see `segbench models`) or "
            + "onnx:PATH[?name=..&mean=..] for a model of your own, as compare's --models takes it.")
    String model;

    @Option(names = "--runs", required = true, split = ",", paramLabel = "BACKEND:PRECISION",
            description = "Two or more runs, e.g. cpu:fp32,cpu:int8,opencv:fp32; the first is the reference.")
    List<String> runs = new ArrayList<>();

    @Option(names = "--weights", split = ",", paramLabel = "MODEL=FILE", description = "Checkpoint (as compare's "
            + "--weights; default: seeded untrained weights).")
    Map<String, Path> weights = new LinkedHashMap<>();

    @Option(names = "--seed", defaultValue = "" + WeightsSpec.DEFAULT_SEED, paramLabel = "SEED", description = "Seed of untrained weights (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--dataset", paramLabel = "SCHEME[:LOCATION]", description = "voc:DIR, synthetic[:N] (default: " + Settings.DEFAULT_DATASET + ").")
    String dataset;

    @Option(names = "--limit", paramLabel = "N", description = "The first N images (default: " + DEFAULT_IMAGES
            + "; with --ids, all of them).")
    Integer limit;

    @Option(names = "--ids", split = ",", paramLabel = "ID", description = "Only these sample ids, in this order.")
    List<String> ids = new ArrayList<>();

    @Option(names = "--tolerance", defaultValue = "" + DEFAULT_TOLERANCE, paramLabel = "REL_L2", description = "Relative "
            + "L2 error above which a tensor has diverged (default: ${DEFAULT-VALUE}).")
    double tolerance;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "N", description = "Intra-op threads per session (0 = backend default).")
    int threads;

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "As compare's: engine and calibration caches ('none' = no cache).")
    String cacheDir;

    /** int8 runs: the --calibration* options, the same as compare's. */
    @Mixin
    CalibrationOptions calibration;

    @Option(names = {"--out", "-o"}, defaultValue = "segbench-diagnose", paramLabel = "DIR", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--run-timeout", defaultValue = "30m", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Kill a run (it fails) after this long (default: ${DEFAULT-VALUE}).")
    double runTimeout;

    @Option(names = "--stall-timeout", defaultValue = "10m", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Kill a run (it fails) that processes no image for this long (default: ${DEFAULT-VALUE}).")
    double stallTimeout;

    @Option(names = "--child-jvm-options", split = " ", paramLabel = "OPTIONS", description = "Extra JVM options for each "
            + "run's child JVM, e.g. \"-Xmx8g\".")
    List<String> childJvmOptions = new ArrayList<>();

    private record RunSpec(String backend, Precision precision) {
        String key() {
            return backend + ":" + precision.id();
        }
    }

    @Override
    public Integer call() throws Exception {
        Plugins plugins = cli.plugins();
        List<RunSpec> specs = parseRuns(plugins);
        if (threads < 0) {
            throw new UserException("--threads: must be >= 0 (0 = all available processors), got " + threads);
        }
        if (specs.stream().noneMatch(s -> s.precision() == Precision.INT8)) {
            calibration.refuseWithoutInt8("add an int8 run to --runs");
        } else if (!Int8Fallback.DEFAULT.equals(calibration.fallback.strip())) {
            throw new UserException("--int8-fallback: diagnose compares the fully quantized int8 graph (to see which"
                    + " layers break it); leave the option out");
        }
        if (limit == null) {
            limit = ids.isEmpty() ? DEFAULT_IMAGES : 0; // 0: no limit
        } else if (limit < 1) {
            throw new UserException("--limit: must be >= 1");
        }
        if (!(tolerance > 0)) {
            throw new UserException("--tolerance: must be > 0, got " + tolerance);
        }
        String modelId = Plugins.modelId(model);
        Path checkpoint = checkpoint(modelId);
        String data = dataset == null ? Settings.DEFAULT_DATASET : dataset;
        DatasetSpec spec;
        try {
            spec = DatasetSpec.parse(data);
        } catch (DatasetException e) {
            throw new UserException("--dataset: " + e.getMessage());
        }
        if (plugins.datasetProvider(spec.scheme()).isEmpty()) {
            throw new UserException("--dataset " + data + ": unknown dataset scheme '" + spec.scheme() + "'");
        }
        Path cache = CacheDirOption.resolve(cacheDir);
        if (cache == null) {
            System.clearProperty(CacheFolder.PROPERTY);
        } else {
            System.setProperty(CacheFolder.PROPERTY, cache.toAbsolutePath().toString());
        }
        Settings.Execution limits = new Settings.Execution(false, false, runTimeout, stallTimeout,
                childJvmOptions.stream().filter(o -> !o.isBlank()).toList());
        ModelSource source;
        try {
            source = plugins.loadModel(model, checkpoint == null ? WeightsSpec.seeded(seed) : WeightsSpec.checkpoint(checkpoint));
        } catch (UserException | ModelException e) {
            throw new UserException("--model: " + e.getMessage());
        }
        Path logDir = out.resolve("logs");
        checkCapabilities(plugins, specs, logDir, limits);

        ModelArtifact fp32 = source.artifact(Precision.FP32, false);
        GraphView view = GraphView.parse(fp32.onnx());
        byte[] table = specs.stream().anyMatch(s -> s.precision() == Precision.INT8) ? calibrate(plugins, source, data, cache) : null;

        Files.createDirectories(out);
        Path work = out.resolve(".diagnose-work");
        Folders.deleteQuietly(work);
        Path referenceDir = work.resolve("reference");
        IsolatedTasks tasks = new IsolatedTasks(plugins.folders(), plugins.requiredFolders(), work, logDir, limits,
                cli.progress(), cli.err::println);
        Map<String, IsolatedTasks.Outcome<DiagnoseJob.Captured>> outcomes = new LinkedHashMap<>();
        try {
            for (int i = 0; i < specs.size(); i++) {
                RunSpec s = specs.get(i);
                DiagnoseJob job = new DiagnoseJob(model, checkpoint == null ? null : checkpoint.toAbsolutePath(), seed,
                        s.backend(), s.precision().id(), s.precision() == Precision.INT8 ? table : null, data, limit, ids,
                        threads, view.tensors(), referenceDir.toAbsolutePath(), i == 0);
                cli.err.println("diagnose: " + modelId + " on " + s.key() + (i == 0 ? " (reference)" : ""));
                IsolatedTasks.Outcome<DiagnoseJob.Captured> o = tasks.run(PlannedRun.fileSafe(modelId) + "-" + s.backend() + "-"
                        + s.precision().id(), DiagnoseTask.class, job, DiagnoseJob.Captured.class,
                        BackendEnvironment.declared(plugins.backend(s.backend()).orElseThrow()));
                outcomes.put(s.key(), o);
                if (o.failure() != null) {
                    cli.err.println(s.key() + " failed: " + o.failure());
                    if (i == 0) {
                        break; // nothing to compare with
                    }
                }
            }
        } finally {
            Folders.deleteQuietly(work);
        }
        Diagnosis diagnosis = diagnosis(view, specs, outcomes, checkpoint, data, fp32);
        byte[] json = ResultsJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(diagnosis);
        AtomicFiles.write(out.resolve(Diagnosis.FILE_NAME), json);
        AtomicFiles.writeString(out.resolve(DiagnosePage.FILE_NAME), DiagnosePage.render(diagnosis));
        printTables(diagnosis);
        cli.out.println("wrote:");
        cli.out.println("  " + out.resolve(Diagnosis.FILE_NAME));
        cli.out.println("  " + out.resolve(DiagnosePage.FILE_NAME));
        long failed = diagnosis.runs().stream().filter(r -> !"ok".equals(r.status())).count();
        return failed > 0 ? Cli.SOME_RUNS_FAILED : 0;
    }

    private List<RunSpec> parseRuns(Plugins plugins) {
        List<RunSpec> specs = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String r : runs) {
            String[] parts = r.strip().split(":", -1);
            if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
                throw new UserException("--runs: '" + r + "' is not BACKEND:PRECISION (e.g. cpu:fp32)");
            }
            if (plugins.backend(parts[0]).isEmpty()) {
                throw new UserException("--runs: unknown backend '" + parts[0] + "' in '" + r + "' (known: "
                        + plugins.backends().stream().map(Backend::id).collect(Collectors.joining(", ")) + ")");
            }
            Precision p;
            try {
                p = Precision.parse(parts[1]);
            } catch (IllegalArgumentException e) {
                throw new UserException("--runs: '" + r + "': " + e.getMessage());
            }
            RunSpec s = new RunSpec(parts[0], p);
            if (!seen.add(s.key())) {
                throw new UserException("--runs: " + s.key() + " is listed twice");
            }
            specs.add(s);
        }
        if (specs.size() < 2) {
            throw new UserException("--runs: give at least two runs (the first is the reference), e.g. cpu:fp32,cpu:int8");
        }
        return specs;
    }

    /** The checkpoint for --model from --weights MODEL=FILE, or null for seeded weights. */
    private Path checkpoint(String modelId) {
        for (String m : weights.keySet()) {
            if (!m.equals(modelId)) {
                throw new UserException("--weights: '" + m + "' is not the diagnosed model " + modelId);
            }
        }
        Path file = weights.get(modelId);
        if (file != null && !Files.isRegularFile(file)) {
            throw new UserException("--weights: " + file + ": weights file " + (Files.exists(file) ? "is not a regular file" : "does not exist"));
        }
        return file;
    }

    /** Each run's backend must be available here, offer its precision and return intermediate tensors. */
    private void checkCapabilities(Plugins plugins, List<RunSpec> specs, Path logDir, Settings.Execution limits)
            throws java.io.IOException {
        List<Backend> backends = specs.stream().map(RunSpec::backend).distinct().map(id -> plugins.backend(id).orElseThrow()).toList();
        Map<String, BackendState> states;
        try (BackendProbes.Early probe = BackendProbes.startInChild(backends, plugins.folders(), plugins.requiredFolders(),
                logDir, limits)) {
            states = probe.probe(backends, cli.err::println);
        }
        for (RunSpec s : specs) {
            BackendState state = states.get(s.backend());
            if (!state.availability().available()) {
                throw new UserException("--runs: " + s.key() + ": backend '" + s.backend() + "' is not available here ("
                        + state.availability().reason() + ")");
            }
            if (!state.precisions().contains(s.precision())) {
                throw new UserException("--runs: " + s.key() + ": backend '" + s.backend() + "' has no "
                        + s.precision().id() + " (it offers " + state.precisions().stream().map(Precision::id).sorted().toList() + ")");
            }
            if (!state.availability().capabilities().contains(Capability.INTERMEDIATE_OUTPUTS)) {
                throw new UserException("--runs: " + s.key() + ": backend '" + s.backend()
                        + "' cannot return intermediate tensors, so it cannot be diagnosed");
            }
        }
    }

    private byte[] calibrate(Plugins plugins, ModelSource source, String data, Path cache) throws Exception {
        Backend cpu = plugins.backend("cpu").orElseThrow(() -> new UserException(
                "--runs: int8 calibration runs on the cpu backend, which is not installed"));
        DatasetOptions options = DatasetOptions.defaults().withLimit(limit).withIds(ids);
        Calibrator calibrator = new Calibrator(plugins::datasetProvider, cpu, cli.progress(), cli.err::println);
        return CalibrationFile.toBytes(List.of(calibrator.calibrate(source, calibration.request(data, options, cache, threads))));
    }

    private Diagnosis diagnosis(GraphView view, List<RunSpec> specs, Map<String, IsolatedTasks.Outcome<DiagnoseJob.Captured>> outcomes,
                                Path checkpoint, String data, ModelArtifact fp32) {
        String referenceKey = specs.getFirst().key();
        DiagnoseJob.Captured ref = outcomes.get(referenceKey).result();
        List<Diagnosis.RunEntry> entries = new ArrayList<>();
        List<Diagnosis.Pair> pairs = new ArrayList<>();
        List<String> incomparable = new ArrayList<>(); // runs kept as failed so the comparable pairs are not lost
        for (RunSpec s : specs) {
            IsolatedTasks.Outcome<DiagnoseJob.Captured> o = outcomes.get(s.key());
            if (o == null) {
                entries.add(new Diagnosis.RunEntry(s.key(), "failed", "not run: the reference run failed", 0));
                continue;
            }
            if (o.failure() != null) {
                entries.add(new Diagnosis.RunEntry(s.key(), "failed", o.failure(), 0));
                continue;
            }
            if (s.key().equals(referenceKey)) {
                entries.add(new Diagnosis.RunEntry(s.key(), "ok", null, o.result().captured().size()));
                continue;
            }
            Set<String> shared = new LinkedHashSet<>(ref.captured());
            shared.retainAll(o.result().captured());
            shared.remove(fp32.outputName());
            if (shared.isEmpty()) {
                String why = s.key() + " and " + referenceKey + " share no intermediate tensor names ("
                        + o.result().captured().size() + " and " + ref.captured().size()
                        + " captured): their graphs cannot be compared layer by layer";
                incomparable.add(why);
                entries.add(new Diagnosis.RunEntry(s.key(), "failed", why, o.result().captured().size()));
                continue;
            }
            entries.add(new Diagnosis.RunEntry(s.key(), "ok", null, o.result().captured().size()));
            pairs.add(Diagnosis.pair(view, referenceKey, s.key(), ref, o.result(), tolerance));
        }
        if (pairs.isEmpty() && !incomparable.isEmpty()) {
            // nothing could be compared at all: bad input, one line, nothing written
            throw new UserException("--runs: " + incomparable.getFirst());
        }
        List<String> images = ref == null ? List.of() : ref.imageIds();
        return new Diagnosis(Diagnosis.FORMAT, Plugins.modelId(model), checkpoint == null ? "seeded(" + seed + ")" : checkpoint.toString(),
                data, images, tolerance, referenceKey, entries, pairs);
    }

    private void printTables(Diagnosis d) {
        for (Diagnosis.Pair p : d.pairs()) {
            Diagnosis.Divergence f = p.firstDivergence();
            cli.out.println(p.candidate() + " vs " + p.reference() + ": " + p.shared() + " tensors compared; "
                    + (f == null ? "no tensor passes the tolerance " + Table.fmt("%.3g", d.tolerance())
                    : "first divergence " + f.tensor() + " (" + f.op() + ", depth " + f.depth() + ", relative L2 "
                    + num(f.relativeL2()) + ")"));
            cli.out.println(Table.render(List.of("worst layers", "op", "depth", "rel L2", "max abs", "cosine", "amplification"),
                    p.worst(8).stream().map(t -> List.of(Table.clip(t.tensor(), 48), String.valueOf(t.op()),
                            String.valueOf(t.depth()), num(t.relativeL2()), num(t.maxAbs()),
                            t.cosine() == null ? "-" : Table.fmt("%.6f", t.cosine()), num(t.amplification()))).toList()));
        }
    }

    private static String num(Double v) {
        return v == null ? "-" : Table.fmt("%.3g", v);
    }
}
