package dev.segbench.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.api.DatasetOptions;
import dev.segbench.api.Sample;
import java.io.IOException;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class OrderedPrefetcherTest {

    @Test
    void deliversInOrderWithinTheWindowAndCarriesFailures() {
        int window = 5;
        AtomicInteger started = new AtomicInteger();
        AtomicInteger consumed = new AtomicInteger();
        AtomicInteger maxAhead = new AtomicInteger();
        ConcurrentHashMap<String, Boolean> threads = new ConcurrentHashMap<>();
        OrderedPrefetcher.Loader<Integer> loader = index -> {
            int ahead = started.incrementAndGet() - consumed.get();
            maxAhead.accumulateAndGet(ahead, Math::max);
            threads.put(Thread.currentThread().getName(), true);
            Thread.sleep(ThreadLocalRandom.current().nextInt(3));
            if (index % 17 == 5) {
                throw new IOException("bad " + index);
            }
            return index * 10;
        };
        try (OrderedPrefetcher<Integer> items = new OrderedPrefetcher<>(200, loader, 4, window)) {
            for (int i = 0; i < 200; i++) {
                assertTrue(items.hasNext());
                OrderedPrefetcher.Item<Integer> item = items.next();
                consumed.incrementAndGet();
                assertEquals(i, item.index());
                if (i % 17 == 5) {
                    assertTrue(item.failed());
                    assertEquals("bad " + i, item.error().getMessage());
                } else {
                    assertFalse(item.failed());
                    assertEquals(i * 10, item.value());
                }
            }
            assertFalse(items.hasNext());
            assertThrows(NoSuchElementException.class, items::next);
        }
        // The consumer counts an item only after next() returned it, and next() has already started the load
        // that refills the window, so the bound seen here is the window plus the item being handed over.
        assertTrue(maxAhead.get() <= window + 1, "at most " + window + " loads in flight, saw " + maxAhead.get());
        assertTrue(maxAhead.get() >= 2, "loads ran ahead of the consumer");
        assertTrue(threads.size() > 1, "loads ran on several threads: " + threads.keySet());
    }

    @Test
    void streamsASyntheticDatasetInOrder() throws Exception {
        var dataset = new SyntheticDatasetProvider().open("30",
                new DatasetOptions(0, List.of(), DatasetOptions.BadSamplePolicy.FAIL, java.util.Map.of("seed", "5", "size", "16x16")));
        List<String> ids;
        try (var stream = OrderedPrefetcher.of(dataset, 3, 4).stream()) {
            ids = stream.map(item -> {
                try {
                    // Drawn concurrently on worker threads, yet identical to a sequential draw.
                    assertArrayEquals(dataset.load(item.index()).rgb(), item.value().rgb());
                    assertArrayEquals(dataset.load(item.index()).labels(), item.value().labels());
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                return item.value().id();
            }).toList();
        }
        assertEquals(30, ids.size());
        for (int i = 0; i < 30; i++) {
            assertEquals(dataset.sampleId(i), ids.get(i));
        }
        Sample direct = dataset.load(29);
        assertEquals(direct.id(), ids.get(29));
    }

    @Test
    void emptyAndClosedPrefetchers() {
        try (OrderedPrefetcher<Integer> none = new OrderedPrefetcher<>(0, i -> i, 2, 2)) {
            assertFalse(none.hasNext());
        }
        OrderedPrefetcher<Integer> closed = new OrderedPrefetcher<>(10, i -> i, 2, 2);
        closed.close();
        assertThrows(IllegalStateException.class, closed::next);
        assertThrows(IllegalArgumentException.class, () -> new OrderedPrefetcher<>(10, i -> i, 0, 2));
    }

    @Test
    void workersEndOnceEverythingIsDeliveredEvenWithoutClose() throws InterruptedException {
        java.util.Set<Thread> workers = ConcurrentHashMap.newKeySet();
        OrderedPrefetcher<Integer> items = new OrderedPrefetcher<>(20, i -> {
            workers.add(Thread.currentThread());
            return i;
        }, 3, 4);
        int sum = 0;
        while (items.hasNext()) {
            sum += items.next().value();
        }
        assertEquals(190, sum);
        assertFalse(workers.isEmpty());
        for (Thread worker : workers) {
            worker.join(5_000);
            assertFalse(worker.isAlive(), worker.getName() + " still alive after the last item");
        }
    }
}
