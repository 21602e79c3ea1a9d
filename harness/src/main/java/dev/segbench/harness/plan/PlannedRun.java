package dev.segbench.harness.plan;

import dev.segbench.api.Capability;
import dev.segbench.api.Precision;
import dev.segbench.results.Run;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One run of the plan.
 *
 * @param role              what the run is for (see {@link Role})
 * @param skipReason        why the run cannot run here (backend unavailable, precision unsupported); null if it can
 * @param referenceKey      the key of the run whose labels this run's agreement is measured against; null if none
 * @param batchSizes        throughput batch sizes for this run's backend
 * @param capabilities      the backend's capabilities as the plan's probe found them (empty when unavailable): the run
 *                          uses this answer, never a probe of its own, so it measures what its fingerprint records
 * @param fingerprint       SHA-256 of {@code fingerprintInputs} as canonical JSON
 * @param fingerprintInputs everything that decides the run's result (see {@link Fingerprint})
 */
public record PlannedRun(String model, String backend, Precision precision, Role role, String skipReason,
                         String referenceKey, List<Integer> batchSizes, Set<Capability> capabilities, String fingerprint,
                         Map<String, Object> fingerprintInputs) {

    /** What a run is for. */
    public enum Role {
        /** Measured, and its labels are the reference of the model's other runs. */
        REFERENCE,
        /** Added only so others have a reference: accuracy pass only, no performance pass. */
        REFERENCE_ONLY,
        /** Measured; agreement with {@code referenceKey} when the reference succeeded. */
        COMPARED;

        public boolean writesLabels() {
            return this != COMPARED;
        }
    }

    public PlannedRun {
        batchSizes = List.copyOf(batchSizes);
        capabilities = capabilities == null ? Set.of() : Set.copyOf(capabilities);
        // null values are inputs too ("no reference"), so not Map.copyOf
        fingerprintInputs = fingerprintInputs == null ? Map.of()
                : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(fingerprintInputs));
    }

    /** Whether the backend runs on a GPU. */
    public boolean gpu() {
        return capabilities.contains(Capability.GPU);
    }

    public String key() {
        return Run.key(model, backend, precision.id());
    }

    public boolean runnable() {
        return skipReason == null;
    }

    /** The run's result file name under OUT/runs (no slashes): {@code model.backend.precision}. */
    public String fileStem() {
        return fileSafe(model) + "." + fileSafe(backend) + "." + precision.id();
    }

    public static String fileSafe(String s) {
        return s.replaceAll("[^A-Za-z0-9_-]", "_");
    }
}
