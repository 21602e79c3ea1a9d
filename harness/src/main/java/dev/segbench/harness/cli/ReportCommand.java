package dev.segbench.harness.cli;

import dev.segbench.results.ResultsJson;
import dev.segbench.results.UserException;
import dev.segbench.harness.results.ReportWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code segbench report DIR}: (re)writes DIR/report.html from DIR/results.json. */
@Command(name = "report", mixinStandardHelpOptions = true, description = "Write DIR/report.html from DIR/results.json, optionally against a baseline.")
final class ReportCommand implements Callable<Integer> {

    @ParentCommand
    Cli cli;

    @Parameters(paramLabel = "DIR", description = "A results folder.")
    Path dir;

    @Option(names = "--compare", paramLabel = "BASELINE_DIR", description = "Flag regressions against this results folder.")
    Path baseline;

    @Option(names = "--threshold", defaultValue = "0.05", paramLabel = "FRACTION", description = "Relative change that counts as a regression (default: ${DEFAULT-VALUE}).")
    double threshold;

    @Override
    public Integer call() throws Exception {
        check(dir);
        if (baseline != null) {
            check(baseline);
        }
        if (!(threshold > 0)) {
            throw new UserException("--threshold: must be > 0");
        }
        Path report = ReportWriter.write(dir, baseline, threshold);
        cli.out.println("wrote " + report);
        return 0;
    }

    private static void check(Path d) throws Exception {
        if (!Files.isDirectory(d)) {
            throw new UserException(d + ": no such results folder");
        }
        ResultsJson.read(d);
    }
}
