package dev.segbench.harness.passes;

import dev.segbench.api.DeviceTimings;
import dev.segbench.harness.plan.RunSettings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.api.HostTensor;
import dev.segbench.api.InferenceResult;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.Progress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

class PerformancePassTest {

    /** A session whose runs take {@code slowNanos} every {@code period}-th time and {@code fastNanos} otherwise. */
    static final class TimedSession implements InferenceSession {
        final long fastNanos;
        final long slowNanos;
        final int period;
        int runs;
        int batchRuns;

        TimedSession(long fastNanos, long slowNanos, int period) {
            this.fastNanos = fastNanos;
            this.slowNanos = slowNanos;
            this.period = period;
        }

        @Override
        public ModelArtifact artifact() {
            return null;
        }

        @Override
        public InferenceResult run(HostTensor input) {
            if (input.dim(0) > 1) {
                batchRuns++;
            }
            long wait = runs++ % period == 0 ? slowNanos : fastNanos;
            long end = System.nanoTime() + wait;
            while (System.nanoTime() < end) {
                Thread.onSpinWait();
            }
            return new InferenceResult() {
                @Override
                public HostTensor output() {
                    return input;
                }

                @Override
                public Optional<DeviceTimings> deviceTimings() {
                    return Optional.of(new DeviceTimings(1, 2, 3));
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public void close() {
        }
    }

    @Test
    void meetsBothMinimumsAndFlagsHighVariation() throws Exception {
        RunSettings s = Settings.tiny(Path.of("unused"), List.of(1, 4), 0.05, 20, 0.05);
        TimedSession session = new TimedSession(200_000, 2_000_000, 2); // 0.2 ms and 2 ms alternating: CV ~ 0.8
        PerformancePass.Outcome o = new PerformancePass(s.performance(), s.performance().batchSizes(), 1L << 40).run(session, "m/b/p", Progress.NONE);
        assertTrue(o.measurement().iterations() >= 20, "iterations " + o.measurement().iterations());
        assertTrue(o.measurement().durationSeconds() >= 0.05, "duration " + o.measurement().durationSeconds());
        assertEquals(o.measurement().iterations(), o.latency().getTotalCount());
        assertFalse(o.measurement().valid());
        assertTrue(o.measurement().reasons().getFirst().contains("CV"), o.measurement().reasons().toString());
        assertTrue(o.warnings().stream().anyMatch(w -> w.contains("CV")));
        assertEquals(List.of(1, 4), o.throughput().stream().map(t -> t.batch()).toList());
        assertTrue(session.batchRuns >= 3, "one untimed and at least two timed batch runs");
        assertEquals(2.0, o.deviceTimings().computeMs(), 1e-9);
    }

    @Test
    void steadyRunsAreValidAndThroughputMatchesLatency() throws Exception {
        // A huge CV threshold: this test is about the rules, not about how noisy the shared test machine is.
        RunSettings s = Settings.tiny(Path.of("unused"), List.of(1), 0.0, 40, 1000);
        TimedSession session = new TimedSession(1_000_000, 1_000_000, 1);
        PerformancePass.Outcome o = new PerformancePass(s.performance(), s.performance().batchSizes(), 1L << 40).run(session, "m/b/p", Progress.NONE);
        assertEquals(40, o.measurement().iterations());
        assertTrue(o.measurement().valid(), o.measurement().reasons().toString());
        double ips = o.throughput().getFirst().imagesPerSecond();
        assertTrue(ips <= 1000, "1 ms runs give at most 1000 images/s: " + ips);
        assertEquals(40 / o.measurement().durationSeconds(), ips, ips * 1e-9);
    }

    @Test
    void skipsBatchesThatWouldNotFitInMemory() throws Exception {
        RunSettings s = Settings.tiny(Path.of("unused"), List.of(1, 1024), 0.0, 2, 0.5);
        PerformancePass.Outcome o = new PerformancePass(s.performance(), s.performance().batchSizes(), 1L << 20).run(new TimedSession(1000, 1000, 1), "k", Progress.NONE);
        assertEquals(List.of(1), o.throughput().stream().map(t -> t.batch()).toList());
        assertTrue(o.warnings().stream().anyMatch(w -> w.startsWith("batch 1024 skipped")), o.warnings().toString());
        LockSupport.parkNanos(1);
    }
}
