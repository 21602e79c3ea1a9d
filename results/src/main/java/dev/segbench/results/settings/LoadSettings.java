package dev.segbench.results.settings;

import dev.segbench.api.Capability;
import dev.segbench.results.UserException;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The performance scenarios' settings, validated once (one line naming the option for each mistake) and recorded
 * verbatim with the results. The timing rules every scenario shares (warm-up, minimum duration,
 * minimum count, CV threshold) are in {@link Settings.Performance}, which holds this.
 *
 * @param scenarios         which scenarios run
 * @param perfSizes         input sizes; the performance pass runs at each
 * @param inFlight          requests kept in flight by the offline scenario, on backends with concurrent runs
 * @param arrivals          server arrival process
 * @param seed              server schedule seed
 * @param serverP99Ms       the server latency bound ({@code --server-latency-ms}, or {@code --server-p99-ms}): search
 *                          for the highest rate whose latency percentile stays within it; null = no search
 * @param serverQps         one server trial at this rate instead of a search; null = search
 * @param serverMinRequests measured requests per server trial, at least (and at least {@code --min-iterations})
 * @param offlineThreads    intra-op threads per request of each offline in-flight value ({@code --offline-threads}):
 *                          {@value #SPLIT} (K in flight share the run's threads: T/K each), {@value #FIXED} (every K
 *                          with the run's T) or a list of thread counts, each crossed with every K
 * @param serverSearchBudgetSeconds the max-QPS search starts no trial that would end after this long; the default is
 *                          half of {@code --run-timeout}, shared among the sizes, so a search never costs the run
 * @param serverLatencyPercentile the percentile the bound applies to (default 99), as LoadGen's and perf_analyzer's
 */
public record LoadSettings(Set<Scenario> scenarios, List<OptionLists.Size> perfSizes, List<Integer> inFlight,
                           Arrivals arrivals, long seed, Double serverP99Ms, Double serverQps, int serverMinRequests,
                           String offlineThreads, double serverSearchBudgetSeconds, double serverLatencyPercentile) {

    public static final String SPLIT = "split";
    public static final String FIXED = "fixed";

    /** One offline configuration: {@code threads} intra-op threads per request, {@code inFlight} requests at once. */
    public record ThreadsInFlight(int threads, int inFlight) {
    }

    public static final int MAX_IN_FLIGHT = 256;
    public static final int DEFAULT_SERVER_MIN_REQUESTS = 500;
    public static final long DEFAULT_SEED = 1;

    /** Settings with the default offline threads ({@value #SPLIT}), the search budget of the default
     * {@code --run-timeout}, the bound on p99. */
    public LoadSettings(Set<Scenario> scenarios, List<OptionLists.Size> perfSizes, List<Integer> inFlight,
                        Arrivals arrivals, long seed, Double serverP99Ms, Double serverQps, int serverMinRequests) {
        this(scenarios, perfSizes, inFlight, arrivals, seed, serverP99Ms, serverQps, serverMinRequests, SPLIT,
                defaultSearchBudgetSeconds(60 * 60, perfSizes.size()), // Settings.Execution's default --run-timeout
                dev.segbench.results.Server.DEFAULT_PERCENTILE);
    }

    /** The search budget when {@code --server-search-budget} is not given: half the run's time, shared by the sizes. */
    public static double defaultSearchBudgetSeconds(double runTimeoutSeconds, int sizes) {
        return runTimeoutSeconds / 2 / Math.max(1, sizes);
    }

    public LoadSettings {
        // LoadGen's order, so the recorded settings read the same on every run (Set.copyOf's order is per JVM)
        scenarios = scenarios == null || scenarios.isEmpty() ? Set.of()
                : java.util.Collections.unmodifiableSet(EnumSet.copyOf(scenarios));
        perfSizes = List.copyOf(perfSizes);
        inFlight = List.copyOf(inFlight);
        if (scenarios.isEmpty()) {
            throw new UserException("--scenarios: give at least one of single-stream, offline, server");
        }
        if (perfSizes.isEmpty()) {
            throw new UserException("--perf-size: give at least one size (e.g. 512x512)");
        }
        if (inFlight.isEmpty()) {
            throw new UserException("--in-flight: give at least one whole number (e.g. 1,2,4)");
        }
        for (int k : inFlight) {
            if (k < 1 || k > MAX_IN_FLIGHT) {
                throw new UserException("--in-flight: " + k + " is not in 1.." + MAX_IN_FLIGHT);
            }
        }
        if (serverP99Ms != null) {
            OptionLists.positive("--server-latency-ms", serverP99Ms);
        }
        if (serverQps != null) {
            OptionLists.positive("--server-qps", serverQps);
        }
        if (!(serverLatencyPercentile > 0 && serverLatencyPercentile < 100)) {
            throw new UserException("--server-latency-percentile: " + serverLatencyPercentile + " is not in (0, 100), e.g. 99 or 99.9");
        }
        if (!(serverSearchBudgetSeconds > 0)) {
            throw new UserException("--server-search-budget: must be > 0");
        }
        if (serverMinRequests < 1) {
            throw new UserException("--server-min-requests: must be >= 1 (got " + serverMinRequests + ")");
        }
        boolean server = scenarios.contains(Scenario.SERVER);
        if (server && serverP99Ms == null && serverQps == null) {
            throw new UserException("--scenarios server: give --server-latency-ms MS or --server-p99-ms MS (search for the highest rate within it) "
                    + "or --server-qps QPS (one trial at that rate)");
        }
        if (!server && (serverP99Ms != null || serverQps != null)) {
            throw new UserException((serverP99Ms != null ? "--server-latency-ms (or --server-p99-ms)" : "--server-qps")
                    + ": the server scenario is not among --scenarios " + ids(scenarios));
        }
        if (arrivals == null) {
            throw new UserException("--arrivals: give poisson or uniform");
        }
        offlineThreads = offlineThreads == null ? SPLIT : offlineThreads.trim().toLowerCase(Locale.ROOT);
        if (!offlineThreads.equals(SPLIT) && !offlineThreads.equals(FIXED)) {
            try {
                OptionLists.positiveInts("--offline-threads", offlineThreads, 1024);
            } catch (UserException e) {
                throw new UserException("--offline-threads: '" + offlineThreads + "' is not split, fixed or a list of "
                        + "thread counts such as 1,2");
            }
        }
    }

    /**
     * The offline configurations for a run whose session has {@code threads} intra-op threads and which may keep
     * {@code inFlight} requests at once, grouped by thread count (each count is one session): with {@value #SPLIT},
     * (T x 1), (T/2 x 2), ... (1 x T); with {@value #FIXED}, (T x K) for every K; with a list, every count x every K.
     */
    public List<ThreadsInFlight> offlineConfigurations(int threads, List<Integer> inFlight) {
        List<ThreadsInFlight> out = new java.util.ArrayList<>();
        if (offlineThreads.equals(SPLIT) || offlineThreads.equals(FIXED)) {
            for (int k : inFlight) {
                out.add(new ThreadsInFlight(offlineThreads.equals(FIXED) ? threads : Math.max(1, threads / k), k));
            }
        } else {
            for (int t : OptionLists.positiveInts("--offline-threads", offlineThreads, 1024)) {
                for (int k : inFlight) {
                    out.add(new ThreadsInFlight(t, k));
                }
            }
        }
        return out.stream().distinct().toList();
    }

    /** The default scenarios (single-stream and offline) at one size, one request in flight. */
    public static LoadSettings defaults(OptionLists.Size size) {
        return new LoadSettings(Scenario.DEFAULT, List.of(size), List.of(1), Arrivals.POISSON, DEFAULT_SEED, null, null,
                DEFAULT_SERVER_MIN_REQUESTS);
    }

    /**
     * The scenarios to run: {@code --scenarios} as given, or, when it was not given, the default (single-stream and
     * offline) plus server if a server option was.
     */
    public static Set<Scenario> scenarios(String scenariosOption, boolean serverOptionGiven) {
        if (scenariosOption != null) {
            return Scenario.parseList("--scenarios", scenariosOption);
        }
        EnumSet<Scenario> out = EnumSet.copyOf(Scenario.DEFAULT);
        if (serverOptionGiven) {
            out.add(Scenario.SERVER);
        }
        return Set.copyOf(out);
    }

    public boolean runs(Scenario scenario) {
        return scenarios.contains(scenario);
    }

    /** The in-flight values a backend can take: all given ones with concurrent runs, else only 1. */
    public List<Integer> inFlightFor(Set<Capability> capabilities) {
        return capabilities.contains(Capability.CONCURRENT_RUNS) ? inFlight : List.of(1);
    }

    /** A warning when a backend cannot take the in-flight values asked for; null when it can. */
    public String inFlightWarning(String backend, Set<Capability> capabilities) {
        if (capabilities.contains(Capability.CONCURRENT_RUNS) || inFlight.stream().allMatch(k -> k == 1)) {
            return null;
        }
        return "in flight " + inFlight.stream().filter(k -> k > 1).map(String::valueOf).collect(Collectors.joining(","))
                + " skipped on " + backend + ": the backend does not declare concurrent runs, so one request at a time";
    }

    /** Server workers: the most in flight on a backend with concurrent runs, else one. */
    public int serverWorkers(Set<Capability> capabilities) {
        return capabilities.contains(Capability.CONCURRENT_RUNS) ? inFlight.stream().max(Integer::compare).orElse(1) : 1;
    }

    /** LoadGen's names, in their fixed order: "single-stream,offline". */
    public static String ids(Set<Scenario> scenarios) {
        return EnumSet.copyOf(scenarios).stream().map(Scenario::id).collect(Collectors.joining(","));
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "scenarios=%s sizes=%s in-flight=%s offline-threads=%s", ids(scenarios), perfSizes,
                inFlight, offlineThreads);
    }
}
