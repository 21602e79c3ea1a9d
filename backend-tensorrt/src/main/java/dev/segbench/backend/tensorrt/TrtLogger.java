package dev.segbench.backend.tensorrt;

import org.bytedeco.tensorrt.nvinfer.ILogger;

import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The one TensorRT logger of this process (TensorRT wants one for all builders and runtimes). Forwards to
 * System.Logger and keeps the last few errors so a failed build or run can say why.
 */
final class TrtLogger extends ILogger {

    static final TrtLogger INSTANCE = new TrtLogger();

    private static final System.Logger LOG = System.getLogger("dev.segbench.backend.tensorrt.TensorRT");
    private static final int KEPT = 16;

    private final Deque<String> recentErrors = new ArrayDeque<>();
    /** Errors ever logged, so {@link #errorsSince(int)} can tell which of the kept ones are new. */
    private int totalErrors;

    private TrtLogger() {
    }

    @Override
    public void log(Severity severity, String message) {
        Severity s = severity.intern();
        Level level = switch (s) {
            case kINTERNAL_ERROR, kERROR -> Level.ERROR;
            case kWARNING -> Level.WARNING;
            case kINFO -> Level.DEBUG;
            default -> Level.TRACE;
        };
        LOG.log(level, message);
        if (level == Level.ERROR) {
            synchronized (recentErrors) {
                if (recentErrors.size() == KEPT) {
                    recentErrors.removeFirst();
                }
                recentErrors.addLast(message);
                totalErrors++;
            }
        }
    }

    /** A mark to pass to {@link #errorsSince(int)}. */
    int mark() {
        synchronized (recentErrors) {
            return totalErrors;
        }
    }

    /** Errors logged after {@code mark} (at most the last {@value #KEPT}), joined for a message; "" if none. */
    String errorsSince(int mark) {
        synchronized (recentErrors) {
            List<String> all = new ArrayList<>(recentErrors);
            int fresh = Math.min(all.size(), totalErrors - mark);
            return fresh <= 0 ? "" : String.join("; ", all.subList(all.size() - fresh, all.size()));
        }
    }
}
