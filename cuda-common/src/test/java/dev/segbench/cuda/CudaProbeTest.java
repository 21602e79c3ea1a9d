package dev.segbench.cuda;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class CudaProbeTest {

    private static final CudaDevice H100 = new CudaDevice(0, "NVIDIA H100 80GB HBM3", 9, 0, 85_029_158_912L, 132);

    @Test
    void zeroDevicesIsUnavailableWithTheCount() {
        CudaProbe p = CudaProbe.interpret(13000, 13010, 0, "cudaSuccess", "no error", 0, List.of());
        assertFalse(p.available());
        assertEquals("no CUDA device (cudaGetDeviceCount returned 0)", p.reason());
    }

    @Test
    void noDeviceErrorNamesTheCallAndError() {
        CudaProbe p = CudaProbe.interpret(13000, 13010, CudaRuntime.ERROR_NO_DEVICE, "cudaErrorNoDevice",
                "no CUDA-capable device is detected", 0, List.of());
        assertFalse(p.available());
        assertTrue(p.reason().startsWith("no CUDA device"), p.reason());
        assertTrue(p.reason().contains("cudaGetDeviceCount: cudaErrorNoDevice (no CUDA-capable device is detected)"));
    }

    @Test
    void oldDriverIsNamedWithBothVersions() {
        CudaProbe p = CudaProbe.interpret(12040, 13010, CudaRuntime.ERROR_INSUFFICIENT_DRIVER,
                "cudaErrorInsufficientDriver", "CUDA driver version is insufficient for CUDA runtime version", 0, List.of());
        assertFalse(p.available());
        assertTrue(p.reason().startsWith("NVIDIA driver too old: it supports CUDA 12.4 but the runtime is CUDA 13.1"),
                p.reason());
        assertEquals("CUDA runtime 13.1, driver 12.4", p.versions());
    }

    @Test
    void newerMinorRuntimeOnAnOlderMinorDriverIsFine() {
        CudaProbe p = CudaProbe.interpret(13000, 13010, 0, "cudaSuccess", "no error", 1, List.of(H100));
        assertTrue(p.available(), p.reason());
        CudaProbe old = CudaProbe.interpret(12080, 13010, 0, "cudaSuccess", "no error", 1, List.of(H100));
        assertFalse(old.available());
        assertTrue(old.reason().startsWith("NVIDIA driver too old"), old.reason());
    }

    @Test
    void libraryWithoutAnAnsweringDriverIsNamed() {
        CudaProbe p = CudaProbe.interpret(0, 13010, CudaRuntime.ERROR_INSUFFICIENT_DRIVER, "cudaErrorInsufficientDriver",
                "CUDA driver version is insufficient for CUDA runtime version", 0, List.of());
        assertFalse(p.available());
        assertTrue(p.reason().startsWith("no usable NVIDIA driver"), p.reason());
        assertTrue(p.reason().contains("cudaErrorInsufficientDriver"), p.reason());
    }

    @Test
    void otherErrorsAreReportedVerbatim() {
        CudaProbe p = CudaProbe.interpret(13000, 13010, 3, "cudaErrorInitializationError", "initialization error",
                0, List.of());
        assertFalse(p.available());
        assertTrue(p.reason().contains("cudaErrorInitializationError (initialization error)"), p.reason());
    }

    @Test
    void devicesMakeItAvailable() {
        CudaProbe p = CudaProbe.interpret(13000, 13010, 0, "cudaSuccess", "no error", 1, List.of(H100));
        assertTrue(p.available());
        assertNull(p.reason());
        assertEquals(List.of("NVIDIA H100 80GB HBM3 (sm_90, 79.2 GiB, 132 SMs)"), p.deviceDescriptions());
    }

    @Test
    void factsNameTheDriverTheCudaVersionsAndTheDevices() {
        CudaProbe p = CudaProbe.interpret(13000, 13010, 0, "cudaSuccess", "no error", 1, List.of(H100));
        assertEquals(java.util.Map.of("nvidia.driver", "580.65.06", "cuda.driver-api", "13.0", "cuda.runtime", "13.1",
                "gpu", "NVIDIA H100 80GB HBM3 (sm_90, 79.2 GiB, 132 SMs)"), p.facts(java.util.Optional.of("580.65.06")));
        assertFalse(p.facts(java.util.Optional.empty()).containsKey("nvidia.driver"));
        assertTrue(CudaProbe.unavailable("no driver").facts(java.util.Optional.of("580.65.06")).isEmpty(),
                "an unavailable probe reports nothing it did not read");
    }

    @Test
    void unavailableNeedsAReason() {
        assertThrows(NullPointerException.class, () -> new CudaProbe(false, null, 0, 0, List.of()));
    }

    @Test
    void deviceNamesItsComputeCapability() {
        CudaDevice ada = new CudaDevice(1, "NVIDIA L4", 8, 9, 24L << 30, 58);
        assertEquals("8.9", ada.computeCapability());
        assertEquals("sm_89", ada.smTag());
    }

    @Test
    void versionsDecode() {
        assertEquals("13.1", CudaVersion.format(13010));
        assertEquals("12.4", CudaVersion.format(12040));
        assertEquals("none", CudaVersion.format(0));
        assertEquals(13, CudaVersion.major(13010));
        assertEquals(1, CudaVersion.minor(13010));
    }
}
