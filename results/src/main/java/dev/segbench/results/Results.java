package dev.segbench.results;

import dev.segbench.results.settings.Settings;
import java.util.List;

/**
 * The content of {@code OUT/results.json}: what ran, where, with which settings, and what came out.
 * Written by the harness, read by reports and by {@code segbench merge}; field names are snake_case on disk.
 * {@code environment} is the machine that wrote the file; {@code environments} lists every machine a run
 * came from (one entry for a compare, several after merging results of different machines), and each run
 * names its entry by id. {@code classes} are the evaluated dataset's class names and label colours (VOC's in results
 * written before they were recorded).
 *
 * <p>Latencies are recorded in microseconds in an HdrHistogram with 3 significant digits (values within 0.1% share a
 * bucket, which reads as its highest value); every percentile in the file ({@code p50}, {@code p99}, ... of
 * {@code latency_ms}, a server trial's {@code latency_ms}, the {@code cdf} points) is that histogram's nearest rank:
 * the smallest recorded value with at least p% of the samples at or below it, i.e. the {@code ceil(p/100 n)}-th
 * smallest, never interpolated. A percentile needs {@code n >= ln(0.025) / ln(p/100)} samples (368 for p99, see
 * {@link PercentileIntervals#minSamples}); with fewer, {@code p99} is null ("n/a (too few)"). {@code ci95_ms}
 * intervals say how they were made in {@code method}: {@code order-statistics} (single-stream; distribution-free, from
 * the histogram; {@code bootstrap} in older files), {@code batch-means} (server trials, over the latencies in arrival
 * order) or {@code between-shards} (merged runs).
 *
 * <p>The histograms ({@code latency_histogram}) are what is stored: the statistics next to them ({@code latency_ms},
 * a size's {@code latency_ci95_ms}, a trial's {@code latency_ms}) are written for readers and derived again from the
 * histogram on read. Intervals the histogram cannot give (batch means need the arrival order, between-shards intervals
 * each shard's histogram) are stored.
 */
public record Results(int schemaVersion, Environment environment, List<Environment> environments, Settings settings,
                      List<Run> runs, List<GalleryEntry> gallery, List<Warning> warnings, Classes classes) {

    /** 5: {@code settings} is the one settings value as the runs got it, grouped (selection, data, performance,
     *  session, execution, calibration) with {@code recorded} (command line, resolved backends, reference, baseline,
     *  shard, gate); before, one flat object of some of the options (converted on read).
     *  4: a run stores its measurements once, per size in {@code performance} (device timings too); its top-level
     *  {@code latency_ms}, {@code latency_histogram}, {@code throughput}, {@code measurement} and
     *  {@code device_timings_ms}, which repeated the first size, are gone (read into it from older files); {@code p99}
     *  may be null (too few samples).
     *  3: warnings are structured values (code, severity, runs, text); before, strings (converted on read).
     *  2: run statuses pending/interrupted, reused, resources, per-run environment, backend facts. */
    public static final int SCHEMA_VERSION = 5;
    /** The first schema whose settings are the one settings value ({@link Settings}). */
    public static final int ONE_SETTINGS_SCHEMA = 5;
    /** The first schema whose runs keep their measurements only per size. */
    public static final int PER_SIZE_ONLY_SCHEMA = 4;
    /** The first schema whose warnings are structured. */
    public static final int STRUCTURED_WARNINGS_SCHEMA = 3;
    /** The oldest schema this code still reads (fields it lacks read as null). */
    public static final int OLDEST_READABLE_SCHEMA = 1;

    public Results {
        environments = environments == null ? (environment == null ? List.of() : List.of(environment)) : List.copyOf(environments);
        runs = runs == null ? List.of() : List.copyOf(runs);
        gallery = gallery == null ? List.of() : List.copyOf(gallery);
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
        classes = classes == null ? Classes.voc() : classes;
    }

    /** Results of a VOC-classed dataset. */
    public Results(int schemaVersion, Environment environment, List<Environment> environments, Settings settings,
                   List<Run> runs, List<GalleryEntry> gallery, List<Warning> warnings) {
        this(schemaVersion, environment, environments, settings, runs, gallery, warnings, null);
    }

    /** Results of one machine: {@code environments} is just {@code environment}. */
    public Results(int schemaVersion, Environment environment, Settings settings, List<Run> runs,
                   List<GalleryEntry> gallery, List<Warning> warnings) {
        this(schemaVersion, environment, null, settings, runs, gallery, warnings, null);
    }

    /** The warnings' texts, in order. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public List<String> warningTexts() {
        return warnings.stream().map(Warning::text).toList();
    }

    /** The same results with other warnings. */
    public Results withWarnings(List<Warning> newWarnings) {
        return new Results(schemaVersion, environment, environments, settings, runs, gallery, newWarnings, classes);
    }

    /** The environment a run was measured on: its entry in {@code environments}, else the file's own. */
    public Environment environmentOf(Run run) {
        if (run.environment() != null) {
            for (Environment e : environments) {
                if (run.environment().equals(e.id())) {
                    return e;
                }
            }
        }
        return environment;
    }
}
