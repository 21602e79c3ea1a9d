package dev.segbench.harness.load;

import dev.segbench.api.DeviceTimings;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A system under test whose request returns only once {@code parties} requests have been inside it at the same time
 * (or after a timeout): a harness that keeps that many in flight passes every request through, one that keeps fewer
 * passes none without waiting out the timeout. Records each request that timed out.
 */
final class RendezvousSut implements SystemUnderTest {

    private final int parties;
    private final long timeoutNanos;
    private final List<Long> timedOutStarts = new ArrayList<>();
    private int inside;
    private long generation;

    RendezvousSut(int parties, long timeoutNanos) {
        this.parties = parties;
        this.timeoutNanos = timeoutNanos;
    }

    @Override
    public PreparedInputs prepare(int batch, int workers) {
        return new PreparedInputs() {
            @Override
            public Optional<DeviceTimings> run(int worker) {
                long start = System.nanoTime();
                synchronized (RendezvousSut.this) {
                    long mine = generation;
                    if (++inside == parties) {
                        generation++; // every request inside now has seen all parties in flight
                        RendezvousSut.this.notifyAll();
                    }
                    long deadline = start + timeoutNanos;
                    try {
                        for (long left; generation == mine && (left = deadline - System.nanoTime()) > 0; ) {
                            RendezvousSut.this.wait(left / 1_000_000, (int) (left % 1_000_000));
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    if (generation == mine) {
                        timedOutStarts.add(start);
                    }
                    inside--;
                }
                return Optional.empty();
            }

            @Override
            public void close() {
            }
        };
    }

    /** Requests that started within [from, to] and timed out before seeing all parties in flight. */
    synchronized long timedOutStartedIn(long from, long to) {
        return timedOutStarts.stream().filter(s -> s >= from && s <= to).count();
    }
}
