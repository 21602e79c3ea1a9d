package dev.segbench.api;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

class LazyAvailabilityTest {

    @Test
    void probesOnceEvenUnderConcurrentFirstCalls() throws Exception {
        AtomicInteger probes = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        LazyAvailability lazy = new LazyAvailability(() -> {
            probes.incrementAndGet();
            try {
                release.await(); // hold the first caller inside the probe while the others arrive
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Availability.available("1.0", List.of("dev"), Set.of());
        });
        assertEquals(0, probes.get(), "nothing is probed before the first call");
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<Availability>> calls = List.of(pool.submit(lazy::get), pool.submit(lazy::get),
                    pool.submit(lazy::get), pool.submit(lazy::get));
            release.countDown();
            Availability first = calls.getFirst().get();
            for (Future<Availability> f : calls) {
                assertSame(first, f.get());
            }
        }
        assertEquals(1, probes.get());
        assertSame(lazy.get(), lazy.get());
    }

    @Test
    void aThrowingProbeBecomesAReasonNotAnException() {
        LazyAvailability lazy = new LazyAvailability(() -> {
            throw new UnsatisfiedLinkError("libfoo.so: cannot open shared object file\nsecond line");
        });
        Availability a = lazy.get();
        assertFalse(a.available());
        assertEquals("probing the backend failed: libfoo.so: cannot open shared object file", a.reason());
        BackendException e = assertThrows(BackendException.class, lazy::require);
        assertEquals(BackendException.Code.UNAVAILABLE, e.code());
        assertEquals(a.reason(), e.getMessage());
    }

    @Test
    void requireHandsBackAnAvailableBackendsAvailability() throws Exception {
        LazyAvailability lazy = new LazyAvailability(() -> Availability.available("1", List.of(), Set.of()));
        assertSame(lazy.get(), lazy.require());
    }
}
