package dev.segbench.harness.load;

import dev.segbench.api.DeviceTimings;
import dev.segbench.api.BackendException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongUnaryOperator;

/**
 * A system under test whose requests sleep (so a loaded machine's cores are not needed to keep many in flight) and
 * which records every request's start and end, so tests can measure its concurrency from the inside.
 */
final class SleepingSut implements SystemUnderTest {

    /** One request as the SUT saw it: {@link System#nanoTime()} at entry and exit, and its 1-based call number. */
    record Call(long call, int worker, int batch, long start, long end) {
    }

    private final LongUnaryOperator serviceNanosOfCall;
    private final List<Call> calls = new ArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private final AtomicInteger callCount = new AtomicInteger();
    volatile long failOnCall = -1;

    /** @param serviceNanosOfCall service time of the n-th call (1-based) */
    SleepingSut(LongUnaryOperator serviceNanosOfCall) {
        this.serviceNanosOfCall = serviceNanosOfCall;
    }

    static SleepingSut fixed(double milliseconds) {
        long nanos = Math.round(milliseconds * 1e6);
        return new SleepingSut(n -> nanos);
    }

    @Override
    public PreparedInputs prepare(int batch, int workers) {
        return new PreparedInputs() {
            @Override
            public Optional<DeviceTimings> run(int worker) throws BackendException {
                if (worker < 0 || worker >= workers) {
                    throw new IllegalArgumentException("worker " + worker + " of " + workers);
                }
                long n = callCount.incrementAndGet();
                if (n == failOnCall) {
                    throw new BackendException(BackendException.Code.DEVICE_ERROR, "call " + n + " failed on purpose");
                }
                int now = inFlight.incrementAndGet();
                maxInFlight.accumulateAndGet(now, Math::max);
                long start = System.nanoTime();
                long end = start + serviceNanosOfCall.applyAsLong(n);
                long t;
                while ((t = System.nanoTime()) < end) {
                    LockSupport.parkNanos(end - t);
                }
                inFlight.decrementAndGet();
                synchronized (calls) {
                    calls.add(new Call(n, worker, batch, start, t));
                }
                return Optional.empty();
            }

            @Override
            public void close() {
            }
        };
    }

    int maxInFlight() {
        return maxInFlight.get();
    }

    List<Call> calls() {
        synchronized (calls) {
            return calls.stream().sorted(Comparator.comparingLong(Call::start)).toList();
        }
    }

    /** Calls that started within {@code [from, to]}. */
    List<Call> callsStartedIn(long from, long to) {
        return calls().stream().filter(c -> c.start() >= from && c.start() <= to).toList();
    }

    /** Time-weighted mean number of calls in flight over {@code [from, to]}, from the recorded intervals. */
    double meanInFlight(long from, long to) {
        double busy = 0;
        for (Call c : calls()) {
            long s = Math.max(c.start(), from);
            long e = Math.min(c.end(), to);
            if (e > s) {
                busy += e - s;
            }
        }
        return busy / (to - from);
    }

    /** The most calls in flight at once within {@code [from, to]}, from the recorded intervals (a sweep over starts and ends). */
    int maxInFlight(long from, long to) {
        List<long[]> events = new ArrayList<>();
        for (Call c : calls()) {
            if (c.end() > from && c.start() < to) {
                events.add(new long[] {c.start(), 1});
                events.add(new long[] {c.end(), -1});
            }
        }
        events.sort(Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[1])); // ends before starts at a tie
        int now = 0;
        int max = 0;
        for (long[] e : events) {
            now += (int) e[1];
            max = Math.max(max, now);
        }
        return max;
    }
}
