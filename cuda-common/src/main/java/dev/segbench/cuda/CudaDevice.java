package dev.segbench.cuda;

import java.util.Locale;

/**
 * One CUDA device as reported by cudaGetDeviceProperties.
 *
 * @param ordinal          the device index for cudaSetDevice (after CUDA_VISIBLE_DEVICES)
 * @param name             e.g. "NVIDIA H100 80GB HBM3"
 * @param major            compute capability major
 * @param minor            compute capability minor
 * @param totalMemoryBytes global memory
 * @param multiprocessors  SM count
 */
public record CudaDevice(int ordinal, String name, int major, int minor, long totalMemoryBytes, int multiprocessors) {

    /** "9.0". */
    public String computeCapability() {
        return major + "." + minor;
    }

    /** "sm_90". */
    public String smTag() {
        return "sm_" + major + minor;
    }

    /** "NVIDIA H100 80GB HBM3 (sm_90, 79.1 GiB, 132 SMs)": the form used in {@code Availability.devices()}. */
    public String description() {
        return String.format(Locale.ROOT, "%s (%s, %.1f GiB, %d SMs)", name, smTag(),
                totalMemoryBytes / (1024.0 * 1024 * 1024), multiprocessors);
    }
}
