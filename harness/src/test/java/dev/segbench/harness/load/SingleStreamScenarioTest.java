package dev.segbench.harness.load;

import dev.segbench.api.DeviceTimings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.api.HostTensor;
import dev.segbench.api.InferenceResult;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.Progress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Single-stream through a real session: the performance pass's rules, on inputs the session hands out. */
class SingleStreamScenarioTest {

    /** Runs alternate between {@code fast} and {@code slow} microseconds and report device timings. */
    static final class AlternatingSession implements InferenceSession {
        final long fastNanos;
        final long slowNanos;
        final List<HostTensor> seen = new ArrayList<>();
        int runs;
        float firstValue;

        AlternatingSession(long fastNanos, long slowNanos) {
            this.fastNanos = fastNanos;
            this.slowNanos = slowNanos;
        }

        @Override
        public ModelArtifact artifact() {
            return null;
        }

        @Override
        public InferenceResult run(HostTensor input) {
            seen.add(input);
            if (runs == 0) {
                firstValue = input.getFloat(0);
            }
            long end = System.nanoTime() + (runs++ % 2 == 0 ? slowNanos : fastNanos);
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
    void meetsBothMinimumsFlagsVariationAndAveragesDeviceTimings() throws Exception {
        AlternatingSession session = new AlternatingSession(200_000, 2_000_000); // CV ~ 0.8
        SingleStreamScenario.Outcome o = SingleStreamScenario.run(new SessionUnderTest(session, 16, 24),
                new SingleStreamScenario.Settings(0, 0.05, 20, 0.05), Progress.NONE, "m/b/p");
        assertTrue(o.measurement().iterations() >= 20);
        assertTrue(o.measurement().durationSeconds() >= 0.05);
        assertEquals(o.measurement().iterations(), o.latency().getTotalCount());
        // invalid for the broken rule only (no warm-up); the variation is a flag with its figures, not a reason
        assertFalse(o.measurement().valid());
        assertEquals(List.of("warm-up skipped (--warmup 0)"), o.measurement().reasons());
        assertEquals(Boolean.TRUE, o.measurement().unstable());
        assertTrue(o.measurement().cv() > 0.05, "cv " + o.measurement().cv());
        assertEquals(0.05, o.measurement().cvThreshold());
        assertEquals(List.of(), o.warnings(), "the verdict is the field; no text repeats it");
        assertEquals(2.0, o.deviceTimings().computeMs(), 1e-12);
        // the wall window holds every timed request, so it is at least their summed time
        assertTrue((o.windowEndNanos() - o.windowStartNanos()) / 1e9 >= o.measurement().durationSeconds());
        assertTrue(dev.segbench.results.Latencies.intervalsMs(o.latency()).p50()
                .contains(o.latency().getValueAtPercentile(50) / 1000.0));
        // one input of [1, 3, 16, 24], filled with the seeded image, reused for every run
        HostTensor input = session.seen.getFirst();
        assertEquals(List.of(1L, 3L, 16L, 24L), java.util.Arrays.stream(input.shape()).boxed().toList());
        assertTrue(session.seen.stream().allMatch(t -> t == input));
        float first = session.firstValue;
        assertTrue(first >= -2 && first < 2 && first != 0, "seeded fill in [-2, 2): " + first);
        assertThrows(IllegalStateException.class, () -> input.getFloat(0), "the inputs' arena is closed afterwards");
    }

    /** Issue 11 point 3: a high CV alone never makes a measurement invalid; it is recorded as unstable. */
    @Test
    void highVariationAloneIsUnstableNotInvalid() throws Exception {
        AlternatingSession session = new AlternatingSession(200_000, 2_000_000); // 0.2 and 2 ms alternating: CV ~ 0.8
        SingleStreamScenario.Outcome o = SingleStreamScenario.run(new SessionUnderTest(session, 8, 8),
                new SingleStreamScenario.Settings(0.005, 0, 40, 0.05), Progress.NONE, "m/b/p");
        assertTrue(o.measurement().valid(), o.measurement().reasons().toString());
        assertEquals(List.of(), o.measurement().reasons());
        assertEquals(Boolean.TRUE, o.measurement().unstable());
        // half the runs near 0.2 ms, half near 2 ms: p10 is a fast one, p90 a slow one, so (p90-p10)/p50 >= 0.9
        assertTrue(o.measurement().robustSpread() > 0.5, "spread " + o.measurement().robustSpread());
    }

    @Test
    void robustSpreadIsP90MinusP10OverP50AndIgnoresOneStall() {
        org.HdrHistogram.Histogram h = dev.segbench.results.Latencies.newHistogram();
        for (int i = 1; i <= 100; i++) {
            h.recordValue(1000 + 10 * i); // 1.01 .. 2.00 ms, evenly
        }
        double steady = SingleStreamScenario.robustSpread(h);
        // p10 = 1.10 ms, p50 = 1.50 ms, p90 = 1.90 ms: (1.90 - 1.10) / 1.50
        assertEquals(0.8 / 1.5, steady, 0.01);
        h.recordValue(1_000_000); // one 1 s stall: the CV explodes, the spread hardly moves
        assertEquals(steady, SingleStreamScenario.robustSpread(h), 0.02);
        var m = SingleStreamScenario.verdict(h, List.of(), 0.05, 1, 1, h.getTotalCount());
        assertTrue(m.cv() > 1, "cv " + m.cv());
        assertTrue(m.valid());
        assertEquals(Boolean.TRUE, m.unstable());
    }

    @Test
    void steadyRunsAfterAWarmupAreValid() throws Exception {
        AlternatingSession session = new AlternatingSession(500_000, 500_000);
        SingleStreamScenario.Outcome o = SingleStreamScenario.run(new SessionUnderTest(session, 8, 8),
                new SingleStreamScenario.Settings(0.01, 0, 40, 1000), Progress.NONE, "m/b/p");
        assertEquals(40, o.measurement().iterations());
        assertTrue(o.measurement().valid(), o.measurement().reasons().toString());
        assertEquals(Boolean.FALSE, o.measurement().unstable());
        assertTrue(session.runs > 40, "warm-up runs came first");
        assertTrue(o.measurement().warmupSeconds() >= 0.01);
    }
}
