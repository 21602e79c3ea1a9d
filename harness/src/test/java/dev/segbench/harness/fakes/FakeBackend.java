package dev.segbench.harness.fakes;

import dev.segbench.api.DeviceTimings;
import dev.segbench.api.Availability;
import dev.segbench.api.Backend;
import dev.segbench.api.BackendException;
import dev.segbench.api.Capability;
import dev.segbench.api.DType;
import dev.segbench.api.HostTensor;
import dev.segbench.api.InferenceResult;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.SessionOptions;
import java.lang.foreign.Arena;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Test backend "fake": logits at output cell (y, x) are {@code -|v / 10 - c|} where v is channel 0 of
 * the input at (y * stride, x * stride), so the argmax is round(v / 10). In FP16 it favours class 4
 * over class 3, so FP16 disagrees with FP32 exactly on class-3 pixels. Reports device timings.
 */
public class FakeBackend implements Backend {

    @Override
    public String id() {
        return "fake";
    }

    @Override
    public String description() {
        return "fake backend for tests";
    }

    @Override
    public int rank() {
        return 1000;
    }

    @Override
    public List<String> propertyKeys() {
        return List.of("fake.fail", "fake.unsupported-op", "fake.hold-model", "fake.hold-until");
    }

    @Override
    public Availability availability() {
        return Availability.available("fake-1.0", List.of("fake device"), Set.of(Capability.DEVICE_TIMINGS));
    }

    @Override
    public Set<Precision> precisions() {
        return Set.of(Precision.FP32, Precision.FP16);
    }

    /**
     * With {@code fake.hold-model=ID} and {@code fake.hold-until=FILE}, a session of that model writes FILE.held and
     * waits in open() until FILE exists: a test then knows a run is in flight, and for how long (as long as it likes).
     */
    private static void holdIfAsked(String modelId, SessionOptions options) throws BackendException {
        String file = options.property("fake.hold-until", "");
        if (file.isEmpty() || !modelId.equals(options.property("fake.hold-model", ""))) {
            return;
        }
        java.nio.file.Path release = java.nio.file.Path.of(file);
        try {
            java.nio.file.Files.writeString(java.nio.file.Path.of(file + ".held"), modelId);
            while (!java.nio.file.Files.exists(release)) {
                Thread.sleep(10);
            }
        } catch (java.io.IOException e) {
            throw new BackendException(BackendException.Code.DEVICE_ERROR, "fake.hold-until: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException(BackendException.Code.DEVICE_ERROR, "interrupted while held", e);
        }
    }

    @Override
    public InferenceSession open(ModelSource model, SessionOptions options) throws BackendException {
        int stride = model.info().outputStride();
        int classes = model.info().numClasses();
        if (!options.property("fake.fail", "").isEmpty()) {
            throw new BackendException(BackendException.Code.BUILD_FAILED, "asked to fail by fake.fail=" + options.property("fake.fail", ""));
        }
        String op = options.property("fake.unsupported-op", "");
        if (!op.isEmpty()) { // what an interpreter says at open about a graph with an op it does not run
            throw new BackendException(BackendException.Code.UNSUPPORTED_OP, "node 'n_7' (" + op + "): op " + op
                    + " is not implemented by the fake backend");
        }
        holdIfAsked(model.info().id(), options);
        ModelArtifact artifact;
        try {
            artifact = model.artifact(options.precision(), false);
        } catch (dev.segbench.api.ModelException e) {
            throw new BackendException(BackendException.Code.MODEL_INVALID, e.getMessage(), e);
        }
        boolean fp16 = options.precision() == Precision.FP16;
        return new InferenceSession() {
            boolean closed;

            @Override
            public ModelArtifact artifact() {
                return artifact;
            }

            @Override
            public InferenceResult run(HostTensor input) {
                if (closed) {
                    throw new IllegalStateException("closed");
                }
                return compute(input, stride, classes, fp16);
            }

            @Override
            public void close() {
                closed = true;
            }
        };
    }

    static InferenceResult compute(HostTensor input, int stride, int classes, boolean fp16) {
        int n = (int) input.dim(0);
        int h = (int) input.dim(2);
        int w = (int) input.dim(3);
        int oh = (h + stride - 1) / stride;
        int ow = (w + stride - 1) / stride;
        Arena arena = Arena.ofConfined();
        HostTensor out = HostTensor.allocate(arena, DType.FLOAT32, n, classes, oh, ow);
        for (int b = 0; b < n; b++) {
            long inBase = (long) b * 3 * h * w;
            long outBase = (long) b * classes * oh * ow;
            for (int y = 0; y < oh; y++) {
                for (int x = 0; x < ow; x++) {
                    float v = input.getFloat(inBase + (long) y * stride * w + (long) x * stride) / 10f;
                    for (int c = 0; c < classes; c++) {
                        float logit = -Math.abs(v - c);
                        if (fp16 && c == 4 && Math.round(v) == 3) {
                            logit += 2f;
                        }
                        out.setFloat(outBase + ((long) c * oh + y) * ow + x, logit);
                    }
                }
            }
        }
        return new InferenceResult() {
            @Override
            public HostTensor output() {
                return out;
            }

            @Override
            public Optional<DeviceTimings> deviceTimings() {
                return Optional.of(new DeviceTimings(0.1, 1.0, 0.2));
            }

            @Override
            public void close() {
                arena.close();
            }
        };
    }
}
