package dev.segbench.harness.results;

import dev.segbench.api.results.Environment;
import dev.segbench.api.results.GalleryEntry;
import dev.segbench.api.results.Results;
import dev.segbench.api.results.ResultsJson;
import dev.segbench.api.results.Run;
import dev.segbench.harness.plan.Plan;
import dev.segbench.harness.plan.PlannedRun;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
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
    private final Set<String> warnings = new LinkedHashSet<>();
    private boolean sealed;

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

    public synchronized void warn(String warning) {
        if (!sealed) {
            warnings.add(warning);
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
        List<Run> all = new ArrayList<>(runs.values());
        Set<String> ws = new LinkedHashSet<>(warnings);
        for (Run r : all) {
            for (Run.Skipped s : r.dataset() == null ? List.<Run.Skipped>of() : r.dataset().skipped()) {
                ws.add("sample " + s.id() + " skipped: " + s.reason());
            }
        }
        Map<String, List<Run>> skippedByCause = all.stream().filter(r -> r.status().equals(Run.SKIPPED))
                .collect(Collectors.groupingBy(r -> r.backend() + "\u0000" + r.reason(), LinkedHashMap::new, Collectors.toList()));
        skippedByCause.values().forEach(group -> ws.add("backend " + group.getFirst().backend() + " skipped ("
                + (group.size() == 1 ? group.getFirst().key() : group.size() + " runs") + "): " + group.getFirst().reason()));
        Set<String> usedEnvironments = all.stream().map(Run::environment).collect(Collectors.toSet());
        List<Environment> envs = environments.stream()
                .filter(e -> e == environments.getFirst() || usedEnvironments.contains(e.id())).toList();
        return new Results(Results.SCHEMA_VERSION, plan.environment(), envs,
                plan.settings().toResults(plan.backendIds(), plan.reference()), all, gallery(), List.copyOf(ws),
                plan.dataset().classes());
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

    static String uniqueId(String base, List<Environment> taken) {
        Set<String> ids = taken.stream().map(Environment::id).collect(Collectors.toSet());
        String id = base;
        for (int n = 2; ids.contains(id); n++) {
            id = base + "#" + n;
        }
        return id;
    }
}
