package dev.segbench.gputests;

import dev.segbench.api.Availability;
import dev.segbench.api.Backend;
import dev.segbench.api.Precision;
import dev.segbench.api.SessionOptions;
import dev.segbench.api.SessionOptions.ShapeProfile;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The GPU backends under test, found through the plugin SPI as the harness finds them, and how to open them. */
enum GpuBackend {
    CUDA("cuda", "cuda.tf32"),
    TENSORRT("tensorrt", "tensorrt.tf32");

    /** Covers the VOC sample images (at most 500 px a side) and the small inputs of the behaviour tests. */
    static final ShapeProfile PROFILE = new ShapeProfile(1, 1, 2, 64, 384, 512, 64, 384, 512);

    final String id;
    private final String tf32Key;

    GpuBackend(String id, String tf32Key) {
        this.id = id;
        this.tf32Key = tf32Key;
    }

    Backend backend() {
        return ServiceLoader.load(Backend.class).stream().map(ServiceLoader.Provider::get).filter(b -> b.id().equals(id))
                .findFirst().orElseThrow(() -> new AssertionError("backend " + id + " is not on the class path"));
    }

    /** The backend, or a visible skip with the reason it cannot run here. */
    Backend available() {
        Backend b = backend();
        Availability a = b.availability();
        assumeTrue(a.available(), () -> id + " backend unavailable here: " + a.reason());
        return b;
    }

    /**
     * Options for a test session: TF32 on or off, TensorRT at optimisation level 0 (builds fast; the level changes
     * tactic search, not the arithmetic), engines cached in {@code cacheDir} (null: no cache).
     */
    SessionOptions options(Precision precision, boolean tf32, Path cacheDir, Map<String, String> extra) {
        Map<String, String> props = new HashMap<>(extra);
        props.put(tf32Key, Boolean.toString(tf32));
        if (this == TENSORRT) {
            props.putIfAbsent("tensorrt.opt-level", "0");
        }
        return new SessionOptions(precision, 0, PROFILE, cacheDir, props);
    }

    @Override
    public String toString() {
        return id;
    }
}
