package dev.segbench.harness.run;

import dev.segbench.api.DatasetException;
import dev.segbench.api.ModelException;
import dev.segbench.api.Progress;
import dev.segbench.api.io.Folders;
import dev.segbench.results.Results;
import dev.segbench.results.Run;
import dev.segbench.results.Warning;
import dev.segbench.harness.Messages;
import dev.segbench.results.UserException;
import dev.segbench.harness.exec.BackendEnvironment;
import dev.segbench.harness.exec.BackendProbes;
import dev.segbench.harness.exec.Executor;
import dev.segbench.harness.exec.NativeStderr;
import dev.segbench.harness.exec.ForkedExecutor;
import dev.segbench.harness.exec.InProcessExecutor;
import dev.segbench.harness.gate.GateEvaluator;
import dev.segbench.harness.run.PerformanceStep;
import dev.segbench.harness.plan.BackendProbe;
import dev.segbench.harness.plan.Fingerprint;
import dev.segbench.harness.plan.Plan;
import dev.segbench.harness.plan.PlannedRun;
import dev.segbench.harness.plan.Planner;
import dev.segbench.results.settings.Settings;
import dev.segbench.harness.plugins.Plugins;
import dev.segbench.harness.results.GalleryWriter;
import dev.segbench.harness.results.ResultsBook;
import dev.segbench.harness.results.RunRecord;
import dev.segbench.harness.results.RunRecords;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Runs {@code compare}: plans it ({@link Planner}), then executes the runs one by one (each in its own child JVM
 * unless {@code --in-process}), the reference run of each model first so the others can be compared with it.
 * After every run its record goes to OUT/runs and results.json, summary.csv and report.html are written again, so
 * a crash or Ctrl-C loses at most the run in flight; {@code --resume} reuses the recorded runs whose fingerprints
 * still match. One run failing never stops the others.
 */
public final class Runner {

    /** What a compare produced. */
    public record Outcome(Results results, Path out, Path report, List<String> written) {
    }

    /** Where children keep their job and temporary files while they run. */
    public static final String WORK_FOLDER = ".work";
    /** Each run's log and crash reports. */
    public static final String LOG_FOLDER = "logs";
    /** In {@link #LOG_FOLDER}: what native libraries print in the compare's own process (its runs have their own logs). */
    public static final String NATIVE_LOG = "segbench.log";

    private final Plugins plugins;
    private final Settings settings;
    private final Progress progress;
    private final Consumer<String> log;
    private GateEvaluator gate;
    private String gateText;

    private Runnable afterValidation = () -> { };

    /** Something to say once the input is known to be good (a note about a default, say), before any run. */
    public Runner afterValidation(Runnable action) {
        this.afterValidation = action;
        return this;
    }

    public Runner(Plugins plugins, Settings settings, Progress progress, Consumer<String> log) {
        this.plugins = plugins;
        this.settings = settings;
        this.progress = progress;
        this.log = log;
    }

    /**
     * Judges every run with {@code --gate} against its reference once the runs are recorded (null = no gate);
     * {@code text} is the option as given, recorded in the settings.
     */
    public Runner gate(GateEvaluator evaluator, String text) {
        this.gate = evaluator;
        this.gateText = text;
        return this;
    }

    public Outcome run() throws ModelException, DatasetException, IOException, InterruptedException {
        try (Planner planner = new Planner(plugins, settings, log)) {
            planner.selectBackends();
            if (settings.execution().inProcess()) {
                planner.prepare(); // bad input is reported before anything is written
                return run(planner, BackendProbes.inProcess());
            }
            // The probe child starts now and runs while the models load and the dataset opens (it writes nothing here).
            try (BackendProbes.Early early = BackendProbes.startInChild(planner.backendsToProbe(), absolute(plugins.folders()),
                    absolute(plugins.requiredFolders()), settings.out().resolve(LOG_FOLDER), settings.execution())) {
                planner.prepare();
                return run(planner, backends -> early.probe(backends, log));
            }
        }
    }

    private static List<Path> absolute(List<Path> folders) {
        return folders.stream().map(Path::toAbsolutePath).toList();
    }

    private Outcome run(Planner planner, BackendProbe probe) throws IOException, InterruptedException {
        Path out = settings.out();
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UserException("--out " + out + ": cannot create the results folder (" + (Files.exists(out)
                    && !Files.isDirectory(out) ? "a file of that name exists" : Messages.problem(e)) + ")");
        }
        afterValidation.run();
        try (OutputLock lock = OutputLock.acquire(out)) {
            Path work = out.resolve(WORK_FOLDER);
            Path logs = out.resolve(LOG_FOLDER);
            Folders.deleteTree(work); // a compare killed with SIGKILL leaves its children's files
            RunRecords store = new RunRecords(out);
            if (!settings.execution().resume()) {
                int removed = store.clear();
                Folders.deleteTree(logs);
                if (removed > 0) {
                    log.accept("starting afresh: " + removed + " run record(s) of an earlier compare in " + store.dir()
                            + " removed (--resume reuses them)");
                }
            }
            List<Path> folders = absolute(plugins.folders());
            List<Path> required = absolute(plugins.requiredFolders());
            Plan plan;
            GalleryWriter samples = new GalleryWriter(out, settings.data().galleryCount(), planner.dataset().palette());
            // decoding in this process (int8 calibration, the gallery's samples): native messages go to a log
            try (NativeStderr.Route nativeMessages = NativeStderr.routeTo(logs, NATIVE_LOG)) {
                plan = planner.progress(progress).plan(probe);
                samples.writeSamples(planner.dataset(), plan.dataset().indexArray());
            }
            samples.problems().forEach(p -> log.accept("warning: " + p));
            ResultsBook book = new ResultsBook(plan, out);
            if (gate != null) {
                book.gate(gate, gateText);
            }
            Set<String> reused = settings.execution().resume() ? decideReuse(plan, store, book) : Set.of();
            try (Interruption interruption = new Interruption(book, log);
                 Executor executor = settings.execution().inProcess()
                         ? new InProcessExecutor(plugins, plan, planner, book.environmentId(), progress, log)
                         : new ForkedExecutor(plan, folders, required, book.environmentId(), work, logs,
                                 id -> BackendEnvironment.declared(plugins.requireBackend(id, "")), progress, log)) {
                interruption.executor(executor);
                Files.createDirectories(store.dir());
                execute(plan, reused, book, store, executor, interruption);
                if (interruption.requested()) {
                    interruption.awaitHalt(); // the shutdown hook writes the results and ends the process
                }
                ResultsBook.Written written = book.sealAndWrite(log);
                if (written == null) {
                    throw new IllegalStateException("results were sealed before the compare ended");
                }
                return new Outcome(book.results(), out, written.report(), written.files());
            }
        }
    }

    /**
     * Executes the runs. Each run's record is written as soon as it ends; results.json, summary.csv and report.html
     * are written again while the next run's process starts (it waits for them before measuring anything), or at
     * the end.
     */
    private void execute(Plan plan, Set<String> reused, ResultsBook book, RunRecords store, Executor executor,
                         Interruption interruption) throws IOException, InterruptedException {
        Runnable writeResults = () -> {
            try {
                book.write(true, log);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        for (PlannedRun p : plan.runs()) {
            if (!p.runnable() || reused.contains(p.key())) {
                continue;
            }
            if (interruption.requested()) {
                return;
            }
            Path labels = labelsFor(p, plan, book, store);
            interruption.current(p.key());
            Executor.Result result = executor.execute(p, labels, writeResults);
            if (interruption.requested()) {
                return; // the shutdown hook writes the results and ends the process
            }
            interruption.current(null);
            if (result.interrupted()) {
                book.mark(p.key(), Run.INTERRUPTED, result.interruption() + "; --resume runs it again");
                continue;
            }
            if (result.badSample() != null) {
                // Under --on-bad-sample fail a bad sample stops the compare: every run would meet it.
                book.mark(p.key(), Run.FAILED, result.badSample());
                book.sealAndWrite(log);
                throw new UserException(result.badSample());
            }
            Run run = result.outcome().run();
            if (!run.ok()) {
                GalleryWriter.deletePredictions(plan.settings().out(), p.key());
            }
            book.finish(new RunRecord(RunRecord.SCHEMA_VERSION, p.key(), p.fingerprint(), p.fingerprintInputs(), run,
                    result.outcome().endToEndHistogram(), result.outcome().gallery(), plan.environment()), store, p.fileStem());
            if (p.role().writesLabels() && !run.ok()) {
                book.warn(Warning.REFERENCE, List.of(p.key()), "reference " + p.backend() + ":" + p.precision().id() + " " + run.status() + " for " + p.model()
                        + ": no agreement measured (" + run.reason() + ")");
            }
            dropLabelsWhenDone(p.model(), plan, book, store);
        }
    }

    /**
     * The labels file of the run: its own for a reference, its reference's for a compared run whose reference
     * succeeded, else null.
     */
    private Path labelsFor(PlannedRun p, Plan plan, ResultsBook book, RunRecords store) {
        if (p.role().writesLabels()) {
            return store.labels(p.fileStem()).toAbsolutePath();
        }
        if (p.referenceKey() == null) {
            return null;
        }
        PlannedRun ref = plan.run(p.referenceKey());
        Run refRun = book.run(p.referenceKey());
        Path labels = store.labels(ref.fileStem());
        if (refRun == null || !refRun.ok()) {
            return null;
        }
        if (!Files.isRegularFile(labels)) {
            book.warn(Warning.REFERENCE, List.of(p.key()), p.key() + ": the labels of reference " + ref.key() + " are gone; no agreement measured");
            return null;
        }
        return labels.toAbsolutePath();
    }

    /** A reference's labels are kept until every run of its model is ok, so --resume can still compare with them. */
    private static void dropLabelsWhenDone(String model, Plan plan, ResultsBook book, RunRecords store) throws IOException {
        boolean allOk = plan.runs().stream().filter(r -> r.model().equals(model) && r.runnable())
                .allMatch(r -> book.run(r.key()).ok());
        if (allOk) {
            for (PlannedRun r : plan.runs()) {
                if (r.model().equals(model) && r.role().writesLabels()) {
                    Files.deleteIfExists(store.labels(r.fileStem()));
                }
            }
        }
    }

    /**
     * Why a recorded host run's memory skips differ from what a run now would skip (the host's available memory
     * moved across a batch's threshold), so that one table never mixes runs that ran different batches; null when
     * they agree. Skips judged by device memory are known only inside a session, so they stand as recorded.
     */
    private String batchSkipsChanged(PlannedRun p, Run recorded, PerformanceStep.Memory hostNow) {
        return batchSkipsChanged(p, recorded, settings.performance().load(), hostNow);
    }

    static String batchSkipsChanged(PlannedRun p, Run recorded, dev.segbench.results.settings.LoadSettings load,
                                    PerformanceStep.Memory hostNow) {
        if (p.gpu() || p.role() == PlannedRun.Role.REFERENCE_ONLY) {
            return null;
        }
        Set<String> before = recorded.batchSkips().stream().filter(k -> Run.BatchSkip.HOST.equals(k.memory()))
                .map(k -> k.size() + " batch " + k.batch()).collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
        Set<String> now = PerformanceStep.skips(load, p.batchSizes(), hostNow).stream()
                .map(k -> k.size() + " batch " + k.batch()).collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
        return before.equals(now) ? null : "the batches skipped for memory changed (skipped " + (before.isEmpty() ? "none" : before)
                + ", would skip " + (now.isEmpty() ? "none" : now) + " with " + (hostNow.bytes() >> 20) + " MiB available now)";
    }

    /**
     * {@code --resume}: which recorded runs are reused. A run is reused when its record is ok and its fingerprint
     * equals the plan's; otherwise it runs again, with one line saying why. A reference whose labels a re-running
     * run needs, but which are gone, runs again too.
     */
    private Set<String> decideReuse(Plan plan, RunRecords store, ResultsBook book) {
        Map<String, RunRecord> reusable = new LinkedHashMap<>();
        PerformanceStep.Memory hostNow = PerformanceStep.Memory.host();
        int recorded = 0;
        for (PlannedRun p : plan.runs()) {
            if (!p.runnable()) {
                continue;
            }
            RunRecord rec;
            try {
                rec = store.read(p.fileStem());
            } catch (IOException e) {
                log.accept(p.key() + ": running it again: " + e.getMessage());
                continue;
            }
            if (rec == null) {
                continue;
            }
            recorded++;
            if (!rec.run().ok()) {
                log.accept(p.key() + ": running it again: it " + rec.run().status() + " last time (" + rec.run().reason() + ")");
            } else if (!rec.fingerprint().equals(p.fingerprint())) {
                log.accept(p.key() + ": running it again: " + Fingerprint.describeChange(rec.fingerprintInputs(), p.fingerprintInputs()));
            } else if (p.referenceKey() != null && rec.run().agreement() == null && rec.run().dataset() != null
                    && rec.run().dataset().images() > 0) {
                log.accept(p.key() + ": running it again: it was measured without agreement (its reference had failed)");
            } else if (batchSkipsChanged(p, rec.run(), hostNow) != null) {
                log.accept(p.key() + ": running it again: " + batchSkipsChanged(p, rec.run(), hostNow));
            } else {
                reusable.put(p.key(), rec);
            }
        }
        // A compared run that runs again needs its reference's labels; a reused reference without them runs again.
        Set<String> referencesNeeded = new HashSet<>();
        for (PlannedRun p : plan.runs()) {
            if (p.runnable() && p.referenceKey() != null && !reusable.containsKey(p.key())) {
                referencesNeeded.add(p.referenceKey());
            }
        }
        for (String refKey : referencesNeeded) {
            PlannedRun ref = plan.run(refKey);
            if (reusable.containsKey(refKey) && !Files.isRegularFile(store.labels(ref.fileStem()))) {
                reusable.remove(refKey);
                log.accept(refKey + ": running it again: runs compared with it need its labels, which are no longer kept");
            }
        }
        reusable.values().forEach(book::reuse);
        long toRun = plan.runs().stream().filter(p -> p.runnable() && !reusable.containsKey(p.key())).count();
        log.accept("resuming: " + reusable.size() + " run(s) reused from " + store.dir() + " (" + recorded
                + " recorded), " + toRun + " to run");
        return Set.copyOf(reusable.keySet());
    }
}
