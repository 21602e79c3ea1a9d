package dev.segbench.harness.plan;

import dev.segbench.api.Backend;
import java.util.List;
import java.util.Map;

/**
 * Asks backends whether they can run here. Probing loads native libraries (and may crash in them), so the
 * default implementation does it in a child process; {@code --in-process} asks in this JVM.
 */
public interface BackendProbe {

    /** The state of each backend, by id, in the order given. */
    Map<String, BackendState> probe(List<Backend> backends);
}
