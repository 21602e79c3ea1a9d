package dev.segbench.cuda;

import dev.segbench.api.BackendException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class CudaRuntimeProbeTest {

    @TempDir
    Path tmp;

    private NativeLibraryLocator only(Path dir) {
        return new NativeLibraryLocator(List.of(dir), null, List.of());
    }

    @Test
    void missingDriverIsNamed() {
        CudaProbe probe = CudaRuntime.probe(only(tmp));
        assertFalse(probe.available());
        assertTrue(probe.reason().startsWith("no NVIDIA driver (libcuda.so.1 not found"), probe.reason());
        assertTrue(probe.devices().isEmpty());
    }

    @Test
    void missingRuntimeIsNamedWhenTheDriverIsThere() throws Exception {
        Files.write(tmp.resolve("libcuda.so.1"), new byte[] {0});
        CudaProbe probe = CudaRuntime.probe(only(tmp));
        assertFalse(probe.available());
        assertTrue(probe.reason().startsWith("CUDA runtime libcudart.so.13 not found"), probe.reason());
        assertTrue(probe.reason().contains("LD_LIBRARY_PATH"), probe.reason());
    }

    /** The JavaCPP loader searches the system paths itself, so a fake file only stands in where no driver is installed. */
    private static boolean driverInstalled() {
        return NativeLibraryLocator.system().present(CudaRuntime.DRIVER_LIBRARY);
    }

    @Test
    void bindingsThatCannotLoadBecomeAReasonNotACrash() throws Exception {
        assumeFalse(driverInstalled(), "an NVIDIA driver is installed here: the bindings load the real libraries,"
                + " so the failed-load path cannot be provoked with fake files");
        // Both files "exist" but are not libraries: the JavaCPP load fails and the probe must turn that into a value.
        Files.write(tmp.resolve("libcuda.so.1"), new byte[] {0});
        Files.write(tmp.resolve("libcudart.so.13"), new byte[] {0});
        CudaProbe probe = CudaRuntime.probe(only(tmp));
        assertFalse(probe.available());
        assertTrue(probe.reason().startsWith("cannot load the CUDA runtime bindings (JavaCPP cudart) although "
                + tmp.resolve("libcudart.so.13")), probe.reason());
        assertFalse(probe.reason().contains("\n"), "one line: " + probe.reason());
    }

    @Test
    void withoutAUsableDeviceTheCachedProbeSaysWhyAndRequireRefuses() {
        CudaProbe probe = CudaRuntime.probe();
        assumeFalse(probe.available(), "a CUDA device is usable here; see thisMachinesDevicesAreDescribed");
        assertSame(probe, CudaRuntime.probe(), "the process-wide probe is cached");
        assertTrue(probe.reason().matches("(?s).*(libcuda\\.so\\.1|libcudart\\.so\\.13|CUDA device|driver"
                + "|bindings|CUDA initialisation).*"), probe.reason());
        BackendException e = assertThrows(BackendException.class, CudaRuntime::require);
        assertEquals(BackendException.Code.UNAVAILABLE, e.code());
        assertEquals(probe.reason(), e.getMessage());
        assertTrue(CudaRuntime.facts(probe).isEmpty());
    }

    @Test
    @Tag("gpu")
    void thisMachinesDevicesAreDescribed() throws Exception {
        CudaProbe probe = CudaRuntime.probe();
        assumeTrue(probe.available(), () -> "no usable CUDA device: " + probe.reason());
        assertSame(probe, CudaRuntime.probe(), "the process-wide probe is cached");
        assertFalse(probe.devices().isEmpty());
        assertTrue(probe.runtimeVersion() >= 13000, probe.versions());
        assertSame(probe, CudaRuntime.require());
        var facts = CudaRuntime.facts(probe);
        assertTrue(facts.get("cuda.runtime").startsWith("13."), facts.toString());
        assertTrue(facts.get("gpu").contains(probe.devices().getFirst().name()), facts.toString());
        // With a driver, fake files on the locator's path do not matter: the loader finds the real libraries.
        Files.write(tmp.resolve("libcuda.so.1"), new byte[] {0});
        Files.write(tmp.resolve("libcudart.so.13"), new byte[] {0});
        assertTrue(CudaRuntime.probe(only(tmp)).available());
    }

    @Test
    void bindingFailureNamesTheRootCause() {
        Throwable e = new ExceptionInInitializerError(new UnsatisfiedLinkError("libcuda.so.1: cannot open shared object\nmore"));
        String reason = CudaRuntime.bindingFailure(Path.of("/opt/cuda/libcudart.so.13"), e);
        assertTrue(reason.contains("/opt/cuda/libcudart.so.13"), reason);
        assertTrue(reason.contains("libcuda.so.1: cannot open shared object"), reason);
        assertFalse(reason.contains("\n"), "one line: " + reason);
    }

    @Test
    void selectsTheDeviceFromTheProperty() {
        CudaDevice d0 = new CudaDevice(0, "GPU A", 9, 0, 80L << 30, 132);
        CudaDevice d1 = new CudaDevice(1, "GPU B", 8, 9, 24L << 30, 128);
        CudaProbe two = new CudaProbe(true, null, 13000, 13010, List.of(d0, d1));
        assertEquals(0, CudaRuntime.selectDevice(null, two));
        assertEquals(0, CudaRuntime.selectDevice(" ", two));
        assertEquals(1, CudaRuntime.selectDevice("1", two));
        IllegalArgumentException out = assertThrows(IllegalArgumentException.class, () -> CudaRuntime.selectDevice("2", two));
        assertTrue(out.getMessage().contains("2 visible device"), out.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CudaRuntime.selectDevice("gpu0", two));
    }
}
