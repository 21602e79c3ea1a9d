package dev.segbench.harness.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.harness.CliResult;
import dev.segbench.harness.fakes.StallingPlugin;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stalling backend's plugin jar is ready for the CLI-level scenario tests: segbench finds it in --plugins. */
class StallingPluginTest {

    @TempDir
    Path tmp;

    @Test
    void theStallingPluginIsListedAsAvailable() throws Exception {
        Path plugins = StallingPlugin.build(tmp);
        CliResult r = CliResult.run("--plugins", plugins.toString(), "backends");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith(StallingPlugin.BACKEND_ID) && l.contains("yes")
                && l.contains("stalling-1")), r.out());
    }
}
