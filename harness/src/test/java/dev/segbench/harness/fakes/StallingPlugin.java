package dev.segbench.harness.fakes;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The stalling test backend of issue 14, as a plugin jar built at test time: backend id "stalling", whose
 * {@code run()} takes 20 ms and every 200th call 1 s (counted per session), and predicts background everywhere.
 * Session properties change the numbers: {@code stalling.base-ms}, {@code stalling.stall-ms},
 * {@code stalling.every}, and {@code stalling.first} (the call number of the first stall; default = every).
 * A CLI test uses it with {@code --plugins DIR --backends stalling}.
 */
public final class StallingPlugin {

    public static final String BACKEND_ID = "stalling";

    static final String SOURCE = """
            package plug;

            import dev.segbench.api.*;
            import java.lang.foreign.Arena;
            import java.util.List;
            import java.util.Set;
            import java.util.concurrent.atomic.AtomicLong;
            import java.util.concurrent.locks.LockSupport;

            /** run() takes base-ms, and every every-th call (from call first on) stall-ms; predicts background. */
            public final class StallingBackend implements Backend {
                public String id() { return "stalling"; }
                public String description() { return "test backend that stalls every 200th run"; }
                public Availability availability() { return Availability.available("stalling-1", List.of("nowhere"), Set.of()); }
                public Set<Precision> precisions() { return Set.of(Precision.FP32, Precision.FP16); }
                public List<String> propertyKeys() {
                    return List.of("stalling.base-ms", "stalling.stall-ms", "stalling.every", "stalling.first");
                }

                public InferenceSession open(ModelSource model, SessionOptions options) {
                    int stride = model.info().outputStride();
                    long baseNanos = (long) (Double.parseDouble(options.property("stalling.base-ms", "20")) * 1e6);
                    long stallNanos = (long) (Double.parseDouble(options.property("stalling.stall-ms", "1000")) * 1e6);
                    long every = Long.parseLong(options.property("stalling.every", "200"));
                    long first = Long.parseLong(options.property("stalling.first", Long.toString(every)));
                    AtomicLong calls = new AtomicLong();
                    return new InferenceSession() {
                        public ModelArtifact artifact() { return null; }
                        public InferenceResult run(HostTensor input) {
                            long n = calls.incrementAndGet();
                            boolean stall = n >= first && (n - first) % every == 0;
                            long end = System.nanoTime() + (stall ? stallNanos : baseNanos);
                            for (long now; (now = System.nanoTime()) < end; ) {
                                LockSupport.parkNanos(end - now);
                            }
                            Arena arena = Arena.ofConfined();
                            long h = (input.dim(2) + stride - 1) / stride, w = (input.dim(3) + stride - 1) / stride;
                            HostTensor out = HostTensor.allocate(arena, DType.FLOAT32, input.dim(0), 21, h, w);
                            for (long i = 0; i < input.dim(0) * h * w; i++) {
                                long b = i / (h * w);
                                out.setFloat(b * 21 * h * w + i % (h * w), 1f);
                            }
                            return new InferenceResult() {
                                public HostTensor output() { return out; }
                                public void close() { arena.close(); }
                            };
                        }
                        public void close() { }
                    };
                }
            }
            """;

    private StallingPlugin() {
    }

    /** Builds {@code DIR/plugins/stalling.jar}; returns the plugins folder to pass as {@code --plugins}. */
    public static Path build(Path dir) throws IOException {
        return PluginJars.backendJar(dir, "stalling", "plug.StallingBackend", SOURCE);
    }
}
