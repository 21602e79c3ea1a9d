package dev.segbench.backend.tensorrt;

import dev.segbench.api.Availability;
import dev.segbench.api.Backend;
import dev.segbench.api.BackendException;
import dev.segbench.api.Precision;
import dev.segbench.api.SessionOptions;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.*;

/** Runs everywhere: the backend must be discoverable and must never crash a machine without a GPU. */
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
    void availabilityIsAValueWithAReasonAndIsCached() {
        TensorRtBackend backend = new TensorRtBackend();
        Availability a = backend.availability();
        assertSame(a, backend.availability());
        if (a.available()) {
            assertTrue(a.version().startsWith("TensorRT "), a.version());
            assertFalse(a.devices().isEmpty());
        } else {
            assertTrue(a.reason().matches("(?s).*(libcuda\\.so\\.1|libcudart\\.so\\.13|CUDA device|driver|libnvinfer"
                    + "|libnvonnxparser|TensorRT|bindings|CUDA initialisation).*"), a.reason());
            assertFalse(a.reason().contains("\n"), "one line: " + a.reason());
        }
    }

    @Test
    void openWhenUnavailableSaysWhy() {
        TensorRtBackend backend = new TensorRtBackend();
        Availability a = backend.availability();
        org.junit.jupiter.api.Assumptions.assumeFalse(a.available(), "TensorRT is available here; covered by TensorRtGpuTest");
        BackendException e = assertThrows(BackendException.class,
                () -> backend.open(new GraphChoiceTest.RecordingSource(), SessionOptions.of(Precision.FP16)));
        assertEquals(BackendException.Code.UNAVAILABLE, e.code());
        assertEquals(a.reason(), e.getMessage());
    }
}
