package dev.segbench.harness.exec;

import dev.segbench.harness.run.RunTask;
import dev.segbench.harness.plan.PlannedRun;
import java.nio.file.Path;

/**
 * Executes the runs of a plan one at a time: each in its own child JVM ({@link ForkedExecutor}, the default) or in
 * this one ({@link InProcessExecutor}, {@code --in-process}).
 */
public interface Executor extends AutoCloseable {

    /**
     * How a run ended. {@code outcome} is its result (ok or failed); null when it was interrupted or stopped at a
     * bad sample ({@code badSample}, which stops the compare).
     */
    record Result(RunTask.Outcome outcome, String badSample, boolean interrupted, String interruption) {

        static Result of(RunTask.Outcome outcome) {
            return new Result(outcome, null, false, null);
        }
    }

    /**
     * Runs one planned run. {@code labels}: the reference labels to write or read, or null. {@code whileItStarts}:
     * the caller's own work (writing the previous run's results), done while the run's process starts and before
     * its measured work begins; null for none.
     */
    Result execute(PlannedRun run, Path labels, Runnable whileItStarts) throws InterruptedException;

    /** Stops the run in flight at once (Ctrl-C); called from another thread. */
    void stop();

    @Override
    void close();
}
