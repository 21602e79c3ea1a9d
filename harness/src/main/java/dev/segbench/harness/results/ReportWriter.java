package dev.segbench.harness.results;

import dev.segbench.reports.HtmlReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/** Writes the HTML report of a results folder with the reports module; a failure never touches results.json. */
public final class ReportWriter {

    private ReportWriter() {
    }

    /** The report's path, or null (with a logged reason) when it could not be written. */
    public static Path tryWrite(Path resultsDir, Consumer<String> log) {
        try {
            return write(resultsDir, null, HtmlReport.DEFAULT_REGRESSION_THRESHOLD);
        } catch (Exception | LinkageError | OutOfMemoryError | StackOverflowError e) {
            // results.json is already written: whatever breaks the report must not turn the command into a failure.
            log.accept("warning: report not written (" + dev.segbench.harness.Messages.oneLine(e) + "); results.json is complete");
            return null;
        }
    }

    /** Writes {@code resultsDir/report.html}, compared with {@code baselineDir} when it is not null. */
    public static Path write(Path resultsDir, Path baselineDir, double regressionThreshold) throws IOException {
        return baselineDir == null ? HtmlReport.write(resultsDir) : HtmlReport.write(resultsDir, baselineDir, regressionThreshold);
    }
}
