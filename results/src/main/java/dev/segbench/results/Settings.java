package dev.segbench.results;

import java.util.List;
import java.util.Map;

/**
 * The run settings, recorded verbatim so a result can be checked and repeated. {@code properties} are the
 * backend-specific session settings ({@code --property}); {@code cacheDir} is where compiled engines were cached
 * (null = no cache); {@code isolation} says whether each run had its own process ({@value #PROCESS_PER_RUN}) or
 * all ran in one ({@value #IN_PROCESS}); null in results written before it was recorded. {@code load} holds the
 * performance scenarios' settings and {@code gate} the {@code --gate} conditions as given (both null when absent).
 * {@code baseline} is the "backend:precision" every run's speed-up is measured against ({@code --baseline}, by
 * default the reference; null when there is none or in files written before it).
 */
public record Settings(List<String> models, List<String> backends, List<String> precisions, String dataset,
                       int limit, String shard, String reference, List<Integer> batchSizes,
                       int perfHeight, int perfWidth, double warmupSeconds, double minDurationSeconds,
                       int minIterations, int threads, double cvThreshold, String onBadSample,
                       Map<String, String> properties, String cacheDir, String isolation, Load load, String gate,
                       Calibration calibration, String baseline) {

    public static final String PROCESS_PER_RUN = "process per run";
    public static final String IN_PROCESS = "in-process";

    public Settings {
        properties = properties == null ? Map.of() : Map.copyOf(properties);
    }

    /** Settings without a speed-up baseline (as written before it existed). */
    public Settings(List<String> models, List<String> backends, List<String> precisions, String dataset,
                    int limit, String shard, String reference, List<Integer> batchSizes,
                    int perfHeight, int perfWidth, double warmupSeconds, double minDurationSeconds,
                    int minIterations, int threads, double cvThreshold, String onBadSample,
                    Map<String, String> properties, String cacheDir, String isolation, Load load, String gate,
                    Calibration calibration) {
        this(models, backends, precisions, dataset, limit, shard, reference, batchSizes, perfHeight, perfWidth,
                warmupSeconds, minDurationSeconds, minIterations, threads, cvThreshold, onBadSample, properties, cacheDir,
                isolation, load, gate, calibration, null);
    }

    /** Settings without load scenarios, gate or int8 calibration (as written before they existed). */
    public Settings(List<String> models, List<String> backends, List<String> precisions, String dataset,
                    int limit, String shard, String reference, List<Integer> batchSizes,
                    int perfHeight, int perfWidth, double warmupSeconds, double minDurationSeconds,
                    int minIterations, int threads, double cvThreshold, String onBadSample,
                    Map<String, String> properties, String cacheDir, String isolation) {
        this(models, backends, precisions, dataset, limit, shard, reference, batchSizes, perfHeight, perfWidth,
                warmupSeconds, minDurationSeconds, minIterations, threads, cvThreshold, onBadSample, properties, cacheDir,
                isolation, null, null, null);
    }

    /**
     * The performance scenarios' settings ({@code perfHeight}/{@code perfWidth} repeat the first of
     * {@code perfSizes}).
     *
     * @param scenarios         LoadGen's names of the scenarios that ran
     * @param perfSizes         "HxW" per performance input size
     * @param inFlight          requests in flight asked for (backends without concurrent runs keep 1)
     * @param arrivals          server arrivals, "poisson" or "uniform"
     * @param serverSeed        server schedule seed
     * @param serverP99Ms       the latency bound of the max-QPS search (on {@code serverLatencyPercentile}, 99 when
     *                          null); null without a search
     * @param serverQps         the fixed server rate; null when searching
     * @param serverMinRequests measured requests per server trial, at least
     * @param offlineThreads    {@code --offline-threads}: split, fixed or a list (null in files written before it)
     * @param serverLatencyPercentile the percentile the bound is on (null in files written before it: 99)
     */
    public record Load(List<String> scenarios, List<String> perfSizes, List<Integer> inFlight, String arrivals,
                       long serverSeed, Double serverP99Ms, Double serverQps, int serverMinRequests, String offlineThreads,
                       Double serverLatencyPercentile) {
        public Load {
            scenarios = scenarios == null ? List.of() : List.copyOf(scenarios);
            perfSizes = perfSizes == null ? List.of() : List.copyOf(perfSizes);
            inFlight = inFlight == null ? List.of() : List.copyOf(inFlight);
        }

        public Load(List<String> scenarios, List<String> perfSizes, List<Integer> inFlight, String arrivals,
                    long serverSeed, Double serverP99Ms, Double serverQps, int serverMinRequests) {
            this(scenarios, perfSizes, inFlight, arrivals, serverSeed, serverP99Ms, serverQps, serverMinRequests, null, null);
        }
    }

    /**
     * The {@code --calibration*} options of int8 runs, as the compare resolved them.
     *
     * @param dataset   the calibration dataset spec ({@code voc:DIR}, {@code synthetic:64})
     * @param split     the VOC split read (null for datasets without splits)
     * @param method    minmax, percentile or entropy
     * @param images    at most this many images ({@code --calibration-images})
     * @param cacheFile {@code --calibration-cache}, or null
     * @param fallback  {@code --int8-fallback}: none, auto or the listed layers (null in older results: none)
     * @param target    {@code --int8-target} for auto (0..1), or null
     */
    public record Calibration(String dataset, String split, String method, int images, String cacheFile,
                              String fallback, Double target) {
        /** Without layers kept in float. */
        public Calibration(String dataset, String split, String method, int images, String cacheFile) {
            this(dataset, split, method, images, cacheFile, null, null);
        }
    }

    /** Settings without backend properties, engine cache or isolation. */
    public Settings(List<String> models, List<String> backends, List<String> precisions, String dataset,
                    int limit, String shard, String reference, List<Integer> batchSizes,
                    int perfHeight, int perfWidth, double warmupSeconds, double minDurationSeconds,
                    int minIterations, int threads, double cvThreshold, String onBadSample) {
        this(models, backends, precisions, dataset, limit, shard, reference, batchSizes, perfHeight, perfWidth,
                warmupSeconds, minDurationSeconds, minIterations, threads, cvThreshold, onBadSample, Map.of(), null, null,
                null, null, null);
    }

    /** The same settings with the {@code --gate} conditions as given. */
    public Settings withGate(String newGate) {
        return new Settings(models, backends, precisions, dataset, limit, shard, reference, batchSizes, perfHeight,
                perfWidth, warmupSeconds, minDurationSeconds, minIterations, threads, cvThreshold, onBadSample, properties,
                cacheDir, isolation, load, newGate, calibration, baseline);
    }

    /** The same settings with another shard description (merged results list every shard). */
    public Settings withShard(String newShard) {
        return new Settings(models, backends, precisions, dataset, limit, newShard, reference, batchSizes, perfHeight,
                perfWidth, warmupSeconds, minDurationSeconds, minIterations, threads, cvThreshold, onBadSample, properties,
                cacheDir, isolation, load, gate, calibration, baseline);
    }
}
