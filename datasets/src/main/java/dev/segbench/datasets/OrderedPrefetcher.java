package dev.segbench.datasets;

import dev.segbench.api.Dataset;
import dev.segbench.api.Sample;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Loads items 0..count-1 on {@code threads} worker threads and hands them out strictly in index order,
 * with at most {@code window} items decoded or in flight at once, so memory stays flat however long the
 * run. A failed load does not stop the stream: its {@link Item} carries the exception and the caller
 * decides (e.g. stop, or skip and list the sample). Close it to stop the workers early.
 *
 * <pre>{@code
 * try (var items = OrderedPrefetcher.of(dataset, 4, 16)) {
 *     while (items.hasNext()) {
 *         var item = items.next();   // item.index() == 0, 1, 2, ...
 *         if (item.failed()) { ... item.error() ... } else { use(item.value()); }
 *     }
 * }
 * }</pre>
 *
 * <p>The iterator itself is for one consumer thread; the loader runs on many threads at once.
 *
 * @param <T> what one load produces
 */
public final class OrderedPrefetcher<T> implements Iterator<OrderedPrefetcher.Item<T>>, AutoCloseable {

    /** Loads item {@code index}; called concurrently from several threads. */
    @FunctionalInterface
    public interface Loader<T> {
        T load(int index) throws Exception;
    }

    /** Item {@code index}: its value, or the exception its load threw (then value is null). */
    public record Item<T>(int index, T value, Exception error) {
        public boolean failed() {
            return error != null;
        }
    }

    private static final AtomicInteger POOLS = new AtomicInteger();

    private final Loader<T> loader;
    private final int count;
    private final ExecutorService pool;
    private final ArrayDeque<Future<Item<T>>> inFlight;
    private int nextToSubmit;
    private int nextToReturn;

    public OrderedPrefetcher(int count, Loader<T> loader, int threads, int window) {
        if (count < 0 || threads < 1 || window < 1) {
            throw new IllegalArgumentException("count >= 0, threads >= 1 and window >= 1 needed, got "
                    + count + ", " + threads + ", " + window);
        }
        this.loader = loader;
        this.count = count;
        this.inFlight = new ArrayDeque<>(Math.min(window, count) + 1);
        String prefix = "prefetch-" + POOLS.incrementAndGet() + "-";
        AtomicInteger workers = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(threads, runnable -> {
            Thread thread = new Thread(runnable, prefix + workers.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        while (nextToSubmit < count && inFlight.size() < window) {
            submitNext();
        }
        if (count == 0) {
            pool.shutdown();
        }
    }

    /** Samples of {@code dataset} in order; a bad sample's item carries its {@code BadSampleException}. */
    public static OrderedPrefetcher<Sample> of(Dataset dataset, int threads, int window) {
        return new OrderedPrefetcher<>(dataset.size(), dataset::load, threads, window);
    }

    private void submitNext() {
        int index = nextToSubmit++;
        inFlight.addLast(pool.submit(() -> {
            try {
                return new Item<>(index, loader.load(index), null);
            } catch (Exception e) {
                return new Item<T>(index, null, e);
            }
        }));
        if (nextToSubmit == count) {
            // nothing left to submit: let the workers end after the queued loads, even if close() is never called
            pool.shutdown();
        }
    }

    @Override
    public boolean hasNext() {
        return nextToReturn < count;
    }

    /**
     * The next item in index order, waiting for it if needed.
     *
     * @throws IllegalStateException when interrupted while waiting (the interrupt flag stays set) or after
     *                               {@link #close()}
     */
    @Override
    public Item<T> next() {
        try {
            return take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for item " + nextToReturn, e);
        }
    }

    /** {@link #next()} for callers that pass an interrupt on: the prefetcher is closed, then it is thrown. */
    public Item<T> take() throws InterruptedException {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Future<Item<T>> head = inFlight.pollFirst();
        if (head == null) {
            throw new IllegalStateException("prefetcher closed");
        }
        Item<T> item;
        try {
            item = head.get();
        } catch (InterruptedException e) {
            close();
            throw e;
        } catch (ExecutionException e) {
            // Only Errors (e.g. OutOfMemoryError) get here: exceptions are caught in the task.
            close();
            throw new IllegalStateException("loading item " + nextToReturn + " failed: " + e.getCause(), e.getCause());
        } catch (java.util.concurrent.CancellationException e) {
            throw new IllegalStateException("prefetcher closed", e);
        }
        nextToReturn++;
        if (nextToSubmit < count && !pool.isShutdown()) {
            submitNext();
        }
        return item;
    }

    /** The remaining items as an ordered, sequential stream; closing the stream closes this prefetcher. */
    public Stream<Item<T>> stream() {
        return StreamSupport.stream(Spliterators.spliterator(this, count - nextToReturn,
                Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.SIZED), false).onClose(this::close);
    }

    /**
     * Stops the workers and waits (up to 30 s) for loads in progress to end, so the caller may close what they
     * read from; items not yet returned are dropped.
     */
    @Override
    public void close() {
        pool.shutdownNow();
        for (Future<Item<T>> future : inFlight) {
            future.cancel(true);
        }
        inFlight.clear();
        try {
            pool.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
