package dev.segbench.api;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An inference backend, found with {@link java.util.ServiceLoader} (one line in
 * {@code META-INF/services/dev.segbench.api.Backend}). The constructor must be trivial and touch no
 * native code: {@link #availability()} probes lazily and caches its answer.
 */
public interface Backend {

    /** Short stable id used on the command line and in results ("cpu", "tensorrt", "cuda"). */
    String id();

    /** One line for `segbench backends`. */
    String description();

    /** Lower rank is preferred as the reference when several are available. */
    default int rank() {
        return 100;
    }

    /** Probes the native runtime once; never throws. */
    Availability availability();

    Set<Precision> precisions();

    /**
     * Why this backend does not offer {@code precision} (one line, e.g. "the FP16 target exists on ARM only"), which the
     * harness adds to the skip it reports; empty where the backend gives no reason or offers the precision.
     */
    default Optional<String> unsupportedReason(Precision precision) {
        return Optional.empty();
    }

    /**
     * Every session property key this backend reads ({@code --property KEY=VALUE}; see {@link BackendProperties}):
     * its own, which start with its id and a dot ("cpu.threads"), and any of another prefix it borrows. The harness
     * rejects an unknown key of this backend's prefix before anything runs. Default: none.
     */
    default List<String> propertyKeys() {
        return List.of();
    }

    /**
     * Environment variables the harness sets for the process of each of this backend's runs (its own child JVM). Some
     * native runtimes read a setting only from the environment, once, when the process starts (glibc's
     * {@code MALLOC_ARENA_MAX}, say), so neither the backend nor a JVM option can set it later. A variable already in
     * segbench's own environment is left as the user set it; an {@code --in-process} run cannot get them. The harness
     * records what each run's process got, and from where, in the backend's environment facts. Default: none.
     */
    default Map<String, String> childEnvironment() {
        return Map.of();
    }

    /**
     * Opens a session for one model. The backend chooses which graph variant to take from
     * {@code model} (e.g. the FP16 graph for {@link Precision#FP16}).
     */
    InferenceSession open(ModelSource model, SessionOptions options) throws BackendException;
}
