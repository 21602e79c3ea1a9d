package dev.segbench.harness.cli;

import dev.segbench.harness.plugins.Plugins;
import dev.segbench.api.Availability;
import dev.segbench.api.Backend;
import dev.segbench.results.Environment;
import dev.segbench.results.ResultsJson;
import dev.segbench.harness.env.EnvironmentProbe;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code segbench env}: what results.json would record about this machine, plus every backend's state. */
@Command(name = "env", mixinStandardHelpOptions = true, description = "Show the environment recorded in results, and backend availability.")
final class EnvCommand implements Callable<Integer> {

    @ParentCommand
    Cli cli;

    @Override
    public Integer call() throws Exception {
        java.util.Map<String, Availability> states = new java.util.LinkedHashMap<>();
        // as a compare records it: each run in a process of its own, with the environment its backend declares
        cli.plugins().backends().forEach(b -> states.put(b.id(),
                dev.segbench.harness.exec.BackendEnvironment.withFacts(b, Plugins.availability(b), false)));
        Environment env = EnvironmentProbe.collect(states);
        cli.out.println(ResultsJson.mapper().writeValueAsString(env));
        for (Backend b : cli.plugins().backends()) {
            Availability a = Plugins.availability(b);
            cli.out.println("backend " + b.id() + ": " + (a.available() ? "available " + a.version() + " " + a.devices()
                    + " " + a.capabilities() : "unavailable: " + a.reason()));
        }
        cli.out.println("plugin jars: " + cli.plugins().pluginJars());
        cli.plugins().warnings().forEach(w -> cli.out.println("warning: " + w));
        return 0;
    }
}
