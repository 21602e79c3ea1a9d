package dev.segbench.api;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class SessionOptionsTest {

    @Test
    void labelsOutIsATypedFieldThatDefaultsToLogits() {
        assertFalse(SessionOptions.of(Precision.FP16).labelsOut());
        SessionOptions o = new SessionOptions(Precision.FP32, 2, SessionOptions.ShapeProfile.DEFAULT, Path.of("/c"),
                Map.of("cuda.graphs", "false"));
        assertFalse(o.labelsOut());
        SessionOptions labels = o.withLabelsOut(true);
        assertTrue(labels.labelsOut());
        assertEquals(o.properties(), labels.properties());
        assertEquals(o.cacheDir(), labels.cacheDir());
    }

    @Test
    void theRunMapsTheCommandLinePropertyOntoTheField() {
        SessionOptions o = SessionOptions.forRun(Precision.FP32, 0, SessionOptions.ShapeProfile.DEFAULT, null,
                Map.of("labels-out", "True", "tensorrt.opt-level", "3"));
        assertTrue(o.labelsOut());
        assertEquals(Map.of("tensorrt.opt-level", "3"), o.properties(), "backends never see labels-out as a property");
        assertFalse(SessionOptions.forRun(Precision.FP32, 0, SessionOptions.ShapeProfile.DEFAULT, null, Map.of()).labelsOut());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SessionOptions.forRun(Precision.FP32,
                0, SessionOptions.ShapeProfile.DEFAULT, null, Map.of("labels-out", "maybe")));
        assertEquals("labels-out must be true or false, got 'maybe'", e.getMessage());
    }

    @Test
    void labelsOutCannotSneakInAsAProperty() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SessionOptions(Precision.FP32,
                0, SessionOptions.ShapeProfile.DEFAULT, null, Map.of("labels-out", "true")));
        assertTrue(e.getMessage().startsWith("labels-out is a session option, not a backend property"), e.getMessage());
    }

    @Test
    void negativeThreadsAreRefusedWhereTheOptionsAreMadeAndZeroMeansEveryProcessor() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SessionOptions(Precision.FP32,
                -1, SessionOptions.ShapeProfile.DEFAULT, null, java.util.Map.of()));
        assertEquals("threads must be >= 0 (0 = all available processors), got -1", e.getMessage());
        assertEquals(Runtime.getRuntime().availableProcessors(), SessionOptions.of(Precision.FP32).threadsOrAllProcessors());
        assertEquals(3, SessionOptions.of(Precision.FP32).withThreads(3).threadsOrAllProcessors());
    }
}
