package dev.segbench.harness.cli;

import dev.segbench.harness.plugins.Plugins;
import dev.segbench.api.Availability;
import dev.segbench.api.Backend;
import dev.segbench.api.Precision;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code segbench backends}: every backend found, available or not, with the reason. */
@Command(name = "backends", mixinStandardHelpOptions = true, description = "List backends: availability (or why not), version, devices, precisions.")
final class BackendsCommand implements Callable<Integer> {

    @ParentCommand
    Cli cli;

    @Override
    public Integer call() {
        List<List<String>> rows = new ArrayList<>();
        for (Backend b : cli.plugins().backends()) {
            Availability a = Plugins.availability(b);
            rows.add(List.of(b.id(), a.available() ? "yes" : "no",
                    a.available() ? (a.version() == null ? "-" : a.version()) : a.reason(),
                    a.devices().isEmpty() ? "-" : String.join("; ", a.devices()),
                    b.precisions().stream().map(Precision::id).sorted().collect(Collectors.joining(",")),
                    b.description()));
        }
        cli.out.println(Table.render(List.of("id", "available", "version / reason", "devices", "precisions", "description"), rows));
        cli.plugins().warnings().forEach(w -> cli.out.println("warning: " + w));
        return 0;
    }
}
