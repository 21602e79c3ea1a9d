package dev.segbench.harness.exec;

import dev.segbench.api.Progress;
import dev.segbench.results.Run;
import dev.segbench.harness.run.RunTask;
import dev.segbench.harness.plan.Plan;
import dev.segbench.harness.plan.PlannedRun;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Each run in its own child JVM (same JDK, JVM options and class path, like JMH's forks), so a backend that
 * crashes, exits, runs out of memory or hangs costs only its own run: the run becomes failed with one line saying
 * how the child ended, and the compare goes on. The child gets its job as a file and writes its result to a file;
 * its stdout carries only progress and log lines.
 */
public final class ForkedExecutor implements Executor {

    private final Plan plan;
    private final List<Path> pluginFolders;
    private final List<Path> requiredFolders;
    private final String environment;
    private final Path workDir;
    private final ChildProcess children;
    private final Function<String, Map<String, String>> childEnvironment;
    private final Consumer<String> log;

    /**
     * @param workDir where job, result and temporary files of children live while they run (removed on close)
     * @param logDir  where each run's stderr log and crash reports are kept
     * @param childEnvironment by backend id: the environment it declares for its runs' processes
     */
    public ForkedExecutor(Plan plan, List<Path> pluginFolders, List<Path> requiredFolders, String environment,
                          Path workDir, Path logDir, Function<String, Map<String, String>> childEnvironment,
                          Progress progress, Consumer<String> log) {
        this.plan = plan;
        this.pluginFolders = List.copyOf(pluginFolders);
        this.requiredFolders = List.copyOf(requiredFolders);
        this.environment = environment;
        this.workDir = workDir;
        this.children = new ChildProcess(workDir, logDir, plan.settings().execution(), progress, log);
        this.childEnvironment = childEnvironment;
        this.log = log;
    }

    @Override
    public Result execute(PlannedRun run, Path labels, Runnable whileItStarts) throws InterruptedException {
        String name = run.fileStem();
        ChildJob job = new ChildJob(ChildJob.RUN, pluginFolders, requiredFolders, plan.settings(), run, plan.dataset(),
                labels, environment, List.of(), workDir.resolve(name + ".result.json").toAbsolutePath(),
                calibrationBytes(run), run.precision() == dev.segbench.api.Precision.INT8 ? plan.fallback(run.model()) : null);
        ChildProcess.Ended<ChildJob.RunResult> ended;
        try {
            ended = children.run(name, job, ChildJob.RunResult.class, true, childEnvironment.apply(run.backend()),
                    whileItStarts);
        } catch (InterruptedException e) {
            if (children.stopped()) {
                return new Result(null, null, true, "interrupted (SIGINT or SIGTERM to segbench)");
            }
            throw e;
        }
        if (children.stopped() || ended.interrupted()) {
            return new Result(null, null, true, children.stopped() ? "interrupted (SIGINT or SIGTERM to segbench)"
                    : "interrupted: its process got " + ExitDiagnosis.signal(ended.ending().exitStatus()));
        }
        ChildJob.RunResult r = ended.result();
        if (r != null && r.badSample() != null) {
            return new Result(null, r.badSample(), false, null);
        }
        if (r != null && r.run() != null) {
            return Result.of(new RunTask.Outcome(r.run(), r.endToEndHistogram(), r.gallery()));
        }
        String reason = ExitDiagnosis.describe(ended.ending());
        log.accept(run.key() + " failed: " + reason);
        Run failed = Run.builder(run.model(), run.backend(), run.precision().id()).status(Run.FAILED).reason(reason)
                .environment(environment)
                .resources(new Run.Resources(ended.ending().peakResidentBytes(), null, null, null)).build();
        return Result.of(new RunTask.Outcome(failed, null, List.of()));
    }

    /** The int8 run's calibration table for the child, in the calibration file format; null for other runs. */
    private byte[] calibrationBytes(PlannedRun run) {
        dev.segbench.api.CalibrationTable table = run.precision() == dev.segbench.api.Precision.INT8
                ? plan.calibration(run.model()) : null;
        return table == null ? null : dev.segbench.api.io.CalibrationFile.toBytes(List.of(table));
    }

    @Override
    public void stop() {
        children.stop();
    }

    @Override
    public void close() {
        dev.segbench.api.io.Folders.deleteQuietly(workDir);
    }
}
