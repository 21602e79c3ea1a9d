package dev.segbench.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Whether a backend can run here. Unavailable is a value with a human reason (what is missing and how
 * to fix it), never an exception.
 *
 * @param version the runtime version read from the loaded native library, when available
 * @param devices human-readable devices ("NVIDIA H100 80GB HBM3 (sm_90)", "CPU: 2 threads")
 * @param facts   environment facts the backend read from its own libraries and devices, recorded in the
 *                results' environment (e.g. "nvidia.driver" = "580.65", "cuda.runtime" = "13.0",
 *                "cudnn" = "9.14.0", "tensorrt" = "10.15.1"); the harness never guesses them from backend ids
 */
public record Availability(boolean available, String reason, String version, List<String> devices,
                           Set<Capability> capabilities, Map<String, String> facts) {

    public Availability {
        devices = List.copyOf(devices);
        capabilities = Set.copyOf(capabilities);
        facts = facts == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(facts));
        if (!available) {
            Objects.requireNonNull(reason, "an unavailable backend must say why");
        }
    }

    public static Availability available(String version, List<String> devices, Set<Capability> capabilities) {
        return new Availability(true, null, version, devices, capabilities, Map.of());
    }

    public static Availability unavailable(String reason) {
        return new Availability(false, reason, null, List.of(), Set.of(), Map.of());
    }

    /** The same availability with these environment facts (insertion order kept). */
    public Availability withFacts(Map<String, String> newFacts) {
        return new Availability(available, reason, version, devices, capabilities, newFacts);
    }
}
