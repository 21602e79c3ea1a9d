package dev.segbench.gputests;

import dev.segbench.api.DType;
import dev.segbench.api.HostTensor;
import dev.segbench.api.InferenceResult;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.SessionOptions;
import dev.segbench.api.WeightsSpec;
import dev.segbench.backend.cpu.OrtCpuBackend;
import java.lang.foreign.Arena;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The concurrency check of the GPU tests must pass when runs overlap and fail when they cannot. */
class ConcurrentRunsTest {

    private static final long[] SHAPE = {1, 3, 32, 48};

    private static float[] input() {
        float[] v = new float[3 * 32 * 48];
        for (int i = 0; i < v.length; i++) {
            v[i] = (i % 97) / 97f - 0.5f;
        }
        return v;
    }

    @Test
    void overlappingRunsOnTheCpuBackendPass() throws Exception {
        ModelSource model = GpuFixtures.catalog().load("arch0", WeightsSpec.seeded(3));
        try (InferenceSession a = new OrtCpuBackend().open(model, SessionOptions.of(Precision.FP32));
             InferenceSession b = new OrtCpuBackend().open(model, SessionOptions.of(Precision.FP32))) {
            List<float[]> out = ConcurrentRuns.run(List.of(a, b), 2, input(), SHAPE, Duration.ofSeconds(120));
            assertEquals(4, out.size());
            for (float[] o : out) {
                assertArrayEquals(out.getFirst(), o);
            }
        }
    }

    /** A session that lets one caller at a time hold a result: what a backend without concurrency looks like. */
    private static final class OneAtATime implements InferenceSession {
        private final ReentrantLock lock;

        OneAtATime(ReentrantLock lock) {
            this.lock = lock;
        }

        @Override
        public ModelArtifact artifact() {
            throw new UnsupportedOperationException();
        }

        @Override
        public InferenceResult run(HostTensor input) {
            lock.lock(); // released when the result closes
            HostTensor out = HostTensor.allocate(Arena.ofAuto(), DType.FLOAT32, 1, 2);
            return new InferenceResult() {
                @Override
                public HostTensor output() {
                    return out;
                }

                @Override
                public void close() {
                    lock.unlock();
                }
            };
        }

        @Override
        public void close() {
        }
    }

    @Test
    void runsThatCannotOverlapFailTheCheck() {
        ReentrantLock shared = new ReentrantLock();
        var e = assertThrows(ConcurrentRuns.NotConcurrentException.class, () -> ConcurrentRuns.run(
                List.of(new OneAtATime(shared), new OneAtATime(shared)), 1, input(), SHAPE, Duration.ofMillis(500)));
        assertTrue(e.getMessage().startsWith("2 runs on 2 session(s) never held their results at the same time"), e.getMessage());
    }
}
