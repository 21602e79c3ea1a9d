package dev.segbench.harness.load;

import dev.segbench.api.BackendException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/** Runs one body on K platform threads and waits for them; the first failure stops the others and is rethrown. */
final class Workers {

    interface Body {
        void run(int worker) throws Exception;
    }

    private Workers() {
    }

    /**
     * @param stop set when a worker fails (or this thread is interrupted), so the other workers' loops end
     */
    static void runAll(int count, String name, AtomicBoolean stop, Body body) throws BackendException, InterruptedException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread[] threads = new Thread[count];
        for (int w = 0; w < count; w++) {
            int worker = w;
            threads[w] = Thread.ofPlatform().name(name + "-" + w).daemon(true).start(() -> {
                try {
                    body.run(worker);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                    stop.set(true);
                }
            });
        }
        try {
            for (Thread t : threads) {
                t.join();
            }
        } catch (InterruptedException e) {
            stop.set(true);
            for (Thread t : threads) {
                t.interrupt();
            }
            for (Thread t : threads) {
                t.join(10_000); // a backend call cannot be interrupted; give it time to return before leaving
            }
            throw e;
        }
        Throwable t = failure.get();
        if (t instanceof BackendException e) {
            throw e;
        }
        if (t instanceof InterruptedException e) {
            throw e;
        }
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t != null) {
            throw new IllegalStateException(t.getMessage(), t);
        }
    }
}
