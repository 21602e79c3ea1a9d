package dev.segbench.api;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Whether a backend can run here. Unavailable is a value with a human reason (what is missing and how
 * to fix it), never an exception.
 *
 * @param version the runtime version read from the loaded native library, when available
 * @param devices human-readable devices ("NVIDIA H100 80GB HBM3 (sm_90)", "CPU: 2 threads")
 */
public record Availability(boolean available, String reason, String version, List<String> devices,
                           Set<Capability> capabilities) {

    public Availability {
        devices = List.copyOf(devices);
        capabilities = Set.copyOf(capabilities);
        if (!available) {
            Objects.requireNonNull(reason, "an unavailable backend must say why");
        }
    }

    public static Availability available(String version, List<String> devices, Set<Capability> capabilities) {
        return new Availability(true, null, version, devices, capabilities);
    }

    public static Availability unavailable(String reason) {
        return new Availability(false, reason, null, List.of(), Set.of());
    }
}
