package dev.segbench.backend.tensorrt;

import java.util.Optional;

/**
 * A TensorRT library version as returned by {@code getInferLibVersion()}: TensorRT 10 encodes
 * {@code major * 10000 + minor * 100 + patch} (10.15.1 = 101501); TensorRT 8 and 9 used
 * {@code major * 1000 + minor * 100 + patch} (8.6.1 = 8601).
 */
public record TensorRtVersion(int major, int minor, int patch) implements Comparable<TensorRtVersion> {

    /** The oldest TensorRT major this backend uses (strongly typed networks, enqueueV3, named tensors). */
    public static final int REQUIRED_MAJOR = 10;

    /**
     * The TensorRT whose headers the JavaCPP bindings were generated from (tensorrt 10.15-1.5.13). Compile-time
     * constants of the bindings, so reading them loads nothing native.
     */
    public static final TensorRtVersion BINDINGS = new TensorRtVersion(
            org.bytedeco.tensorrt.global.nvinfer.NV_TENSORRT_MAJOR, org.bytedeco.tensorrt.global.nvinfer.NV_TENSORRT_MINOR,
            org.bytedeco.tensorrt.global.nvinfer.NV_TENSORRT_PATCH);

    public static TensorRtVersion decode(int encoded) {
        if (encoded >= 10_000) {
            return new TensorRtVersion(encoded / 10_000, (encoded / 100) % 100, encoded % 100);
        }
        return new TensorRtVersion(encoded / 1000, (encoded / 100) % 10, encoded % 100);
    }

    public boolean supported() {
        return major >= REQUIRED_MAJOR;
    }

    /**
     * Why this loaded library cannot be driven by {@code bindings}, or empty when it can. The bindings' inline C++
     * wrappers call the virtual-table slots of the headers they were built from: a newer release of the same major
     * keeps those slots (TensorRT only appends to its interfaces within a major), an older one may lack some, and
     * another major changes the API.
     */
    public Optional<String> incompatibilityWith(TensorRtVersion bindings) {
        if (!supported()) {
            return Optional.of("TensorRT " + this + " is too old: need TensorRT " + bindings.major + "." + bindings.minor
                    + " or a newer " + bindings.major + ".x");
        }
        if (major != bindings.major) {
            return Optional.of("TensorRT " + this + " is not supported: the JavaCPP bindings were built for TensorRT "
                    + bindings.major + " and its API changes between majors; install TensorRT " + bindings.major + "."
                    + bindings.minor + " or a newer " + bindings.major + ".x");
        }
        if (minor < bindings.minor) {
            return Optional.of("TensorRT " + this + " is older than the " + bindings.major + "." + bindings.minor
                    + " headers the JavaCPP bindings were built from (their inline wrappers call virtual-table slots "
                    + major + "." + minor + " may not have); install TensorRT " + bindings.major + "." + bindings.minor
                    + " or a newer " + bindings.major + ".x");
        }
        return Optional.empty();
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
