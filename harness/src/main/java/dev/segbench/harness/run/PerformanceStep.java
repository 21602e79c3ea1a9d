package dev.segbench.harness.run;

import dev.segbench.api.BackendException;
import dev.segbench.api.Capability;
import dev.segbench.api.DeviceTelemetry;
import dev.segbench.api.Progress;
import dev.segbench.results.InFlightThroughput;
import dev.segbench.results.PerformanceAtSize;
import dev.segbench.results.Run;
import dev.segbench.results.Server;
import dev.segbench.results.Telemetry;
import dev.segbench.harness.env.CpuFrequencyProbe;
import dev.segbench.results.settings.LoadSettings;
import dev.segbench.harness.load.MaxQpsSearch;
import dev.segbench.harness.load.OfflineScenario;
import dev.segbench.results.settings.OptionLists;
import dev.segbench.results.settings.Scenario;
import dev.segbench.harness.load.ServerScenario;
import dev.segbench.harness.load.SingleStreamScenario;
import dev.segbench.harness.load.SystemUnderTest;
import dev.segbench.results.Latencies;
import dev.segbench.results.settings.Settings;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The performance step of a run: at every {@code --perf-size} size, the scenarios asked for, in LoadGen's order:
 * single-stream (batch-1 latency, closed loop), offline (throughput per (batch, in flight), exactly K requests in
 * flight on backends with concurrent runs) and server (open loop: the highest rate whose p99 stays within
 * {@code --server-p99-ms}, or one trial at {@code --server-qps}). The drivers live in {@code harness.load}; this
 * class only decides what runs with which settings and assembles the run's record.
 */
public final class PerformanceStep {

    /** Rough bytes of activations per input pixel for these MobileNet-v2 style networks, for the memory check. */
    static final long ACTIVATION_BYTES_PER_PIXEL = 256;
    /** Back-to-back window that finds the server search's start rate when the offline scenario did not run. */
    static final double START_PROBE_SECONDS = 1.0;

    /**
     * @param sizes one entry per size, in the order given (the run's record stores them as they are)
     */
    public record Outcome(List<PerformanceAtSize> sizes, List<String> warnings, List<Run.BatchSkip> batchSkips) {
        public Outcome {
            sizes = List.copyOf(sizes);
            warnings = List.copyOf(warnings);
            batchSkips = List.copyOf(batchSkips);
        }
    }

    /**
     * Opens the system under test again with another intra-op thread count, for offline configurations whose
     * threads per request differ from the run's session (ONNX Runtime fixes its threads when a session opens).
     */
    public interface Reopener {
        Reopened open(int threads) throws BackendException;
    }

    /** A session opened by a {@link Reopener}, closed when the step ends. */
    public interface Reopened extends AutoCloseable {
        SystemUnderTest at(OptionLists.Size size);

        @Override
        void close();
    }

    /**
     * The memory a batch must fit in: the device's free memory for a device backend, the host's MemAvailable for a
     * host backend.
     *
     * @param bytes  0 = unknown: no batch is skipped
     * @param memory {@link Run.BatchSkip#HOST} or {@link Run.BatchSkip#DEVICE}
     */
    public record Memory(long bytes, String memory) {
        public static final Memory UNKNOWN = new Memory(0, Run.BatchSkip.HOST);

        /** What a run on {@code session} is judged by: its device's free memory, the host's for a host backend. */
        public static Memory of(dev.segbench.api.InferenceSession session, boolean deviceBackend) {
            if (session.freeDeviceMemoryBytes().isPresent()) {
                return new Memory(session.freeDeviceMemoryBytes().getAsLong(), Run.BatchSkip.DEVICE);
            }
            // a device backend that does not say its free memory is not judged by the host's
            return deviceBackend ? new Memory(0, Run.BatchSkip.DEVICE) : host();
        }

        public static Memory host() {
            return new Memory(Math.max(0, dev.segbench.harness.env.EnvironmentProbe.availableMemory()), Run.BatchSkip.HOST);
        }
    }

    /** The batches of {@code batches} at {@code size} that do not fit in {@code memory}: more than half of it. */
    public static List<Run.BatchSkip> skips(OptionLists.Size size, List<Integer> batches, Memory memory) {
        List<Run.BatchSkip> out = new ArrayList<>();
        for (int batch : batches) {
            long needed = batch * ((long) size.height() * size.width() * (ACTIVATION_BYTES_PER_PIXEL + 3 * Float.BYTES));
            if (batch > 1 && memory.bytes() > 0 && needed > memory.bytes() / 2) {
                out.add(new Run.BatchSkip(size.toString(), batch, needed, memory.bytes(), memory.memory()));
            }
        }
        return out;
    }

    /** The skips every size of {@code load} would get now: what {@code --resume} compares a recorded run with. */
    public static List<Run.BatchSkip> skips(LoadSettings load, List<Integer> batches, Memory memory) {
        List<Run.BatchSkip> out = new ArrayList<>();
        if (load.runs(Scenario.OFFLINE)) {
            load.perfSizes().forEach(size -> out.addAll(skips(size, batches, memory)));
        }
        return out;
    }

    private final Settings.Performance settings;
    private final String backend;
    private final LoadSettings load;
    private final List<Integer> batchSizes;
    private final Set<Capability> capabilities;
    private final Memory memory;
    private final CpuFrequencyProbe cpu;
    private final int sessionThreads;
    private final Reopener reopener;
    /** Sessions the reopener opened, by thread count: kept for every size, closed when {@link #run} ends. */
    private final java.util.Map<Integer, Reopened> reopened = new java.util.TreeMap<>();

    /**
     * @param batchSizes      the run's throughput batch sizes (the plan's, per backend)
     * @param capabilities    the backend's: {@link Capability#CONCURRENT_RUNS} allows more than one in flight
     * @param memory          batches needing more than half of it are skipped with a warning and recorded
     */
    public PerformanceStep(Settings.Performance settings, String backend, List<Integer> batchSizes,
                           Set<Capability> capabilities, Memory memory, CpuFrequencyProbe cpu) {
        this(settings, backend, batchSizes, capabilities, memory, cpu, 0, null);
    }

    /**
     * @param sessionThreads intra-op threads of the run's session, resolved (0: the backend's requests use no host
     *                       threads worth counting, e.g. a GPU backend; then threads are neither swept nor recorded)
     * @param reopener       opens the session with another thread count; null: every offline cell uses the run's
     *                       session
     */
    public PerformanceStep(Settings.Performance settings, String backend, List<Integer> batchSizes,
                           Set<Capability> capabilities, Memory memory, CpuFrequencyProbe cpu, int sessionThreads,
                           Reopener reopener) {
        this.sessionThreads = sessionThreads;
        this.reopener = sessionThreads > 0 ? reopener : null;
        this.settings = settings;
        this.backend = backend;
        this.load = settings.load();
        this.batchSizes = List.copyOf(batchSizes);
        this.capabilities = Set.copyOf(capabilities);
        this.memory = memory;
        this.cpu = cpu;
    }

    /**
     * @param suts   the system under test at one size (a session's inputs of that size)
     * @param device the backend's device telemetry now; null where it has none
     */
    public Outcome run(Function<OptionLists.Size, SystemUnderTest> suts, Supplier<DeviceTelemetry> device,
                       String runKey, Progress progress) throws BackendException, InterruptedException {
        try {
            return measure(suts, device, runKey, progress);
        } finally {
            reopened.values().forEach(Reopened::close);
            reopened.clear();
        }
    }

    private Outcome measure(Function<OptionLists.Size, SystemUnderTest> suts, Supplier<DeviceTelemetry> device,
                            String runKey, Progress progress) throws BackendException, InterruptedException {
        List<String> warnings = new ArrayList<>();
        List<Run.BatchSkip> batchSkips = new ArrayList<>();
        String inFlightWarning = load.inFlightWarning(backend, capabilities);
        if (inFlightWarning != null && load.runs(Scenario.OFFLINE)) {
            warnings.add(inFlightWarning);
        }
        List<PerformanceAtSize> sizes = new ArrayList<>();
        boolean several = load.perfSizes().size() > 1;
        for (OptionLists.Size size : load.perfSizes()) {
            String label = runKey + (several ? " " + size : "");
            String prefix = several ? size + ": " : "";
            SystemUnderTest sut = suts.apply(size);
            SingleStreamScenario.Outcome single = null;
            if (load.runs(Scenario.SINGLE_STREAM)) {
                single = SingleStreamScenario.run(sut, new SingleStreamScenario.Settings(settings.warmupSeconds(),
                        settings.minDurationSeconds(), settings.minIterations(), settings.cvThreshold()), progress, label);
                // no warning string for an unstable measurement: measurement.unstable is the one source, which the
                // report (and the console's structured warnings) render, so it is said once
            }
            List<InFlightThroughput> throughput = load.runs(Scenario.OFFLINE)
                    ? offline(sut, size, single, prefix, warnings, batchSkips, label, progress) : List.of();
            Server server = load.runs(Scenario.SERVER) ? server(sut, single, throughput, label, progress) : null;
            Telemetry telemetry = new Telemetry(cpu.read(), device.get());
            sizes.add(new PerformanceAtSize(size.height(), size.width(),
                    EnumSet.copyOf(load.scenarios()).stream().map(Scenario::id).toList(),
                    null, null, // derived from the histogram
                    single == null ? null : Latencies.encode(single.latency()), single == null ? null : single.measurement(),
                    throughput, server, telemetry, single == null ? null : single.deviceTimings()));
        }
        return new Outcome(sizes, warnings, batchSkips);
    }

    /**
     * Throughput at every (batch, threads per request, in flight), each cell by the offline rule
     * ({@link OfflineScenario}). The batch-1 cell with one in flight on the run's session is the single-stream
     * measurement's window when it ran (the same closed loop under the same warm-up and minimums, so it is measured
     * once), computed by the same {@link OfflineScenario#cell} definition. Sessions with another thread count are
     * opened once per count, on first use, and kept for the other sizes.
     */
    private List<InFlightThroughput> offline(SystemUnderTest sut, OptionLists.Size size, SingleStreamScenario.Outcome single,
                                             String prefix, List<String> warnings, List<Run.BatchSkip> batchSkips,
                                             String label, Progress progress)
            throws BackendException, InterruptedException {
        List<Integer> inFlight = load.inFlightFor(capabilities);
        List<LoadSettings.ThreadsInFlight> configurations = reopener == null
                ? inFlight.stream().map(k -> new LoadSettings.ThreadsInFlight(sessionThreads, k)).toList()
                : load.offlineConfigurations(sessionThreads, inFlight);
        OfflineScenario.Settings rule = new OfflineScenario.Settings(settings.warmupSeconds(), settings.minDurationSeconds(),
                settings.minIterations());
        List<InFlightThroughput> out = new ArrayList<>();
        List<Run.BatchSkip> skipped = skips(size, batchSizes, memory);
        batchSkips.addAll(skipped);
        for (Run.BatchSkip skip : skipped) {
            warnings.add(prefix + String.format(Locale.ROOT,
                    "batch %d skipped: it needs about %d MiB, more than half of the %d MiB of %s",
                    skip.batch(), skip.neededBytes() >> 20, skip.availableBytes() >> 20,
                    Run.BatchSkip.DEVICE.equals(skip.memory()) ? "free device memory" : "available host memory"));
        }
        for (int batch : batchSizes) {
            if (skipped.stream().anyMatch(k -> k.batch() == batch)) {
                continue;
            }
            for (LoadSettings.ThreadsInFlight c : configurations) {
                int k = c.inFlight();
                boolean own = reopener == null || c.threads() == sessionThreads;
                Integer threads = sessionThreads > 0 ? c.threads() : null;
                InFlightThroughput cell;
                if (batch == 1 && k == 1 && own && single != null) {
                    cell = OfflineScenario.cell(1, 1, single.measurement().iterations(), single.windowStartNanos(),
                            single.windowEndNanos(), single.measurement().warmupSeconds(), rule,
                            single.measurement().reasons());
                } else {
                    SystemUnderTest at = sut;
                    if (!own) {
                        Reopened r = reopened.get(c.threads());
                        if (r == null) {
                            r = reopener.open(c.threads());
                            reopened.put(c.threads(), r);
                        }
                        at = r.at(size);
                    }
                    cell = OfflineScenario.measure(at, batch, k, rule, progress,
                            label + (sessionThreads > 0 ? " t" + c.threads() : "")).throughput();
                }
                out.add(new InFlightThroughput(cell.batch(), cell.inFlight(), cell.imagesPerSecond(), cell.requests(),
                        cell.seconds(), threads, cell.measurement()));
            }
        }
        return out;
    }

    /**
     * The server scenario. The search starts from the offline batch-1 throughput with as many in flight as the
     * server has workers (no server sustains more than that back to back); without it, from the single-stream
     * p50, else from a short back-to-back probe.
     */
    private Server server(SystemUnderTest sut, SingleStreamScenario.Outcome single, List<InFlightThroughput> offline,
                          String label, Progress progress) throws BackendException, InterruptedException {
        int workers = load.serverWorkers(capabilities);
        ServerScenario.Settings s = new ServerScenario.Settings(load.arrivals(), load.seed(), workers,
                settings.warmupSeconds(), settings.minDurationSeconds(), ServerScenario.minRequests(settings.minIterations(),
                        load.serverMinRequests(), load.serverP99Ms(), load.serverLatencyPercentile()));
        if (load.serverQps() != null) {
            return ServerScenario.fixedResult(ServerScenario.trial(sut, s, load.serverQps(), progress, label),
                    load.serverP99Ms(), load.serverLatencyPercentile(), s);
        }
        double start = startRate(sut, single, offline, workers, label, progress);
        // a trial at q takes its requests at q, or at the start rate (the backend's capacity) where q exceeds it
        MaxQpsSearch.Budget budget = new MaxQpsSearch.Budget(load.serverSearchBudgetSeconds(), System::nanoTime,
                q -> (s.warmupRequests(q) + s.measuredRequests(q)) / Math.min(q, start));
        return MaxQpsSearch.search(start, load.serverP99Ms(), load.serverLatencyPercentile(), budget,
                        q -> ServerScenario.trial(sut, s, q, progress, label))
                .toResult(load.serverP99Ms(), load.serverLatencyPercentile(), load.arrivals(), load.seed(), workers);
    }

    static double startRate(SystemUnderTest sut, SingleStreamScenario.Outcome single, List<InFlightThroughput> offline,
                            int workers, String label, Progress progress) throws BackendException, InterruptedException {
        for (InFlightThroughput t : offline) {
            if (t.batch() == 1 && t.inFlight() == workers && t.imagesPerSecond() > 0) {
                return t.imagesPerSecond();
            }
        }
        if (single != null && single.latency().getTotalCount() > 0) {
            double p50Ms = single.latency().getValueAtPercentile(50) / 1000.0;
            if (p50Ms > 0) {
                return workers * 1000.0 / p50Ms;
            }
        }
        return OfflineScenario.measure(sut, 1, workers, new OfflineScenario.Settings(0, START_PROBE_SECONDS, 2L * workers),
                progress, label + " (server start rate)").throughput().imagesPerSecond();
    }
}
