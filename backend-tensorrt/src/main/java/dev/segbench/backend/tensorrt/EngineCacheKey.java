package dev.segbench.backend.tensorrt;

import dev.segbench.api.io.Sha256;
import dev.segbench.api.Precision;

import java.nio.charset.StandardCharsets;

import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Everything a serialised TensorRT engine depends on. Engines are specific to the exact TensorRT version and
 * the GPU model, so both are part of the key, with the ONNX bytes, precision, profile and builder options.
 *
 * @param onnxSha256        hex SHA-256 of the ONNX graph the engine was built from
 * @param tensorRtVersion   the loaded library's version, e.g. "10.15.1"
 * @param gpuName           cudaDeviceProp.name, e.g. "NVIDIA H100 80GB HBM3"
 * @param computeCapability e.g. "9.0"
 * @param builderOptions    see {@link TensorRtSettings#builderOptions()}
 * @param calibrationSha256 {@link dev.segbench.api.CalibrationTable#sha256()} of an INT8 engine's calibration table,
 *                          null for other precisions (and then absent from the canonical text, so FP16/FP32 keys
 *                          are unchanged)
 */
public record EngineCacheKey(String onnxSha256, String tensorRtVersion, String gpuName, String computeCapability,
                             Precision precision, ProfileShapes profile, SortedMap<String, String> builderOptions,
                             String calibrationSha256) {

    /** A key without a calibration table (FP32, FP16). */
    public EngineCacheKey(String onnxSha256, String tensorRtVersion, String gpuName, String computeCapability,
                          Precision precision, ProfileShapes profile, SortedMap<String, String> builderOptions) {
        this(onnxSha256, tensorRtVersion, gpuName, computeCapability, precision, profile, builderOptions, null);
    }

    /** Bump when the canonical form or the engine-building code changes meaning, so old entries miss. */
    static final String SCHEMA = "segbench-tensorrt-engine/1";

    public EngineCacheKey {
        Objects.requireNonNull(onnxSha256);
        Objects.requireNonNull(tensorRtVersion);
        Objects.requireNonNull(gpuName);
        Objects.requireNonNull(computeCapability);
        Objects.requireNonNull(precision);
        Objects.requireNonNull(profile);
        builderOptions = new TreeMap<>(builderOptions);
    }

    @Override
    public SortedMap<String, String> builderOptions() {
        return new TreeMap<>(builderOptions);
    }

    /** The key as stable text, one field per line; this is what {@link #hexDigest()} hashes. */
    public String canonicalText() {
        StringBuilder b = new StringBuilder(SCHEMA).append('\n');
        b.append("onnx-sha256=").append(onnxSha256.toLowerCase(java.util.Locale.ROOT)).append('\n');
        b.append("tensorrt=").append(tensorRtVersion).append('\n');
        b.append("gpu=").append(gpuName).append('\n');
        b.append("compute-capability=").append(computeCapability).append('\n');
        b.append("precision=").append(precision.id()).append('\n');
        b.append("profile=").append(profile.describe()).append('\n');
        if (calibrationSha256 != null) {
            b.append("calibration-sha256=").append(calibrationSha256).append('\n');
        }
        for (Map.Entry<String, String> e : builderOptions.entrySet()) {
            b.append("builder.").append(e.getKey()).append('=').append(e.getValue()).append('\n');
        }
        return b.toString();
    }

    /** Lower-case hex SHA-256 of {@link #canonicalText()}: the cache entry's name and its header key. */
    public String hexDigest() {
        return Sha256.hex(canonicalText().getBytes(StandardCharsets.UTF_8));
    }

    /** The key of the timing cache, which depends only on the TensorRT version and the GPU. */
    public String timingCacheDigest() {
        return Sha256.hex(("segbench-tensorrt-timing/1\ntensorrt=" + tensorRtVersion + "\ngpu=" + gpuName
                + "\ncompute-capability=" + computeCapability + "\n").getBytes(StandardCharsets.UTF_8));
    }

}
