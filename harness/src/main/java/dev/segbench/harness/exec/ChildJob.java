package dev.segbench.harness.exec;

import dev.segbench.results.GalleryEntry;
import dev.segbench.results.Run;
import dev.segbench.results.settings.Int8Fallback;
import dev.segbench.results.GalleryEntry;
import dev.segbench.results.Run;
import dev.segbench.harness.plan.BackendState;
import dev.segbench.harness.plan.Plan;
import dev.segbench.harness.plan.PlannedRun;
import dev.segbench.results.settings.Settings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A child's job, handed over as a JSON file: either one run ({@link #RUN}) or the availability probe of some
 * backends ({@link #PROBE}). The child writes its answer, a {@link RunResult} or a {@link ProbeResult}, atomically
 * to {@code resultFile}; no result file means the child died before it finished.
 *
 * @param pluginFolders    the plugin folders the parent loaded (the child loads the same)
 * @param requiredFolders  those of them named on the command line (an error if missing)
 * @param labels           the reference labels to write or read (see RunTask.Inputs)
 * @param environment      id of this machine's environment in the results
 * @param backends         for a probe: the backend ids to ask
 * @param calibration      for an int8 run: its calibration table as {@link dev.segbench.api.io.CalibrationFile} bytes
 *                         (bit exact, digest checked on reading); null otherwise
 * @param fallback         for an int8 run: the layers it keeps in float ({@code --int8-fallback}); null for none
 */
record ChildJob(String kind, List<Path> pluginFolders, List<Path> requiredFolders, Settings settings,
                PlannedRun run, Plan.DatasetFacts samples, Path labels, String environment, List<String> backends,
                Path resultFile, byte[] calibration, dev.segbench.harness.calibration.FloatLayers.Choice fallback) implements ChildProcess.Job {

    /** A job whose int8 run (if any) keeps no layer in float. */
    ChildJob(String kind, List<Path> pluginFolders, List<Path> requiredFolders, Settings settings, PlannedRun run,
             Plan.DatasetFacts samples, Path labels, String environment, List<String> backends, Path resultFile,
             byte[] calibration) {
        this(kind, pluginFolders, requiredFolders, settings, run, samples, labels, environment, backends, resultFile,
                calibration, null);
    }

    ChildJob(String kind, List<Path> pluginFolders, List<Path> requiredFolders, Settings settings, PlannedRun run,
             Plan.DatasetFacts samples, Path labels, String environment, List<String> backends, Path resultFile) {
        this(kind, pluginFolders, requiredFolders, settings, run, samples, labels, environment, backends, resultFile, null);
    }

    static final String RUN = "run";
    static final String PROBE = "probe";

    /**
     * A run's answer. {@code badSample}: the run stopped at a bad sample under {@code --on-bad-sample fail}, which
     * stops the whole compare.
     */
    record RunResult(Run run, String endToEndHistogram, List<GalleryEntry> gallery, String badSample) {
    }

    /** A probe's answer: each backend's state by id. */
    record ProbeResult(Map<String, BackendState> backends) {
    }
}
