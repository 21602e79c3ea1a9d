package dev.segbench.harness.load;

import dev.segbench.api.DeviceTimings;
import dev.segbench.api.BackendException;
import dev.segbench.api.HostTensor;
import dev.segbench.api.InferenceResult;
import dev.segbench.api.InferenceSession;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * An {@link InferenceSession} as the system under test, on a fixed input size. Inputs come from the session
 * ({@link InferenceSession#newInput}, so a GPU backend can hand out pinned memory) in a shared arena that any
 * worker thread may read, filled with the same seeded image so every backend sees the same input.
 */
public final class SessionUnderTest implements SystemUnderTest {

    private final InferenceSession session;
    private final int height;
    private final int width;

    public SessionUnderTest(InferenceSession session, int height, int width) {
        this.session = session;
        this.height = height;
        this.width = width;
    }

    @Override
    public PreparedInputs prepare(int batch, int workers) {
        Arena arena = Arena.ofShared();
        HostTensor[] inputs = new HostTensor[workers];
        try {
            for (int w = 0; w < workers; w++) {
                inputs[w] = session.newInput(arena, batch, height, width);
                fill(inputs[w], batch);
            }
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
        return new PreparedInputs() {
            @Override
            public Optional<DeviceTimings> run(int worker) throws BackendException {
                try (InferenceResult r = session.run(inputs[worker])) {
                    return r.deviceTimings();
                }
            }

            @Override
            public void close() {
                arena.close();
            }
        };
    }

    /** A fixed pseudo-random normalised image in [-2, 2) (seed 7), repeated for every image of the batch. */
    public static void fill(HostTensor input, int batch) {
        SplittableRandom random = new SplittableRandom(7);
        long perImage = input.elementCount() / batch;
        float[] image = new float[Math.toIntExact(perImage)];
        for (int i = 0; i < image.length; i++) {
            image[i] = (float) (random.nextDouble() * 4.0 - 2.0);
        }
        for (int b = 0; b < batch; b++) {
            MemorySegment.copy(image, 0, input.data(), HostTensor.FLOAT, b * perImage * Float.BYTES, image.length);
        }
    }
}
