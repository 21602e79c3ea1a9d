package dev.segbench.backend.tensorrt;

import dev.segbench.api.Availability;
import dev.segbench.api.Backend;
import dev.segbench.api.BackendException;
import dev.segbench.api.Capability;
import dev.segbench.api.Precision;
import dev.segbench.api.SessionOptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The backend must be discoverable and must never crash a machine without a GPU or TensorRT. */
class TensorRtBackendTest {

    @Test
    void isRegisteredAsAService() {
        Backend found = ServiceLoader.load(Backend.class).stream().map(ServiceLoader.Provider::get)
                .filter(b -> b.id().equals("tensorrt")).findFirst().orElseThrow();
        assertInstanceOf(TensorRtBackend.class, found);
        assertEquals(EnumSet.of(Precision.FP32, Precision.FP16, Precision.INT8), found.precisions());
        assertFalse(found.description().isBlank());
    }

    @Test
    void withoutTensorRtAvailabilityIsACachedOneLineReasonAndOpenRefuses() {
        TensorRtBackend backend = new TensorRtBackend();
        Availability a = backend.availability();
        assumeFalse(a.available(), "TensorRT is usable here: see tensorRtHereReportsItsVersionAndFacts");
        assertSame(a, backend.availability(), "probed once");
        assertTrue(a.reason().matches("(?s).*(libcuda\\.so\\.1|libcudart\\.so\\.13|CUDA device|driver|libnvinfer"
                + "|libnvonnxparser|TensorRT|bindings|CUDA initialisation).*"), a.reason());
        assertFalse(a.reason().contains("\n"), "one line: " + a.reason());
        assertTrue(a.facts().isEmpty());
        BackendException e = assertThrows(BackendException.class,
                () -> backend.open(new GraphChoiceTest.RecordingSource(), SessionOptions.of(Precision.FP16)));
        assertEquals(BackendException.Code.UNAVAILABLE, e.code());
        assertEquals(a.reason(), e.getMessage());
    }

    @Test
    @Tag("gpu")
    void tensorRtHereReportsItsVersionAndFacts() {
        TensorRtBackend backend = new TensorRtBackend();
        Availability a = backend.availability();
        assumeTrue(a.available(), () -> "no CUDA device / TensorRT: " + a.reason());
        assertSame(a, backend.availability(), "probed once");
        assertTrue(a.version().startsWith("TensorRT 10."), a.version());
        assertFalse(a.devices().isEmpty());
        assertTrue(a.capabilities().contains(Capability.CONCURRENT_RUNS));
        assertTrue(a.facts().keySet().containsAll(java.util.List.of("cuda.runtime", "cuda.driver-api", "gpu", "tensorrt")),
                a.facts().toString());
    }
}
