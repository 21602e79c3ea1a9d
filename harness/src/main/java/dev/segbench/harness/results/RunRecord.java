package dev.segbench.harness.results;

import dev.segbench.results.Environment;
import dev.segbench.results.GalleryEntry;
import dev.segbench.results.Run;
import java.util.List;
import java.util.Map;

/**
 * The file {@code OUT/runs/<run>.json}: one finished run with everything needed to rebuild the results without
 * running it again: the run (with its raw batch-1 latency histogram and confusion matrices), the raw end-to-end
 * histogram, its gallery entries, the machine it ran on, and the fingerprint {@code --resume} compares.
 *
 * @param fingerprintInputs what the fingerprint was computed from, to say what changed when it differs
 */
public record RunRecord(int schemaVersion, String key, String fingerprint, Map<String, Object> fingerprintInputs,
                        Run run, String endToEndHistogram, List<GalleryEntry> gallery, Environment environment) {

    public static final int SCHEMA_VERSION = 1;

    public RunRecord {
        fingerprintInputs = fingerprintInputs == null ? Map.of() : fingerprintInputs;
        gallery = gallery == null ? List.of() : List.copyOf(gallery);
    }

    public RunRecord withRun(Run newRun) {
        return new RunRecord(schemaVersion, key, fingerprint, fingerprintInputs, newRun, endToEndHistogram, gallery,
                environment);
    }
}
