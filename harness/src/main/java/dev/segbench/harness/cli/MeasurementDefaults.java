package dev.segbench.harness.cli;

import dev.segbench.results.settings.Settings;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The defaults of {@code --warmup}, {@code --min-duration}, {@code --min-iterations} and {@code --batch-sizes}. A
 * compare without {@code --dataset} is a first look (seeded weights, generated images) that must end in about two
 * minutes on a 2-core machine with every engine available there, so its measurements are short, as trtexec's default
 * 3 s duration is, and at batch 1 only (the interpreted engines are slowest at larger batches); their 95% intervals
 * say how precise they are. With a dataset the full LoadGen-style minimums apply. An option given on
 * the command line always wins.
 */
record MeasurementDefaults(double warmupSeconds, double minDurationSeconds, int minIterations, List<Integer> batchSizes) {

    static final MeasurementDefaults FIRST_LOOK = new MeasurementDefaults(1, 2, 10, List.of(1));
    static final MeasurementDefaults FULL = new MeasurementDefaults(2, 5, 30, List.of(1, 8, 32));
    /** The same in words, as constants for the command's help (MeasurementDefaultsTest keeps them equal). */
    static final String FIRST_LOOK_TEXT = "1 s warm-up, >= 2 s and >= 10 timed requests, batch 1";
    static final String FULL_TEXT = "2 s warm-up, >= 5 s and >= 30 timed requests, batches 1,8 (1,8,32 on GPUs)";

    /** "1 s warm-up, >= 2 s and >= 10 timed requests, batch 1": as the help and the first-look note say it. */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s s warm-up, >= %s s and >= %d timed requests, %s", trim(warmupSeconds),
                trim(minDurationSeconds), minIterations, batchSizes.size() == 1 ? "batch " + batchSizes.getFirst()
                        : "batches 1," + Settings.CPU_DEFAULT_MAX_BATCH + " (" + batchSizes.stream().map(String::valueOf)
                        .collect(Collectors.joining(",")) + " on GPUs)");
    }

    private static String trim(double seconds) {
        return seconds == Math.rint(seconds) ? Long.toString((long) seconds) : Double.toString(seconds);
    }
}
