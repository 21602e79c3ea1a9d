package dev.segbench.harness.results;

import dev.segbench.results.Environment;
import dev.segbench.results.GalleryEntry;
import dev.segbench.results.Results;
import dev.segbench.results.ResultsJson;
import dev.segbench.results.Run;
import dev.segbench.results.Speedups;
import dev.segbench.results.settings.Settings;
import dev.segbench.harness.gate.GateEvaluator;
import dev.segbench.results.Warning;
import dev.segbench.results.Warnings;
import dev.segbench.harness.plan.Plan;
import dev.segbench.harness.plan.PlannedRun;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The results of a compare while it runs, owned by the compare's process: every planned run with its current
 * state (pending, skipped, ok, failed, interrupted), and the files made from them. {@link #write} regenerates
 * results.json, summary.csv and report.html atomically after each run, so the folder always shows every planned
 * run. Thread-safe: a signal handler may write the files while the main thread is still running; after
 * {@link #seal()} nothing changes any more.
 */
public final class ResultsBook {

    /** What a write produced. */
    public record Written(List<String> files, Path report) {
    }

    private final Plan plan;
    private final Path out;
    private final Map<String, Run> runs = new LinkedHashMap<>();
    private final Map<String, RunRecord> records = new LinkedHashMap<>();
    private final List<Environment> environments = new ArrayList<>();
    private final Warnings warnings = new Warnings();
    private boolean sealed;
    private GateEvaluator gate;
    private String gateText;

    public ResultsBook(Plan plan, Path out) {
        this.plan = plan;
        this.out = out;
        environments.add(plan.environment());
        warnings.addAll(plan.warnings());
        for (PlannedRun p : plan.runs()) {
            runs.put(p.key(), p.runnable()
                    ? Run.notRun(p.model(), p.backend(), p.precision().id(), Run.PENDING, "not run yet")
                    : Run.notRun(p.model(), p.backend(), p.precision().id(), Run.SKIPPED, p.skipReason()));
        }
    }

    /**
     * Judges every finished run with {@code --gate} against its reference (the plan's reference run of its model)
     * each time the results are made, so the gate follows the runs as they end and is final when the book is.
     */
    public synchronized void gate(GateEvaluator evaluator, String text) {
        this.gate = evaluator;
        this.gateText = text;
    }

    /** The id of this machine's environment, for runs executed now. */
    public String environmentId() {
        return plan.environment().id();
    }

    /**
     * Records a finished run (ok or failed) measured now: writes its record file (atomically, synced) unless the
     * results are sealed by an interruption, in which case it is not kept. Returns whether it was kept.
     */
    public synchronized boolean finish(RunRecord record, RunRecords store, String fileStem) throws IOException {
        if (sealed) {
            return false;
        }
        store.write(fileStem, record);
        put(record);
        return true;
    }

    /** Records a run reused from an earlier record by --resume. */
    public synchronized void reuse(RunRecord record) {
        if (!sealed) {
            put(record.withRun(record.run().toBuilder().reused(true).build()));
        }
    }

    private void put(RunRecord record) {
        String env = environmentIdFor(record.environment());
        records.put(record.key(), record);
        runs.put(record.key(), record.run().toBuilder().environment(env).build());
    }

    /** Sets a run's status without a record (interrupted, failed before it could report). */
    public synchronized void mark(String key, String status, String reason) {
        if (sealed) {
            return;
        }
        Run r = runs.get(key);
        runs.put(key, Run.notRun(r.model(), r.backend(), r.precision(), status, reason).toBuilder()
                .environment(Run.FAILED.equals(status) ? environmentId() : null).build());
        records.remove(key);
    }

    /** A warning about the whole compare without a code of its own. */
    public synchronized void warn(String text) {
        warn(Warning.NOTE, List.of(), text);
    }

    /** A warning about the compare noticed while it runs, concerning {@code runs} (keys; empty: the whole compare). */
    public synchronized void warn(String code, List<String> runs, String text) {
        if (!sealed) {
            warnings.add(new Warning(code, Warning.WARN, runs, text));
        }
    }

    public synchronized Run run(String key) {
        return runs.get(key);
    }

    public synchronized RunRecord record(String key) {
        return records.get(key);
    }

    public synchronized boolean sealed() {
        return sealed;
    }

    /** The results as they stand. */
    public synchronized Results results() {
        Settings given = plan.settings();
        Settings settings = given.withRecorded(new Settings.Recorded(
                given.recorded() == null ? null : given.recorded().commandLine(), plan.backendIds(), plan.reference(),
                given.selection().baseline() == null ? plan.reference() : given.selection().baseline().toString(),
                given.data().shard().toString(), gate == null ? null : gateText));
        List<Run> all = Speedups.apply(gate == null ? new ArrayList<>(runs.values()) : judged(settings), settings.baseline());
        // decided here, once: what the plan and the runner said, and what the runs' states call for
        List<Warning> ws = new Warnings().addAll(warnings.list()).addAll(Warnings.fromRuns(all, settings)).list();
        Set<String> usedEnvironments = all.stream().map(Run::environment).collect(Collectors.toSet());
        List<Environment> envs = environments.stream()
                .filter(e -> e == environments.getFirst() || usedEnvironments.contains(e.id())).toList();
        return new Results(Results.SCHEMA_VERSION, plan.environment(), envs, settings,
                all, gallery(), ws, plan.dataset().classes());
    }

    /**
     * Every run with its gate: finished runs (ok or failed) are judged against their reference; pending, interrupted,
     * skipped and reference-only runs are not (null).
     */
    private List<Run> judged(Settings recorded) {
        List<Run> all = new ArrayList<>();
        for (PlannedRun p : plan.runs()) {
            all.add(runs.get(p.key()));
        }
        // the same selection a merge judges by (it has only the recorded settings), so the two cannot disagree
        return gate.judgeAll(all, r -> recorded.selects(r.backend(), r.precision()),
                r -> Run.referenceOf(r, all, plan.reference()));
    }

    /** The gallery of every ok run: samples in the order runs wrote them, predictions in run order. */
    private List<GalleryEntry> gallery() {
        Map<String, GalleryEntry> byId = new LinkedHashMap<>();
        for (Map.Entry<String, Run> e : runs.entrySet()) {
            RunRecord rec = records.get(e.getKey());
            if (rec == null || !e.getValue().ok()) {
                continue;
            }
            for (GalleryEntry g : rec.gallery()) {
                GalleryEntry known = byId.get(g.id());
                Map<String, String> predictions = new LinkedHashMap<>(known == null ? Map.of() : known.predictions());
                predictions.putAll(g.predictions());
                byId.put(g.id(), new GalleryEntry(g.id(), known != null && known.image() != null ? known.image() : g.image(),
                        known != null && known.label() != null ? known.label() : g.label(), predictions));
            }
        }
        return List.copyOf(byId.values());
    }

    /**
     * Writes results.json, summary.csv and the end-to-end histograms atomically, then report.html. With
     * {@code quiet}, a report that cannot be written is not logged (it is tried again after the next run).
     */
    public synchronized Written write(boolean quiet, Consumer<String> log) throws IOException {
        if (sealed) {
            return null; // the final files are written (or being written by whoever sealed)
        }
        return writeFiles(quiet, log);
    }

    /** Seals the book and writes the final files. */
    public synchronized Written sealAndWrite(Consumer<String> log) throws IOException {
        sealed = true;
        return writeFiles(false, log);
    }

    private Written writeFiles(boolean quiet, Consumer<String> log) throws IOException {
        Results results = results();
        Map<String, String> endToEnd = new LinkedHashMap<>();
        records.forEach((k, r) -> {
            if (r.endToEndHistogram() != null && runs.get(k).ok()) {
                endToEnd.put(k, r.endToEndHistogram());
            }
        });
        ResultsFiles.write(out, results, endToEnd);
        List<String> files = new ArrayList<>(List.of(out.resolve(ResultsJson.FILE_NAME).toString(),
                out.resolve(ResultsFiles.SUMMARY).toString()));
        if (!results.gallery().isEmpty()) {
            files.add(out.resolve(GalleryWriter.FOLDER) + "/");
        }
        Path report = ReportWriter.tryWrite(out, quiet ? m -> { } : log);
        if (report != null) {
            files.add(report.toString());
        }
        return new Written(files, report);
    }

    /** The id for an environment: this machine's, an equal one's, or a new one named after its host. */
    private String environmentIdFor(Environment e) {
        if (e == null) {
            return environmentId();
        }
        for (Environment known : environments) {
            if (known.sameAs(e)) {
                return known.id();
            }
        }
        String id = uniqueId(e.host() == null ? "machine" : e.host(), environments);
        environments.add(e.withId(id));
        return id;
    }

    public static String uniqueId(String base, List<Environment> taken) {
        Set<String> ids = taken.stream().map(Environment::id).collect(Collectors.toSet());
        String id = base;
        for (int n = 2; ids.contains(id); n++) {
            id = base + "#" + n;
        }
        return id;
    }
}
