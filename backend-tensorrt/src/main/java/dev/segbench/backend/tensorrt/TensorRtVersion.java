package dev.segbench.backend.tensorrt;

/**
 * A TensorRT library version as returned by {@code getInferLibVersion()}: TensorRT 10 encodes
 * {@code major * 10000 + minor * 100 + patch} (10.15.1 = 101501); TensorRT 8 and 9 used
 * {@code major * 1000 + minor * 100 + patch} (8.6.1 = 8601).
 */
public record TensorRtVersion(int major, int minor, int patch) implements Comparable<TensorRtVersion> {

    /** The oldest TensorRT this backend uses (strongly typed networks, enqueueV3, named tensors). */
    public static final int REQUIRED_MAJOR = 10;

    public static TensorRtVersion decode(int encoded) {
        if (encoded >= 10_000) {
            return new TensorRtVersion(encoded / 10_000, (encoded / 100) % 100, encoded % 100);
        }
        return new TensorRtVersion(encoded / 1000, (encoded / 100) % 10, encoded % 100);
    }

    public boolean supported() {
        return major >= REQUIRED_MAJOR;
    }

    @Override
    public int compareTo(TensorRtVersion o) {
        int c = Integer.compare(major, o.major);
        if (c == 0) {
            c = Integer.compare(minor, o.minor);
        }
        return c != 0 ? c : Integer.compare(patch, o.patch);
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch;
    }
}
