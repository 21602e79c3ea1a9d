package dev.segbench.harness;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.segbench.api.Backend;
import dev.segbench.harness.plugins.Plugins;
import dev.segbench.testfixtures.SharedFixtures;
import java.nio.file.Path;
import java.util.List;

/** Preconditions of the acceptance tests: the ../shared fixtures and the real models and CPU backend modules. */
public final class Real {

    private Real() {
    }

    public static Path shared() {
        return SharedFixtures.shared("acceptance test");
    }

    public static Path reference() {
        return shared().resolve("data/nas-segm-reference");
    }

    /** The real CPU backend, skipping visibly when the backend-cpu module or the models module is not installed. */
    public static Backend cpu(Plugins plugins) {
        Backend cpu = plugins.backend("cpu").orElse(null);
        assumeTrue(cpu != null && cpu.availability().available(), "real backend-cpu module absent or unavailable: skipped");
        assumeTrue(plugins.catalogFor("arch0").isPresent(), "real models module (catalogue nas-segm) absent: skipped");
        return cpu;
    }

    public static Plugins plugins() {
        return Plugins.load(List.of(), List.of());
    }
}
