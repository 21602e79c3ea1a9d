package dev.segbench.harness.cli;

import dev.segbench.api.Progress;
import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Shows {@link Progress} as a progress bar on stderr (one bar at a time). */
final class ConsoleProgress implements Progress {

    private final PrintStream err;
    private ProgressBar bar;

    ConsoleProgress(PrintStream err) {
        this.err = err;
    }

    @Override
    public synchronized void start(String task, long total, String unit) {
        done();
        bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total < 0 ? -1 : total)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).showSpeed()
                .setUnit(" " + unit, 1).setConsumer(new ConsoleProgressBarConsumer(err)).build();
    }

    @Override
    public synchronized void advance(long delta) {
        if (bar != null) {
            bar.stepBy(delta);
        }
    }

    @Override
    public synchronized void done() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
