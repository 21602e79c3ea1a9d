package dev.segbench.backend.tensorrt;

import dev.segbench.api.Precision;
import dev.segbench.api.SessionOptions.ShapeProfile;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;

class EngineCacheKeyTest {

    private static final String ONNX = "a".repeat(64);

    private static TreeMap<String, String> options(String optLevel) {
        TreeMap<String, String> m = new TreeMap<>();
        m.put("network", "strongly-typed");
        m.put("opt-level", optLevel);
        m.put("tf32", "false");
        m.put("workspace", "default");
        return m;
    }

    private static EngineCacheKey base() {
        return new EngineCacheKey(ONNX, "10.15.1", "NVIDIA H100 80GB HBM3", "9.0", Precision.FP16,
                ProfileShapes.from(ShapeProfile.DEFAULT), options("3"));
    }

    @Test
    void sameInputsSameDigest() {
        assertEquals(base().hexDigest(), base().hexDigest());
        assertTrue(base().hexDigest().matches("[0-9a-f]{64}"));
    }

    @Test
    void everyFieldChangesTheDigest() {
        EngineCacheKey b = base();
        List<EngineCacheKey> variants = List.of(
                new EngineCacheKey("b".repeat(64), b.tensorRtVersion(), b.gpuName(), b.computeCapability(), b.precision(), b.profile(), b.builderOptions()),
                new EngineCacheKey(ONNX, "10.15.2", b.gpuName(), b.computeCapability(), b.precision(), b.profile(), b.builderOptions()),
                new EngineCacheKey(ONNX, b.tensorRtVersion(), "NVIDIA L4", b.computeCapability(), b.precision(), b.profile(), b.builderOptions()),
                new EngineCacheKey(ONNX, b.tensorRtVersion(), b.gpuName(), "8.9", b.precision(), b.profile(), b.builderOptions()),
                new EngineCacheKey(ONNX, b.tensorRtVersion(), b.gpuName(), b.computeCapability(), Precision.FP32, b.profile(), b.builderOptions()),
                new EngineCacheKey(ONNX, b.tensorRtVersion(), b.gpuName(), b.computeCapability(), b.precision(),
                        ProfileShapes.from(new ShapeProfile(1, 1, 32, 64, 512, 1024, 64, 512, 1000)), b.builderOptions()),
                new EngineCacheKey(ONNX, b.tensorRtVersion(), b.gpuName(), b.computeCapability(), b.precision(), b.profile(), options("5")));
        Set<String> digests = new HashSet<>();
        digests.add(b.hexDigest());
        for (EngineCacheKey v : variants) {
            assertTrue(digests.add(v.hexDigest()), "digest did not change for " + v.canonicalText());
        }
    }

    @Test
    void anInt8EnginesCalibrationTableIsPartOfTheKeyAndOtherKeysAreUnchanged() {
        EngineCacheKey b = base();
        EngineCacheKey withTable = new EngineCacheKey(ONNX, b.tensorRtVersion(), b.gpuName(), b.computeCapability(),
                Precision.INT8, b.profile(), b.builderOptions(), "c".repeat(64));
        EngineCacheKey otherTable = new EngineCacheKey(ONNX, b.tensorRtVersion(), b.gpuName(), b.computeCapability(),
                Precision.INT8, b.profile(), b.builderOptions(), "d".repeat(64));
        assertTrue(withTable.canonicalText().contains("calibration-sha256=" + "c".repeat(64) + "\n"));
        assertFalse(withTable.hexDigest().equals(otherTable.hexDigest()), "another table, another engine");
        assertFalse(b.canonicalText().contains("calibration"), "FP16/FP32 keys (and existing cache entries) unchanged");
        assertEquals(b, new EngineCacheKey(ONNX, b.tensorRtVersion(), b.gpuName(), b.computeCapability(), b.precision(),
                b.profile(), b.builderOptions(), null));
    }

    @Test
    void digestIsStableAcrossReleases() {
        // Pinned on purpose: if the canonical form or the hash changes, every user's cache silently misses; bump SCHEMA
        // instead. The digest was computed independently (sha256sum of the text below).
        assertEquals("14abf2b4a6de000642deff6342cce0927f5f486603724e08543dacea335fad7d", base().hexDigest());
        assertEquals("""
                segbench-tensorrt-engine/1
                onnx-sha256=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
                tensorrt=10.15.1
                gpu=NVIDIA H100 80GB HBM3
                compute-capability=9.0
                precision=fp16
                profile=min 1x3x64x64, opt 1x3x512x512, max 32x3x1024x1024
                builder.network=strongly-typed
                builder.opt-level=3
                builder.tf32=false
                builder.workspace=default
                """, base().canonicalText());
    }

    @Test
    void onnxDigestCaseDoesNotMatter() {
        EngineCacheKey b = base();
        EngineCacheKey upper = new EngineCacheKey(ONNX.toUpperCase(), b.tensorRtVersion(), b.gpuName(),
                b.computeCapability(), b.precision(), b.profile(), b.builderOptions());
        assertEquals(b.hexDigest(), upper.hexDigest());
    }

    @Test
    void timingCacheKeyDependsOnlyOnTensorRtAndGpu() {
        EngineCacheKey b = base();
        EngineCacheKey otherModel = new EngineCacheKey("c".repeat(64), b.tensorRtVersion(), b.gpuName(),
                b.computeCapability(), Precision.FP32, b.profile(), options("1"));
        assertEquals(b.timingCacheDigest(), otherModel.timingCacheDigest());
        EngineCacheKey otherGpu = new EngineCacheKey(ONNX, b.tensorRtVersion(), "NVIDIA A100", "8.0", b.precision(),
                b.profile(), b.builderOptions());
        assertNotEquals(b.timingCacheDigest(), otherGpu.timingCacheDigest());
        assertNotEquals(b.hexDigest(), b.timingCacheDigest());
    }
}
