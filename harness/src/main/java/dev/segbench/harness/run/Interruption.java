package dev.segbench.harness.run;

import dev.segbench.results.Run;
import dev.segbench.harness.exec.Executor;
import dev.segbench.harness.results.ResultsBook;
import java.util.function.Consumer;

/**
 * Ctrl-C (SIGINT) or SIGTERM during a compare: a shutdown hook stops the run in flight (killing its child), marks it
 * interrupted, writes the results as they stand (finished runs, the interrupted one, the rest pending) and ends the
 * process with status 130. {@code segbench compare --resume} with the same --out then runs what is left.
 */
final class Interruption implements AutoCloseable {

    /** Exit status after an interruption, as shells report Ctrl-C. */
    static final int EXIT_STATUS = 130;

    private final ResultsBook book;
    private final Consumer<String> log;
    private final Thread hook;
    private volatile Executor executor;
    private volatile String current;
    private volatile boolean requested;
    private volatile boolean finished;

    Interruption(ResultsBook book, Consumer<String> log) {
        this.book = book;
        this.log = log;
        this.hook = new Thread(this::onShutdown, "segbench-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    void executor(Executor e) {
        executor = e;
    }

    /** The key of the run in flight (null between runs). */
    void current(String key) {
        current = key;
    }

    boolean requested() {
        return requested;
    }

    /** Waits for the shutdown hook to end the process (it halts the JVM once the results are written). */
    void awaitHalt() throws InterruptedException {
        Thread.sleep(Long.MAX_VALUE);
    }

    private void onShutdown() {
        if (finished) {
            return; // the compare ended normally; this is the JVM's ordinary exit
        }
        requested = true;
        Executor e = executor;
        if (e != null) {
            e.stop();
            e.close(); // the children's work files: nothing runs any more
        }
        String key = current;
        try {
            if (key != null) {
                Run r = book.run(key);
                if (r != null && !r.finished()) {
                    book.mark(key, Run.INTERRUPTED, "interrupted (SIGINT or SIGTERM); --resume runs it again");
                }
            }
            book.sealAndWrite(log);
            log.accept("interrupted: the results so far are written; run the same compare with --resume to finish it");
        } catch (Exception | Error ex) {
            log.accept("interrupted: could not write the results (" + ex + ")");
        } finally {
            Runtime.getRuntime().halt(EXIT_STATUS);
        }
    }

    @Override
    public void close() {
        finished = true;
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is already exiting: the hook sees finished and does nothing
        }
    }
}
