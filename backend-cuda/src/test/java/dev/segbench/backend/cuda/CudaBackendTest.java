package dev.segbench.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.segbench.api.Availability;
import dev.segbench.api.Backend;
import dev.segbench.api.BackendException;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelInfo;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.SessionOptions;
import dev.segbench.api.WeightsInfo;
import dev.segbench.backend.cuda.gpu.GpuSettings;
import dev.segbench.cuda.CudaDevice;
import dev.segbench.cuda.CudaProbe;
import dev.segbench.cuda.NativeLibraryLocator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CudaBackendTest {

    private static final CudaProbe GPU = new CudaProbe(true, null, 13000, 13000,
            List.of(new CudaDevice(0, "NVIDIA H100 80GB HBM3", 9, 0, 80L << 30, 132)));

    @Test
    void isFoundByServiceLoaderWithATrivialConstructor() {
        Backend cuda = ServiceLoader.load(Backend.class).stream().map(ServiceLoader.Provider::get)
                .filter(b -> b.id().equals("cuda")).findFirst().orElseThrow();
        assertEquals(CudaBackend.class, cuda.getClass());
        assertEquals(java.util.Set.of(Precision.FP32, Precision.FP16), cuda.precisions());
    }

    @Test
    void withoutADriverItIsUnavailableAndSaysWhy() {
        assumeFalse(NativeLibraryLocator.system().present("libcuda.so.1"),
                "an NVIDIA driver is installed here: the no-driver availability path is not exercised");
        CudaBackend backend = new CudaBackend();
        Availability a = backend.availability();
        assertFalse(a.available());
        assertTrue(a.reason().contains("libcuda.so.1"), a.reason());
        BackendException e = assertThrows(BackendException.class, () -> backend.open(failingSource(), SessionOptions.of(Precision.FP32)));
        assertEquals(BackendException.Code.UNAVAILABLE, e.code());
        assertTrue(e.getMessage().contains(a.reason()), e.getMessage());
    }

    @Test
    void namesTheFirstMissingGpuLibrary(@TempDir Path dir) throws Exception {
        NativeLibraryLocator locator = new NativeLibraryLocator(List.of(dir), null, List.of());
        String reason = CudaProbeCheck.availability(GPU, locator, () -> "unused").reason();
        assertTrue(reason.contains("libcudnn.so.9"), reason);
        Files.createFile(dir.resolve("libcudnn.so.9"));
        Files.createFile(dir.resolve("libcudnn_ops.so.9"));
        reason = CudaProbeCheck.availability(GPU, locator, () -> "unused").reason();
        assertTrue(reason.contains("libcudnn_cnn.so.9"), reason);
        Files.createFile(dir.resolve("libcudnn_cnn.so.9"));
        reason = CudaProbeCheck.availability(GPU, locator, () -> "unused").reason();
        assertTrue(reason.contains("libcudnn_graph.so.9"), reason);
        for (String sub : CudaProbeCheck.CUDNN_SUBLIBRARIES) {
            if (!Files.exists(dir.resolve(sub))) {
                Files.createFile(dir.resolve(sub));
            }
        }
        reason = CudaProbeCheck.availability(GPU, locator, () -> "unused").reason();
        assertTrue(reason.startsWith("cuBLAS not found (libcublasLt.so.13"), reason);
        Files.createFile(dir.resolve("libcublasLt.so.13"));
        Files.createFile(dir.resolve("libcublas.so.13"));
        reason = CudaProbeCheck.availability(GPU, locator, () -> "unused").reason();
        assertTrue(reason.contains("libnvrtc.so.13"), reason);
        Files.createFile(dir.resolve("libnvrtc.so.13"));
        reason = CudaProbeCheck.availability(GPU, locator, () -> {
            throw new UnsatisfiedLinkError("no jnicudnn in java.library.path");
        }).reason();
        assertTrue(reason.contains("no jnicudnn"), reason);
        Availability ok = CudaProbeCheck.availability(GPU, locator, () -> "cuDNN 9.14.0, NVRTC 13.0");
        assertTrue(ok.available());
        assertTrue(ok.version().contains("cuDNN 9.14.0") && ok.version().contains("CUDA runtime 13.0"), ok.version());
        assertTrue(ok.devices().get(0).contains("H100"));
        assertEquals(CudaProbeCheck.CAPABILITIES, ok.capabilities());
        Availability noDevice = CudaProbeCheck.availability(CudaProbe.unavailable("no CUDA device [cudaGetDeviceCount]"),
                locator, () -> "unused");
        assertEquals("no CUDA device [cudaGetDeviceCount]", noDevice.reason());
    }

    @Test
    void settingsAreParsedWithOneLineErrors() {
        GpuSettings d = GpuSettings.from(SessionOptions.of(Precision.FP16));
        assertTrue(d.graphs() && d.findAlgorithms() && d.fuse() && !d.tf32() && !d.labelsOut());
        assertEquals(256L << 20, d.workspaceBytes());
        GpuSettings s = GpuSettings.from(options(Map.of("labels-out", "true", "cuda.algo", "heuristic", "cuda.graphs", "false")));
        assertTrue(s.labelsOut() && !s.findAlgorithms() && !s.graphs());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GpuSettings.from(options(Map.of("cuda.workspace-mb", "lots"))));
        assertEquals("cuda.workspace-mb must be a positive integer, got 'lots'", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GpuSettings.from(options(Map.of("cuda.algo", "fastest"))));
    }

    private static SessionOptions options(Map<String, String> props) {
        return new SessionOptions(Precision.FP32, 0, SessionOptions.ShapeProfile.DEFAULT, null, props);
    }

    private static ModelSource failingSource() {
        return new ModelSource() {
            @Override
            public ModelInfo info() {
                throw new AssertionError("not needed");
            }

            @Override
            public WeightsInfo weights() {
                return WeightsInfo.seeded(1);
            }

            @Override
            public ModelArtifact artifact(Precision precision, boolean labelsOut) {
                throw new AssertionError("an unavailable backend must not build graphs");
            }
        };
    }
}
