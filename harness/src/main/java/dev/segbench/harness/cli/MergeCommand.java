package dev.segbench.harness.cli;

import dev.segbench.results.Results;
import dev.segbench.harness.merge.Merger;
import dev.segbench.harness.results.ReportWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code segbench merge DIR... --out DIR}. */
@Command(name = "merge", mixinStandardHelpOptions = true,
        description = "Merge results of 'compare --shard i/n' runs: adds confusion matrices and latency histograms, re-derives every metric.")
final class MergeCommand implements Callable<Integer> {

    @ParentCommand
    Cli cli;

    @Parameters(arity = "1..*", paramLabel = "DIR", description = "Shard results folders.")
    List<Path> dirs;

    @Option(names = {"--out", "-o"}, required = true, paramLabel = "DIR", description = "Merged results folder.")
    Path out;

    @Override
    public Integer call() throws Exception {
        Results merged = Merger.merge(dirs, out);
        cli.out.println("merged " + dirs.size() + " folder(s), " + merged.runs().size() + " runs");
        cli.out.println("wrote:");
        cli.out.println("  " + out.resolve("results.json"));
        cli.out.println("  " + out.resolve("summary.csv"));
        Path report = ReportWriter.tryWrite(out, cli.err::println);
        if (report != null) {
            cli.out.println("  " + report);
        }
        return 0;
    }
}
