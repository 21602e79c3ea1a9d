package dev.segbench.harness.exec;

import dev.segbench.api.Availability;
import dev.segbench.api.Backend;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The environment a backend declares for its runs' processes ({@link Backend#childEnvironment()}): which variables a
 * child gets, and the facts that record it. The rule: a declared variable is added to the child's environment unless
 * segbench's own environment (which the child inherits) already has it, so the user's value wins.
 */
public final class BackendEnvironment {

    /** Fact keys are the variable's name after this prefix, among the backend's facts ("env.MALLOC_ARENA_MAX"). */
    public static final String FACT_PREFIX = "env.";

    private BackendEnvironment() {
    }

    /** What {@code backend} declares; empty for none, or where the plugin's method fails (it is a plugin's code). */
    public static Map<String, String> declared(Backend backend) {
        try {
            Map<String, String> env = backend.childEnvironment();
            return env == null ? Map.of() : new TreeMap<>(env);
        } catch (RuntimeException | LinkageError broken) {
            return Map.of();
        }
    }

    /** Adds the {@code declared} variables to a child's {@code environment} (a copy of segbench's) where it lacks them. */
    static void applyTo(Map<String, String> environment, Map<String, String> declared) {
        declared.forEach(environment::putIfAbsent);
    }

    /**
     * One fact per declared variable, saying what the run's process has and where that came from: "VALUE (backend)",
     * "VALUE (environment)" where {@code parent} (segbench's environment) set it, or, for {@code --in-process} runs,
     * which share segbench's process and so cannot get it, "unset (not applied: --in-process; the backend asks for
     * VALUE)".
     */
    public static Map<String, String> facts(Backend backend, Map<String, String> parent, boolean inProcess) {
        Map<String, String> facts = new LinkedHashMap<>();
        declared(backend).forEach((name, value) -> {
            String user = parent.get(name);
            facts.put(FACT_PREFIX + name, user != null ? user + " (environment)"
                    : inProcess ? "unset (not applied: --in-process; the backend asks for " + value + ")"
                    : value + " (backend)");
        });
        return facts;
    }

    /** {@code a} with {@link #facts} added to its own; an unavailable backend's stays as it is (it records none). */
    public static Availability withFacts(Backend backend, Availability a, boolean inProcess) {
        Map<String, String> env = facts(backend, System.getenv(), inProcess);
        if (env.isEmpty() || !a.available()) {
            return a;
        }
        Map<String, String> all = new LinkedHashMap<>(a.facts());
        all.putAll(env);
        return a.withFacts(all);
    }
}
