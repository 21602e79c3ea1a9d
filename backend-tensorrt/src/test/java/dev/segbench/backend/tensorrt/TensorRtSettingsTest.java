package dev.segbench.backend.tensorrt;

import dev.segbench.api.Precision;
import dev.segbench.api.SessionOptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class TensorRtSettingsTest {

    private static SessionOptions options(Precision p, Path cache, Map<String, String> props) {
        return new SessionOptions(p, 0, SessionOptions.ShapeProfile.DEFAULT, cache, props);
    }

    @Test
    void defaults() {
        TensorRtSettings s = TensorRtSettings.from(options(Precision.FP16, Path.of("/c"), Map.of()));
        assertEquals(Precision.FP16, s.precision());
        assertFalse(s.labelsOut());
        assertEquals(3, s.optLevel());
        assertFalse(s.cudaGraphs());
        assertEquals(4, s.maxContexts());
        assertTrue(s.timingCache());
        assertTrue(s.workspaceBytes().isEmpty());
        assertEquals(Path.of("/c/tensorrt"), s.engineCacheDir());
        assertFalse(s.tf32Enabled(), "TF32 is only for the FP32 engine");
        assertTrue(TensorRtSettings.from(options(Precision.FP32, null, Map.of())).tf32Enabled());
    }

    @Test
    void noCacheDirOrCacheOffMeansNoCache() {
        assertNull(TensorRtSettings.from(options(Precision.FP16, null, Map.of())).engineCacheDir());
        assertNull(TensorRtSettings.from(options(Precision.FP16, Path.of("/c"), Map.of("tensorrt.cache", "false")))
                .engineCacheDir());
    }

    @Test
    void parsesProperties() {
        TensorRtSettings s = TensorRtSettings.from(options(Precision.FP32, null, Map.of(
                "tensorrt.opt-level", "5", "tensorrt.tf32", "false", "tensorrt.workspace-mib", "512",
                "tensorrt.cuda-graph", "TRUE", "tensorrt.contexts", "2", "cuda.device", "1", "cpu.threads", "8"))
                .withLabelsOut(true));
        assertTrue(s.labelsOut());
        assertEquals(5, s.optLevel());
        assertFalse(s.tf32Enabled());
        assertEquals(512L << 20, s.workspaceBytes().getAsLong());
        assertTrue(s.cudaGraphs());
        assertEquals(2, s.maxContexts());
        assertEquals("1", s.deviceProperty());
    }

    @Test
    void badValuesGiveOneLineMessagesNamingTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                TensorRtSettings.from(options(Precision.FP16, null, Map.of("tensorrt.opt-level", "9"))));
        assertEquals("tensorrt.opt-level must be an integer in 0..5, got '9'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () ->
                TensorRtSettings.from(options(Precision.FP16, null, Map.of("tensorrt.cuda-graph", "yes"))));
        assertEquals("tensorrt.cuda-graph must be true or false, got 'yes'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () ->
                TensorRtSettings.from(options(Precision.FP16, null, Map.of("tensorrt.optlevel", "3"))));
        assertEquals("unknown property tensorrt.optlevel (known tensorrt.* properties: tensorrt.cache, tensorrt.contexts,"
                + " tensorrt.cuda-graph, tensorrt.opt-level, tensorrt.tf32, tensorrt.timing-cache, tensorrt.workspace-mib)",
                e.getMessage());
    }

    @Test
    void builderOptionsReflectOnlyWhatChangesTheEngine() {
        var base = TensorRtSettings.from(options(Precision.FP16, null, Map.of())).builderOptions();
        assertEquals(base, TensorRtSettings.from(options(Precision.FP16, null,
                Map.of("tensorrt.cuda-graph", "true", "tensorrt.contexts", "1"))).builderOptions());
        assertNotEquals(base, TensorRtSettings.from(options(Precision.FP16, null,
                Map.of("tensorrt.opt-level", "4"))).builderOptions());
        assertNotEquals(base, TensorRtSettings.from(options(Precision.FP16, null,
                Map.of("tensorrt.workspace-mib", "64"))).builderOptions());
        assertEquals("strongly-typed", base.get("network"));
    }
}
