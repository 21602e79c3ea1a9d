package dev.segbench.harness.exec;

import dev.segbench.api.BadSampleException;
import dev.segbench.api.Progress;
import dev.segbench.harness.run.RunTask;
import dev.segbench.harness.plan.Plan;
import dev.segbench.harness.plan.PlannedRun;
import dev.segbench.harness.plan.Planner;
import dev.segbench.harness.plugins.Plugins;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * {@code --in-process}: every run in this JVM, with the model sources and dataset the planner opened. For debugging:
 * a backend that crashes takes the compare down with it.
 */
public final class InProcessExecutor implements Executor {

    private final Plugins plugins;
    private final Plan plan;
    private final Planner planner;
    private final String environment;
    private final Progress progress;
    private final Consumer<String> log;

    public InProcessExecutor(Plugins plugins, Plan plan, Planner planner, String environment, Progress progress,
                             Consumer<String> log) {
        this.plugins = plugins;
        this.plan = plan;
        this.planner = planner;
        this.environment = environment;
        this.progress = progress;
        this.log = log;
    }

    @Override
    public Result execute(PlannedRun run, Path labels, Runnable whileItStarts) throws InterruptedException {
        if (whileItStarts != null) {
            whileItStarts.run(); // one JVM: nothing to overlap
        }
        RunTask.Inputs inputs = new RunTask.Inputs(plan.settings(), run, plan.dataset(),
                plugins.requireBackend(run.backend(), ""), planner.source(run.model()), planner.dataset(), labels, environment,
                plan.calibration(run.model()), plan.fallback(run.model()));
        try {
            return Result.of(RunTask.execute(inputs, progress, log));
        } catch (BadSampleException e) {
            return new Result(null, e.getMessage(), false, null);
        }
    }

    @Override
    public void stop() {
        // the run is in this JVM: the shutdown that called this ends it
    }

    @Override
    public void close() {
        // the planner owns the dataset
    }
}
