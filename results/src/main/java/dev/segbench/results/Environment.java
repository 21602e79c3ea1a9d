package dev.segbench.results;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The machine and software runs happened on. {@code id} names it within one results file (runs refer to it);
 * {@code host} is the machine's name. {@code backendFacts} holds, per backend id, the facts the backend reported
 * about its own libraries and devices (e.g. "nvidia.driver", "cuda.runtime", "cudnn", "tensorrt"); the harness
 * never guesses them. {@code gpu} is null where no available backend runs on a GPU.
 */
public record Environment(String id, String host, String cpu, int cores, long memoryBytes, String os, String jvm,
                          String gpu, String harnessVersion, String gitCommit, Map<String, String> backendVersions,
                          Map<String, Map<String, String>> backendFacts) {

    public Environment {
        backendVersions = backendVersions == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(backendVersions));
        Map<String, Map<String, String>> facts = new LinkedHashMap<>();
        if (backendFacts != null) {
            backendFacts.forEach((k, v) -> facts.put(k, v == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(v))));
        }
        backendFacts = Collections.unmodifiableMap(facts);
    }

    /** The same environment under another id. */
    public Environment withId(String newId) {
        return new Environment(newId, host, cpu, cores, memoryBytes, os, jvm, gpu, harnessVersion, gitCommit,
                backendVersions, backendFacts);
    }

    /** Whether both describe the same machine and software, whatever their ids. */
    public boolean sameAs(Environment other) {
        return other != null && withId(null).equals(other.withId(null));
    }

    /** One line: host, CPU and GPU. */
    public String describe() {
        return (host == null ? "?" : host) + " (" + (cpu == null ? "?" : cpu) + (gpu == null ? "" : "; " + gpu) + ")";
    }
}
