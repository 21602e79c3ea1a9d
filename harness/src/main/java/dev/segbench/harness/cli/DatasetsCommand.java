package dev.segbench.harness.cli;

import dev.segbench.api.DatasetProvider;
import dev.segbench.results.UserException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code segbench datasets} and {@code segbench datasets fetch}. */
@Command(name = "datasets", mixinStandardHelpOptions = true, description = "List dataset schemes and what they can download.",
        subcommands = DatasetsCommand.Fetch.class)
final class DatasetsCommand implements Callable<Integer> {

    @ParentCommand
    Cli cli;

    @Override
    public Integer call() {
        List<List<String>> rows = new ArrayList<>();
        for (DatasetProvider p : cli.plugins().datasetProviders()) {
            rows.add(List.of(p.scheme(), p.fetchable().isEmpty() ? "-" : String.join(",", p.fetchable()), p.description()));
        }
        cli.out.println(Table.render(List.of("scheme", "fetchable", "description"), rows));
        return 0;
    }

    /** {@code segbench datasets fetch NAME --dir DIR}. */
    @Command(name = "fetch", mixinStandardHelpOptions = true, description = "Download, verify and extract a dataset (resumes a partial download).")
    static final class Fetch implements Callable<Integer> {

        @ParentCommand
        DatasetsCommand datasets;

        @Parameters(paramLabel = "NAME", description = "What to download, e.g. voc2012.")
        String name;

        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "Where to put it.")
        Path dir;

        @Override
        public Integer call() throws Exception {
            Cli cli = datasets.cli;
            List<DatasetProvider> all = cli.plugins().datasetProviders();
            DatasetProvider provider = all.stream().filter(p -> p.fetchable().contains(name)).findFirst()
                    .orElseThrow(() -> new UserException("nothing can download '" + name + "' (fetchable: "
                            + all.stream().flatMap(p -> p.fetchable().stream()).collect(Collectors.joining(", ")) + ")"));
            Path where = provider.fetch(name, dir, cli.progress());
            cli.out.println("fetched " + name + " into " + where + " (use --dataset " + provider.scheme() + ":" + where + ")");
            return 0;
        }
    }
}
