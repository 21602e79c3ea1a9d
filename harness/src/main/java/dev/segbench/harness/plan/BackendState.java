package dev.segbench.harness.plan;

import dev.segbench.api.Availability;
import dev.segbench.api.Capability;
import dev.segbench.api.Precision;
import java.util.Set;

/** What the plan needs to know of a backend: whether it can run here, and which precisions it offers. */
public record BackendState(String id, int rank, Availability availability, Set<Precision> precisions) {

    public BackendState {
        precisions = Set.copyOf(precisions);
    }

    public boolean gpu() {
        return availability.available() && availability.capabilities().contains(Capability.GPU);
    }
}
