package dev.segbench.harness.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.api.BackendException;
import dev.segbench.api.Capability;
import dev.segbench.api.InferenceResult;
import dev.segbench.api.InferenceSession;
import dev.segbench.results.Run;
import java.nio.file.Files;
import java.util.OptionalLong;
import dev.segbench.api.Progress;
import dev.segbench.results.InFlightThroughput;
import dev.segbench.results.PerformanceAtSize;
import dev.segbench.results.Server;
import dev.segbench.results.settings.Arrivals;
import dev.segbench.harness.env.CpuFrequencyProbe;
import dev.segbench.results.settings.LoadSettings;
import dev.segbench.results.settings.OptionLists;
import dev.segbench.results.settings.Scenario;
import dev.segbench.harness.load.SystemUnderTest;
import dev.segbench.results.settings.Settings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The performance step: what runs at which size with which settings, and how its record is assembled. */
class PerformanceStepTest {

    @TempDir
    Path tmp;

    /** Sleeps a fixed time per request; records the size it was prepared for, batches, and the most in flight. */
    static final class Sut implements SystemUnderTest {
        final OptionLists.Size size;
        final long nanos;
        final List<Integer> preparedBatches = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();
        final AtomicInteger requests = new AtomicInteger();

        Sut(OptionLists.Size size, double ms) {
            this.size = size;
            this.nanos = Math.round(ms * 1e6);
        }

        @Override
        public PreparedInputs prepare(int batch, int workers) {
            preparedBatches.add(batch);
            return new PreparedInputs() {
                @Override
                public Optional<dev.segbench.api.DeviceTimings> run(int worker) throws BackendException {
                    maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                    long end = System.nanoTime() + nanos;
                    for (long t; (t = System.nanoTime()) < end; ) {
                        LockSupport.parkNanos(end - t);
                    }
                    inFlight.decrementAndGet();
                    requests.incrementAndGet();
                    return Optional.empty();
                }

                @Override
                public void close() {
                }
            };
        }
    }

    private static Settings.Performance performance(LoadSettings load, List<Integer> batches, double warmup) {
        OptionLists.Size first = load.perfSizes().getFirst();
        return new Settings.Performance(batches, true, first.height(), first.width(), warmup, 0.05, 10, 0.05, load);
    }

    private static LoadSettings load(Set<Scenario> scenarios, List<OptionLists.Size> sizes, List<Integer> inFlight,
                                     Double p99, Double qps) {
        return new LoadSettings(scenarios, sizes, inFlight, Arrivals.UNIFORM, 1, p99, qps, 20);
    }

    private final List<Sut> suts = Collections.synchronizedList(new ArrayList<>());

    private PerformanceStep.Outcome run(Settings.Performance p, Set<Capability> caps, double ms) throws Exception {
        PerformanceStep step = new PerformanceStep(p, "fake", p.batchSizes(), caps, PerformanceStep.Memory.UNKNOWN, new CpuFrequencyProbe(tmp));
        return step.run(size -> {
            Sut s = new Sut(size, ms);
            suts.add(s);
            return s;
        }, () -> null, "m/fake/fp32", Progress.NONE);
    }

    @Test
    void everySizeGetsItsOwnEntryInOrderAndTheFirstSizeFillsTheRunsFields() throws Exception {
        OptionLists.Size a = new OptionLists.Size(16, 24);
        OptionLists.Size b = new OptionLists.Size(8, 8);
        Settings.Performance p = performance(load(Scenario.DEFAULT, List.of(a, b), List.of(1), null, null), List.of(1, 2), 0.01);
        PerformanceStep.Outcome o = run(p, Set.of(), 1);
        assertEquals(List.of("16x24", "8x8"), o.sizes().stream().map(PerformanceAtSize::size).toList());
        assertEquals(List.of(a, b), suts.stream().map(s -> s.size).toList(), "one system under test per size, in order");
        for (PerformanceAtSize s : o.sizes()) {
            assertEquals(List.of("single-stream", "offline"), s.scenarios());
            assertNotNull(s.latencyMs());
            assertNotNull(s.latencyCi95Ms());
            assertEquals(List.of(1, 2), s.throughput().stream().map(InFlightThroughput::batch).toList());
            assertNull(s.server());
            assertNotNull(s.telemetry());
        }
        // a run built from the outcome reads its summary from the first size, which stores it once
        dev.segbench.results.Run run = dev.segbench.results.Run.builder("m", "b", "fp32").performance(o.sizes()).build();
        assertEquals(o.sizes().getFirst().latencyMs(), run.latencyMs());
        assertEquals(o.sizes().getFirst().latencyHistogram(), run.latencyHistogram());
        assertEquals(o.sizes().getFirst().measurement(), run.measurement());
        assertEquals(o.sizes().getFirst().throughput().get(1).imagesPerSecond(), run.throughput().get(1).imagesPerSecond());
        // batch 1 with one in flight is the single-stream measurement itself, not a second closed loop
        InFlightThroughput b1 = o.sizes().getFirst().throughput().getFirst();
        assertEquals(o.sizes().getFirst().measurement().iterations(), b1.requests());
        // ... by the offline definition: images over the wall window, which holds the summed in-request time and the
        // harness's own time between requests
        assertTrue(b1.seconds() > o.sizes().getFirst().measurement().durationSeconds(), b1.seconds() + " vs " + o.sizes().getFirst().measurement().durationSeconds());
        assertEquals(b1.requests() / b1.seconds(), b1.imagesPerSecond(), 1e-9);
        assertFalse(suts.getFirst().preparedBatches.stream().filter(x -> x == 1).count() > 1,
                "batch 1 was prepared once (single-stream), not again for offline: " + suts.getFirst().preparedBatches);
    }

    /**
     * One rule for every offline cell, the 1x1 cell included: the warm-up of --warmup (not one request per worker),
     * at least --min-duration and --min-iterations images, a verdict, and images / wall window.
     */
    @Test
    void everyOfflineCellIsMeasuredByOneRuleWithItsVerdict() throws Exception {
        List<OptionLists.Size> one = List.of(new OptionLists.Size(8, 8));
        Settings.Performance p = performance(load(Scenario.DEFAULT, one, List.of(1, 2), null, null), List.of(1, 4), 0.1);
        PerformanceStep.Outcome o = run(p, Set.of(Capability.CONCURRENT_RUNS), 2);
        List<InFlightThroughput> cells = o.sizes().getFirst().throughput();
        assertEquals(List.of("1x1", "1x2", "4x1", "4x2"), cells.stream().map(t -> t.batch() + "x" + t.inFlight()).toList());
        for (InFlightThroughput t : cells) {
            String cell = "cell b" + t.batch() + " x" + t.inFlight() + ": ";
            assertNotNull(t.measurement(), cell + "no verdict");
            assertTrue(t.measurement().valid(), cell + t.measurement().reasons());
            assertTrue(t.measurement().warmupSeconds() >= 0.1, cell + "warm-up " + t.measurement().warmupSeconds());
            assertTrue(t.seconds() >= 0.05, cell + "window " + t.seconds());
            assertTrue(t.requests() * t.batch() >= 10, cell + t.requests() + " requests, fewer than 10 images");
            assertEquals(t.requests() * t.batch() / t.seconds(), t.imagesPerSecond(), 1e-9, cell + "images / window");
            assertEquals(t.requests(), t.measurement().iterations());
        }
        // with no warm-up every cell says so
        PerformanceStep.Outcome cold = run(performance(p.load(), List.of(1, 4), 0), Set.of(Capability.CONCURRENT_RUNS), 2);
        assertTrue(cold.sizes().getFirst().throughput().stream().allMatch(t -> !t.measurement().valid()
                && t.measurement().reasons().contains("warm-up skipped (--warmup 0)")));
    }

    /**
     * With T threads and K in flight the requests share the threads (T/K each, one session per thread count, opened
     * once for every size and closed at the end); a GPU backend's cells record no threads and open nothing.
     */
    @Test
    void inFlightRequestsShareTheThreadsOneSessionPerThreadCount() throws Exception {
        List<OptionLists.Size> two = List.of(new OptionLists.Size(8, 8), new OptionLists.Size(4, 4));
        Settings.Performance p = performance(load(EnumSet.of(Scenario.OFFLINE), two, List.of(1, 2, 4), null, null),
                List.of(1), 0.01);
        List<Integer> opened = Collections.synchronizedList(new ArrayList<>());
        List<Integer> closed = Collections.synchronizedList(new ArrayList<>());
        PerformanceStep.Reopener reopener = threads -> {
            opened.add(threads);
            return new PerformanceStep.Reopened() {
                @Override
                public SystemUnderTest at(OptionLists.Size size) {
                    return new Sut(size, 1);
                }

                @Override
                public void close() {
                    closed.add(threads);
                }
            };
        };
        PerformanceStep step = new PerformanceStep(p, "fake", p.batchSizes(), Set.of(Capability.CONCURRENT_RUNS), PerformanceStep.Memory.UNKNOWN,
                new CpuFrequencyProbe(tmp), 4, reopener);
        PerformanceStep.Outcome o = step.run(size -> new Sut(size, 1), () -> null, "m/fake/fp32", Progress.NONE);
        for (PerformanceAtSize at : o.sizes()) {
            assertEquals(List.of("4t x1", "2t x2", "1t x4"), at.throughput().stream()
                    .map(t -> t.threadsPerRequest() + "t x" + t.inFlight()).toList());
        }
        assertEquals(List.of(2, 1), opened, "one session per thread count other than the run's, for both sizes");
        assertEquals(Set.copyOf(opened), Set.copyOf(closed), "every session it opened is closed");

        opened.clear();
        PerformanceStep gpu = new PerformanceStep(p, "fake", p.batchSizes(), Set.of(Capability.CONCURRENT_RUNS), PerformanceStep.Memory.UNKNOWN,
                new CpuFrequencyProbe(tmp), 0, reopener);
        PerformanceStep.Outcome g = gpu.run(size -> new Sut(size, 1), () -> null, "m/fake/fp32", Progress.NONE);
        assertTrue(opened.isEmpty());
        assertTrue(g.sizes().getFirst().throughput().stream().allMatch(t -> t.threadsPerRequest() == null));
    }

    @Test
    void concurrentRunsKeepExactlyKInFlightAndOthersStayAtOneWithAWarning() throws Exception {
        List<OptionLists.Size> one = List.of(new OptionLists.Size(8, 8));
        Settings.Performance p = performance(load(EnumSet.of(Scenario.OFFLINE), one, List.of(1, 3), null, null), List.of(1), 0);
        PerformanceStep.Outcome concurrent = run(p, Set.of(Capability.CONCURRENT_RUNS), 2);
        assertEquals(List.of(1, 3), concurrent.sizes().getFirst().throughput().stream().map(InFlightThroughput::inFlight).toList());
        assertEquals(3, suts.getLast().maxInFlight.get(), "at most, and at some point exactly, 3 in flight");
        assertTrue(concurrent.warnings().isEmpty(), concurrent.warnings().toString());
        assertNull(concurrent.sizes().getFirst().measurement(), "single-stream did not run");
        assertNull(concurrent.sizes().getFirst().latencyHistogram());

        PerformanceStep.Outcome serial = run(p, Set.of(), 2);
        assertEquals(List.of(1), serial.sizes().getFirst().throughput().stream().map(InFlightThroughput::inFlight).toList());
        assertEquals(1, suts.getLast().maxInFlight.get());
        assertTrue(serial.warnings().stream().anyMatch(w -> w.startsWith("in flight 3 skipped on fake")), serial.warnings().toString());
    }

    @Test
    void aHighCvIsUnstableNotInvalidWhileASkippedWarmupIsInvalid() throws Exception {
        List<OptionLists.Size> one = List.of(new OptionLists.Size(8, 8));
        // every other request 10x slower: CV far above 5%
        Settings.Performance p = performance(load(EnumSet.of(Scenario.SINGLE_STREAM), one, List.of(1), null, null), List.of(1), 0.01);
        PerformanceStep step = new PerformanceStep(p, "fake", p.batchSizes(), Set.of(), PerformanceStep.Memory.UNKNOWN, new CpuFrequencyProbe(tmp));
        AtomicInteger n = new AtomicInteger();
        SystemUnderTest alternating = (batch, workers) -> new SystemUnderTest.PreparedInputs() {
            @Override
            public Optional<dev.segbench.api.DeviceTimings> run(int worker) {
                LockSupport.parkNanos(n.incrementAndGet() % 2 == 0 ? 3_000_000 : 300_000);
                return Optional.empty();
            }

            @Override
            public void close() {
            }
        };
        PerformanceStep.Outcome o = step.run(size -> alternating, () -> null, "m/fake/fp32", Progress.NONE);
        assertTrue(o.sizes().getFirst().measurement().valid(), o.sizes().getFirst().measurement().reasons().toString());
        assertEquals(Boolean.TRUE, o.sizes().getFirst().measurement().unstable());
        assertTrue(o.sizes().getFirst().measurement().cv() > 0.05);
        assertNotNull(o.sizes().getFirst().measurement().robustSpread());
        assertTrue(o.warnings().isEmpty(), "the flag is the only record of it, so it is said once: " + o.warnings());

        Settings.Performance noWarmup = performance(p.load(), List.of(1), 0);
        PerformanceStep.Outcome cold = new PerformanceStep(noWarmup, "fake", List.of(1), Set.of(), PerformanceStep.Memory.UNKNOWN, new CpuFrequencyProbe(tmp))
                .run(size -> alternating, () -> null, "m/fake/fp32", Progress.NONE);
        assertFalse(cold.sizes().getFirst().measurement().valid());
        assertEquals(List.of("warm-up skipped (--warmup 0)"), cold.sizes().getFirst().measurement().reasons());
    }

    @Test
    void aFixedServerRateRunsOneTrialAtThatRateWithItsBound() throws Exception {
        List<OptionLists.Size> one = List.of(new OptionLists.Size(8, 8));
        // 200/s: the trial's 368 requests (what its p99 bound needs) take under 2 s
        Settings.Performance p = performance(load(EnumSet.of(Scenario.SERVER), one, List.of(1), 500.0, 200.0), List.of(1), 0);
        PerformanceStep.Outcome o = run(p, Set.of(), 1);
        Server server = o.sizes().getFirst().server();
        assertEquals(Server.FIXED, server.mode());
        assertEquals(1, server.trials().size());
        assertEquals(200.0, server.trials().getFirst().targetQps());
        assertEquals(500.0, server.p99BoundMs());
        assertEquals("uniform", server.arrivals());
        assertEquals(1, server.workers());
        assertTrue(server.trials().getFirst().requests() >= 20, "at least --server-min-requests measured");
        assertTrue(o.sizes().getFirst().throughput().isEmpty(), "offline did not run");
    }

    @Test
    void theSearchStartsFromTheOfflineThroughputAtTheServersWorkers() throws Exception {
        List<OptionLists.Size> one = List.of(new OptionLists.Size(8, 8));
        Settings.Performance p = performance(load(EnumSet.of(Scenario.OFFLINE, Scenario.SERVER), one, List.of(1, 2),
                1000.0, null), List.of(1), 0);
        PerformanceStep.Outcome o = run(p, Set.of(Capability.CONCURRENT_RUNS), 4);
        PerformanceAtSize at = o.sizes().getFirst();
        InFlightThroughput k2 = at.throughput().stream().filter(t -> t.inFlight() == 2).findFirst().orElseThrow();
        assertEquals(2, at.server().workers(), "server workers = the most in flight");
        assertEquals(k2.imagesPerSecond(), at.server().trials().getFirst().targetQps(), 1e-9);
        assertEquals(Server.SEARCH, at.server().mode());
        assertNotNull(at.server().maxQps(), "a 4 ms service within a 1 s bound passes somewhere: " + at.server().note());
    }

    @Test
    void batchesThatWouldNotFitInMemoryAreSkippedWithAWarning() throws Exception {
        List<OptionLists.Size> one = List.of(new OptionLists.Size(64, 64));
        Settings.Performance p = performance(load(EnumSet.of(Scenario.OFFLINE), one, List.of(1), null, null), List.of(1, 1024), 0);
        PerformanceStep step = new PerformanceStep(p, "fake", p.batchSizes(), Set.of(),
                new PerformanceStep.Memory(1L << 26, Run.BatchSkip.DEVICE), new CpuFrequencyProbe(tmp));
        PerformanceStep.Outcome o = step.run(size -> new Sut(size, 0.1), () -> null, "m/fake/fp32", Progress.NONE);
        assertEquals(List.of(1), o.sizes().getFirst().throughput().stream().map(InFlightThroughput::batch).toList());
        assertTrue(o.warnings().stream().anyMatch(w -> w.startsWith("batch 1024 skipped") && w.endsWith("free device memory")),
                o.warnings().toString());
        // recorded in the run, with the figure it was judged by, so --resume can compare it
        assertEquals(List.of(new Run.BatchSkip("64x64", 1024, 1024L * 64 * 64 * (256 + 12), 1L << 26, Run.BatchSkip.DEVICE)),
                o.batchSkips());
    }

    /** A session on a device: its free device memory, not the host's, decides. */
    private static InferenceSession deviceSession(OptionalLong free) {
        return new InferenceSession() {
            @Override
            public dev.segbench.api.ModelArtifact artifact() {
                return null;
            }

            @Override
            public InferenceResult run(dev.segbench.api.HostTensor input) {
                throw new UnsupportedOperationException();
            }

            @Override
            public OptionalLong freeDeviceMemoryBytes() {
                return free;
            }

            @Override
            public void close() {
            }
        };
    }

    @Test
    void aDeviceBackendIsJudgedByDeviceMemoryAndAHostBackendByMemAvailable() {
        assertEquals(new PerformanceStep.Memory(5L << 30, Run.BatchSkip.DEVICE),
                PerformanceStep.Memory.of(deviceSession(OptionalLong.of(5L << 30)), true));
        PerformanceStep.Memory unknown = PerformanceStep.Memory.of(deviceSession(OptionalLong.empty()), true);
        assertEquals(0, unknown.bytes(), "a device backend without a free-memory figure is not judged by the host's");
        PerformanceStep.Memory host = PerformanceStep.Memory.of(deviceSession(OptionalLong.empty()), false);
        assertEquals(Run.BatchSkip.HOST, host.memory());
        assertTrue(host.bytes() > 0);
        if (Files.isReadable(Path.of("/proc/meminfo"))) {
            long memAvailable = meminfo("MemAvailable:");
            long memFree = meminfo("MemFree:");
            // MemAvailable includes the droppable page cache; read moments apart, so compare with the gap to MemFree
            assertTrue(Math.abs(host.bytes() - memAvailable) < Math.abs(host.bytes() - memFree)
                            || memAvailable == memFree,
                    "host memory " + host.bytes() + " is MemAvailable " + memAvailable + ", not MemFree " + memFree);
        }
    }

    private static long meminfo(String key) {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith(key))
                    .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024).findFirst().orElseThrow();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void minIterationsHoldsForServerTrialsToo() throws Exception {
        // --min-iterations 10 (performance()), --server-min-requests 5, and 50 qps x 0.05 s asks for 3: 10 are measured
        List<OptionLists.Size> one = List.of(new OptionLists.Size(8, 8));
        LoadSettings load = new LoadSettings(EnumSet.of(Scenario.SERVER), one, List.of(1), Arrivals.UNIFORM, 1, null, 50.0, 5);
        PerformanceStep.Outcome o = run(performance(load, List.of(1), 0), Set.of(), 1);
        assertEquals(10, o.sizes().getFirst().server().trials().getFirst().requests());
    }

    /**
     * A trial judged against a p99 bound measures the 368 requests a p99 needs, though --min-iterations (10) and
     * --server-min-requests (5) ask for fewer: with fewer its "p99" would be its maximum.
     */
    @Test
    void aTrialJudgedOnP99MeasuresTheRequestsAP99Needs() throws Exception {
        List<OptionLists.Size> one = List.of(new OptionLists.Size(8, 8));
        LoadSettings load = new LoadSettings(EnumSet.of(Scenario.SERVER), one, List.of(1), Arrivals.UNIFORM, 1, 1000.0, 400.0, 5);
        Server.Trial t = run(performance(load, List.of(1), 0), Set.of(), 1).sizes().getFirst().server().trials().getFirst();
        assertEquals(368, t.requests());
        assertNotNull(t.latencyMs().p99());
    }

    @Test
    void aSearchForABoundBelowTheServiceTimeStopsAndKeepsEverythingMeasured() throws Exception {
        // 20 ms service, 5 ms bound on p50 (whose 6 samples leave the trials at 20 requests): no rate meets it. Without
        // the light-load rule and the budget this searches through 7 trials of 20 requests each down to 1/64 of the
        // capacity (about 50 s here; 100 min at real sizes).
        List<OptionLists.Size> one = List.of(new OptionLists.Size(8, 8));
        LoadSettings load = new LoadSettings(EnumSet.allOf(Scenario.class), one, List.of(1), Arrivals.UNIFORM, 1, 5.0, null, 20, LoadSettings.SPLIT,
                30, 50);
        Settings.Performance p = performance(load, List.of(1), 0.05);
        PerformanceStep.Outcome o = run(p, Set.of(), 20);
        PerformanceAtSize at = o.sizes().getFirst();
        assertNotNull(at.latencyMs(), "single-stream kept");
        assertEquals(1, at.throughput().size(), "offline kept");
        Server server = at.server();
        assertNull(server.maxQps());
        assertTrue(server.trials().size() <= 3, server.trials().size() + " trials: " + server.note());
        assertTrue(server.note().contains("light load"), server.note());
    }
}
