package dev.segbench.backend.tensorrt;

import dev.segbench.api.Availability;
import dev.segbench.api.Capability;
import dev.segbench.cuda.CudaDevice;
import dev.segbench.cuda.CudaProbe;
import dev.segbench.cuda.NativeLibraryLocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

class TensorRtProbeTest {

    @TempDir
    Path dir;

    private static final CudaProbe GPU = new CudaProbe(true, null, 13000, 13010,
            List.of(new CudaDevice(0, "NVIDIA H100 80GB HBM3", 9, 0, 80L << 30, 132)));

    private NativeLibraryLocator locator() {
        return new NativeLibraryLocator(List.of(dir), null, List.of());
    }

    private void lib(String name) throws Exception {
        Files.write(dir.resolve(name), new byte[] {0});
    }

    private static TensorRtProbe.VersionReader version(int v) {
        return () -> v;
    }

    @Test
    void noGpuPassesTheCudaReasonThroughAndLoadsNothing() {
        AtomicInteger loads = new AtomicInteger();
        Availability a = TensorRtProbe.probe(CudaProbe.unavailable("no NVIDIA driver (libcuda.so.1 not found; ...)"),
                locator(), () -> loads.incrementAndGet());
        assertFalse(a.available());
        assertEquals("no NVIDIA driver (libcuda.so.1 not found; ...)", a.reason());
        assertEquals(0, loads.get(), "nothing native may be touched without CUDA");
    }

    @Test
    void missingInferLibraryIsNamed() {
        AtomicInteger loads = new AtomicInteger();
        Availability a = TensorRtProbe.probe(GPU, locator(), () -> loads.incrementAndGet());
        assertFalse(a.available());
        assertTrue(a.reason().startsWith("TensorRT library libnvinfer.so.10 not found"), a.reason());
        assertEquals(0, loads.get());
    }

    @Test
    void missingParserLibraryIsNamed() throws Exception {
        lib("libnvinfer.so.10");
        Availability a = TensorRtProbe.probe(GPU, locator(), version(101501));
        assertFalse(a.available());
        assertTrue(a.reason().startsWith("TensorRT library libnvonnxparser.so.10 not found"), a.reason());
    }

    @Test
    void missingPluginLibraryIsNamed() throws Exception {
        lib("libnvinfer.so.10");
        lib("libnvonnxparser.so.10");
        Availability a = TensorRtProbe.probe(GPU, locator(), version(101501));
        assertFalse(a.available());
        assertTrue(a.reason().startsWith("TensorRT library libnvinfer_plugin.so.10 not found"), a.reason());
    }

    @Test
    void olderTensorRtOnDiskIsCalledTooOld() throws Exception {
        lib("libnvinfer.so.8");
        Availability a = TensorRtProbe.probe(GPU, locator(), version(8601));
        assertFalse(a.available());
        assertTrue(a.reason().startsWith("TensorRT too old: found libnvinfer.so.8"), a.reason());
    }

    private void allLibraries() throws Exception {
        lib("libnvinfer.so.10");
        lib("libnvonnxparser.so.10");
        lib("libnvinfer_plugin.so.10");
    }

    @Test
    void tooOldLoadedVersionIsRefused() throws Exception {
        allLibraries();
        Availability a = TensorRtProbe.probe(GPU, locator(), version(8601));
        assertFalse(a.available());
        assertEquals("TensorRT 8.6.1 is too old: need TensorRT 10.15 or a newer 10.x (getInferLibVersion() = 8601)",
                a.reason());
    }

    /** Finding 4 of issue 13: the bindings call the vtable slots of the 10.15 headers, which an older 10.x may lack. */
    @Test
    void anOlderMinorThanTheBindingsIsRefusedWithTheExactReason() throws Exception {
        allLibraries();
        assertEquals(new TensorRtVersion(10, 15, 1), TensorRtVersion.BINDINGS, "the bindings' own version (javacpp presets)");
        Availability a = TensorRtProbe.probe(GPU, locator(), version(100800));
        assertFalse(a.available());
        assertEquals("TensorRT 10.8.0 is older than the 10.15 headers the JavaCPP bindings were built from (their inline"
                + " wrappers call virtual-table slots 10.8 may not have); install TensorRT 10.15 or a newer 10.x"
                + " (getInferLibVersion() = 100800)", a.reason());
        assertFalse(TensorRtProbe.probe(GPU, locator(), version(101499)).available(), "10.14.99 is still older");
    }

    @Test
    void theBindingsReleaseAndNewerMinorsAreAccepted() throws Exception {
        allLibraries();
        assertTrue(TensorRtProbe.probe(GPU, locator(), version(101500)).available());
        assertTrue(TensorRtProbe.probe(GPU, locator(), version(101700)).available());
    }

    @Test
    void anotherMajorIsRefused() throws Exception {
        allLibraries();
        Availability a = TensorRtProbe.probe(GPU, locator(), version(110002));
        assertFalse(a.available());
        assertTrue(a.reason().startsWith("TensorRT 11.0.2 is not supported: the JavaCPP bindings were built for TensorRT 10"),
                a.reason());
    }

    @Test
    void bindingsThatFailToLoadBecomeAReason() throws Exception {
        allLibraries();
        Availability a = TensorRtProbe.probe(GPU, locator(), () -> {
            throw new ExceptionInInitializerError(new UnsatisfiedLinkError("libnvinfer.so.10: undefined symbol: foo\nmore"));
        });
        assertFalse(a.available());
        assertTrue(a.reason().startsWith("cannot load the TensorRT bindings (JavaCPP nvinfer): libnvinfer.so.10: undefined symbol: foo"),
                a.reason());
        assertFalse(a.reason().contains("\n"));
        Availability b = TensorRtProbe.probe(GPU, locator(), () -> {
            throw new NoClassDefFoundError("Could not initialize class org.bytedeco.tensorrt.global.nvinfer");
        });
        assertTrue(b.reason().contains("Could not initialize class"), b.reason());
    }

    @Test
    void availableReportsVersionDevicesCapabilitiesAndFacts() throws Exception {
        allLibraries();
        Availability a = TensorRtProbe.probe(GPU, locator(), version(101501), TensorRtVersion.BINDINGS,
                java.util.Optional.of("580.65.06"));
        assertTrue(a.available(), a.reason());
        assertEquals("TensorRT 10.15.1 (CUDA runtime 13.1, driver 13.0)", a.version());
        assertEquals(List.of("NVIDIA H100 80GB HBM3 (sm_90, 80.0 GiB, 132 SMs)"), a.devices());
        assertEquals(java.util.Set.of(Capability.FP16_COMPUTE, Capability.DYNAMIC_SHAPES, Capability.DEVICE_TIMINGS,
                Capability.LABELS_OUT, Capability.GPU, Capability.CONCURRENT_RUNS), a.capabilities());
        assertEquals(java.util.Map.of("nvidia.driver", "580.65.06", "cuda.driver-api", "13.0", "cuda.runtime", "13.1",
                "gpu", "NVIDIA H100 80GB HBM3 (sm_90, 80.0 GiB, 132 SMs)", "tensorrt", "10.15.1"), a.facts());
    }

    @Test
    void versionsDecode() {
        assertEquals(new TensorRtVersion(10, 15, 1), TensorRtVersion.decode(101501));
        assertEquals(new TensorRtVersion(10, 0, 1), TensorRtVersion.decode(100001));
        assertEquals(new TensorRtVersion(8, 6, 1), TensorRtVersion.decode(8601));
        assertEquals("10.15.1", TensorRtVersion.decode(101501).toString());
        assertTrue(TensorRtVersion.decode(100001).supported());
        assertTrue(TensorRtVersion.decode(100001).incompatibilityWith(TensorRtVersion.BINDINGS).isPresent());
        assertFalse(TensorRtVersion.decode(9300).supported());
        assertTrue(TensorRtVersion.decode(101501).compareTo(TensorRtVersion.decode(100700)) > 0);
    }
}
