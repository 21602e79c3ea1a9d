package dev.segbench.harness.exec;

import dev.segbench.api.Progress;
import dev.segbench.api.Text;
import java.io.PrintStream;

/**
 * What a child says on its standard output, one line each: progress of its passes and log lines. The parent turns
 * them into its progress bar and messages and treats progress as the child's heartbeat; the run's result never
 * travels this way (it is a file). Any other line on the child's stdout (a native library printing) goes to the
 * run's log.
 */
final class ChildProtocol {

    static final String PREFIX = "@@segbench ";

    private ChildProtocol() {
    }

    /** A parsed line, or null when it is not ours. */
    record Message(String kind, long number, String unit, String text) {
    }

    static Message parse(String line) {
        if (!line.startsWith(PREFIX)) {
            return null;
        }
        String rest = line.substring(PREFIX.length());
        String[] p = rest.split(" ", 4);
        try {
            return switch (p[0]) {
                case "start" -> new Message("start", Long.parseLong(p[1]), p[2], p.length > 3 ? p[3] : "");
                case "advance" -> new Message("advance", Long.parseLong(p[1]), null, null);
                case "done" -> new Message("done", 0, null, null);
                case "log" -> new Message("log", 0, null, rest.length() > 4 ? rest.substring(4) : "");
                default -> null;
            };
        } catch (RuntimeException e) {
            return null; // not a line of ours after all
        }
    }

    /**
     * The child's side: a {@link Progress} that prints protocol lines. Advances are summed and printed at most
     * every {@value #FLUSH_MILLIS} ms, so a fast performance pass does not flood the pipe; a run that stops
     * advancing prints nothing, which is what the parent's watchdog looks for.
     */
    static final class Writer implements Progress {
        static final long FLUSH_MILLIS = 100;

        private final PrintStream out;
        private long pending;
        private long lastFlush;

        Writer(PrintStream out) {
            this.out = out;
        }

        @Override
        public synchronized void start(String task, long total, String unit) {
            flush();
            out.println(PREFIX + "start " + total + " " + unit.replace(' ', '_') + " " + Text.oneLine(task));
            lastFlush = System.nanoTime();
        }

        @Override
        public synchronized void advance(long delta) {
            pending += delta;
            if (System.nanoTime() - lastFlush > FLUSH_MILLIS * 1_000_000) {
                flush();
            }
        }

        @Override
        public synchronized void done() {
            flush();
            out.println(PREFIX + "done");
        }

        synchronized void log(String message) {
            out.println(PREFIX + "log " + Text.oneLine(message));
        }

        private void flush() {
            if (pending > 0) {
                out.println(PREFIX + "advance " + pending);
                pending = 0;
            }
            lastFlush = System.nanoTime();
        }
    }
}
