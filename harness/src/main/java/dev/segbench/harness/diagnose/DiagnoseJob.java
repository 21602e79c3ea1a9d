package dev.segbench.harness.diagnose;

import java.nio.file.Path;
import java.util.List;

/**
 * One run of a diagnose, as its child process gets it: the model, the backend and precision, the images, the
 * tensors to capture, and where the reference run's tensors are (written by the reference, read by the others).
 *
 * @param weights     checkpoint, or null for seeded weights of {@code seed}
 * @param calibration an int8 run's calibration table as calibration-file bytes; null otherwise
 * @param reference   true for the reference run, which writes its tensors; the others compare with them
 */
public record DiagnoseJob(String model, Path weights, long seed, String backend, String precision, byte[] calibration,
                          String dataset, int limit, List<String> ids, int threads, List<String> capture,
                          Path referenceDir, boolean reference) {

    public String key() {
        return backend + ":" + precision;
    }

    /**
     * What the child found: the images, the captured tensors (in capture order), and for a compared run the pooled
     * error sums per tensor, and the tensors whose shapes differ from the reference's.
     */
    public record Captured(List<String> imageIds, List<String> captured, java.util.Map<String, TensorError.Sums> sums,
                           java.util.Map<String, String> mismatched) {
    }
}
