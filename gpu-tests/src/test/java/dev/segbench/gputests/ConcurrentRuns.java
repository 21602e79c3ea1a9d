package dev.segbench.gputests;

import dev.segbench.api.HostTensor;
import dev.segbench.api.InferenceResult;
import dev.segbench.api.InferenceSession;
import java.lang.foreign.Arena;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one input on several sessions from several threads at once and returns every output. "At once" is enforced,
 * not hoped for: each thread keeps its result open until every other thread holds one too, so if the runs cannot
 * overlap (a session that serialises its callers, a single execution context, a lock held until a result closes) the
 * barrier times out and this throws, instead of passing with the runs done one after another.
 */
final class ConcurrentRuns {

    /** The runs never all held a result at the same time. */
    static final class NotConcurrentException extends Exception {
        NotConcurrentException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private ConcurrentRuns() {
    }

    /**
     * @param perSession threads per session (more than one only for backends with CONCURRENT_RUNS)
     * @param overlap    how long a thread waits, holding its result, for the others to hold theirs
     */
    static List<float[]> run(List<InferenceSession> sessions, int perSession, float[] input, long[] shape, Duration overlap)
            throws Exception {
        int threads = sessions.size() * perSession;
        CyclicBarrier start = new CyclicBarrier(threads);
        CyclicBarrier allHoldResults = new CyclicBarrier(threads);
        List<float[]> outputs = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<float[]>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                InferenceSession s = sessions.get(t / perSession);
                futures.add(pool.submit(() -> {
                    try (Arena arena = Arena.ofShared()) {
                        HostTensor in = s.newInput(arena, (int) shape[0], (int) shape[2], (int) shape[3]);
                        for (int i = 0; i < input.length; i++) {
                            in.setFloat(i, input[i]);
                        }
                        start.await(overlap.toMillis(), TimeUnit.MILLISECONDS);
                        try (InferenceResult r = s.run(in)) {
                            allHoldResults.await(overlap.toMillis(), TimeUnit.MILLISECONDS);
                            float[] v = new float[(int) r.output().elementCount()];
                            for (int i = 0; i < v.length; i++) {
                                v[i] = r.output().getFloat(i);
                            }
                            return v;
                        }
                    }
                }));
            }
            for (Future<float[]> f : futures) {
                try {
                    outputs.add(f.get());
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof TimeoutException || e.getCause() instanceof BrokenBarrierException) {
                        throw new NotConcurrentException(threads + " runs on " + sessions.size() + " session(s) never held"
                                + " their results at the same time within " + overlap + ": they did not run concurrently", e);
                    }
                    throw e;
                }
            }
        }
        return outputs;
    }
}
