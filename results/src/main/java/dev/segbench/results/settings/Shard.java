package dev.segbench.results.settings;

import dev.segbench.results.UserException;
import java.util.Map;

/**
 * {@code --shard i/n}: this process evaluates the samples whose index % n == i. {@code --shard auto} takes i and n
 * from the job scheduler: a Slurm job array ({@code SLURM_ARRAY_TASK_ID}, {@code SLURM_ARRAY_TASK_COUNT}, and
 * {@code SLURM_ARRAY_TASK_MIN} when the array does not start at 0) or a Kubernetes Indexed Job
 * ({@code JOB_COMPLETION_INDEX}, with the count from {@code --shard auto/N} or {@code SEGBENCH_SHARD_COUNT}, since
 * Kubernetes does not pass the completion count to the pod).
 *
 * @param source where i/n came from, for messages ("--shard", "Slurm job array", ...)
 */
public record Shard(int index, int count, String source) {

    public static final Shard ALL = new Shard(0, 1, "default");

    public Shard {
        if (count < 1 || index < 0 || index >= count) {
            throw new UserException("--shard: need i/n with 0 <= i < n, got " + index + "/" + count
                    + (source == null || source.equals("--shard") ? "" : " from the " + source));
        }
    }

    /** {@code i/n}, {@code auto} or {@code auto/n}; {@code env} is the process environment. */
    public static Shard parse(String text, Map<String, String> env) {
        String t = text.trim();
        if (t.equalsIgnoreCase("auto") || t.toLowerCase(java.util.Locale.ROOT).startsWith("auto/")) {
            Integer count = t.length() > 4 ? number(t.substring(5), "--shard: '" + text + "' is not auto/N") : null;
            return fromScheduler(env, count);
        }
        String[] parts = t.split("/");
        if (parts.length == 2) {
            String err = "--shard: '" + text + "' is not i/n (e.g. 0/4) or auto";
            return new Shard(number(parts[0], err), number(parts[1], err), "--shard");
        }
        throw new UserException("--shard: '" + text + "' is not i/n (e.g. 0/4) or auto");
    }

    private static Shard fromScheduler(Map<String, String> env, Integer givenCount) {
        String slurmId = env.get("SLURM_ARRAY_TASK_ID");
        if (slurmId != null && !slurmId.isBlank()) {
            int id = number(slurmId, "--shard auto: SLURM_ARRAY_TASK_ID='" + slurmId + "' is not a number");
            String min = env.get("SLURM_ARRAY_TASK_MIN");
            int first = min == null || min.isBlank() ? 0 : number(min, "--shard auto: SLURM_ARRAY_TASK_MIN='" + min + "' is not a number");
            String countText = env.get("SLURM_ARRAY_TASK_COUNT");
            if ((countText == null || countText.isBlank()) && givenCount == null) {
                throw new UserException("--shard auto: SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not; "
                        + "give --shard auto/N");
            }
            int count = countText == null || countText.isBlank() ? givenCount
                    : number(countText, "--shard auto: SLURM_ARRAY_TASK_COUNT='" + countText + "' is not a number");
            if (givenCount != null && givenCount != count) {
                throw new UserException("--shard auto/" + givenCount + ": the Slurm job array has " + count + " tasks");
            }
            if (id - first >= count) {
                throw new UserException("--shard auto: Slurm array task " + id + " is not among " + count
                        + " consecutive tasks from " + first + " (use a contiguous array such as --array=0-" + (count - 1) + ")");
            }
            return new Shard(id - first, count, "Slurm job array");
        }
        String k8sIndex = env.get("JOB_COMPLETION_INDEX");
        if (k8sIndex != null && !k8sIndex.isBlank()) {
            int id = number(k8sIndex, "--shard auto: JOB_COMPLETION_INDEX='" + k8sIndex + "' is not a number");
            String countText = env.get("SEGBENCH_SHARD_COUNT");
            if (givenCount == null && (countText == null || countText.isBlank())) {
                throw new UserException("--shard auto: JOB_COMPLETION_INDEX is set (Kubernetes Indexed Job) but not the count; "
                        + "give --shard auto/N with N = the Job's completions, or set SEGBENCH_SHARD_COUNT");
            }
            int count = givenCount != null ? givenCount
                    : number(countText, "--shard auto: SEGBENCH_SHARD_COUNT='" + countText + "' is not a number");
            return new Shard(id, count, "Kubernetes Indexed Job");
        }
        throw new UserException("--shard auto: neither SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT (Slurm job array) nor "
                + "JOB_COMPLETION_INDEX (Kubernetes Indexed Job) is set; give --shard i/n");
    }

    private static int number(String text, String error) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new UserException(error);
        }
    }

    public boolean contains(int sampleIndex) {
        return sampleIndex % count == index;
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }
}
