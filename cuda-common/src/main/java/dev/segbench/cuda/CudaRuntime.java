package dev.segbench.cuda;

import dev.segbench.api.BackendException;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Entry point of the CUDA layer: a safe, cached probe, device selection and error checking.
 *
 * <p>{@link #probe()} checks, in this order, each step naming what is missing when it fails:
 * <ol>
 *   <li>the driver library {@value #DRIVER_LIBRARY} on disk ("no NVIDIA driver (libcuda.so.1 not found ...)"),</li>
 *   <li>the runtime library {@value #RUNTIME_LIBRARY} on disk ("CUDA runtime libcudart.so.13 not found ..."),</li>
 *   <li>loading the JavaCPP bindings (catches UnsatisfiedLinkError, NoClassDefFoundError,
 *       ExceptionInInitializerError),</li>
 *   <li>cudaDriverGetVersion / cudaRuntimeGetVersion / cudaGetDeviceCount ("no CUDA device (cudaGetDeviceCount
 *       returned 0)", "NVIDIA driver too old ..."),</li>
 *   <li>cudaGetDeviceProperties for every device.</li>
 * </ol>
 * Nothing native is touched before steps 1 and 2 pass, so a machine without a GPU never crashes.
 */
public final class CudaRuntime {

    public static final String DRIVER_LIBRARY = "libcuda.so.1";
    public static final String RUNTIME_LIBRARY = "libcudart.so.13";
    /** cudaErrorInsufficientDriver. */
    public static final int ERROR_INSUFFICIENT_DRIVER = 35;
    /** cudaErrorNoDevice. */
    public static final int ERROR_NO_DEVICE = 100;

    private static final System.Logger LOG = System.getLogger(CudaRuntime.class.getName());

    private CudaRuntime() {
    }

    private static final class Cached {
        static final CudaProbe PROBE = probe(NativeLibraryLocator.system());
    }

    /** The probe for this process, computed once on first call. Never throws. */
    public static CudaProbe probe() {
        return Cached.PROBE;
    }

    /** The probe, or {@code BackendException(UNAVAILABLE, reason)}. */
    public static CudaProbe require() throws BackendException {
        CudaProbe probe = probe();
        if (!probe.available()) {
            throw new BackendException(BackendException.Code.UNAVAILABLE, probe.reason());
        }
        return probe;
    }

    /**
     * An uncached probe with a given locator (tests, or callers with their own library path). Never throws.
     */
    public static CudaProbe probe(NativeLibraryLocator locator) {
        Optional<Path> driver = locator.find(DRIVER_LIBRARY);
        if (driver.isEmpty()) {
            return CudaProbe.unavailable(missingDriver(locator));
        }
        Optional<Path> runtime = locator.find(RUNTIME_LIBRARY);
        if (runtime.isEmpty()) {
            return CudaProbe.unavailable(missingRuntime(locator));
        }
        LOG.log(Level.DEBUG, "CUDA libraries found: {0}, {1}", driver.get(), runtime.get());
        try {
            return NativeCuda.probeDevices();
        } catch (LinkageError | RuntimeException e) { // UnsatisfiedLinkError, NoClassDefFoundError, ExceptionInInitializerError
            LOG.log(Level.DEBUG, "loading the CUDA bindings failed", e);
            return CudaProbe.unavailable(bindingFailure(runtime.get(), e));
        }
    }

    static String missingDriver(NativeLibraryLocator locator) {
        return "no NVIDIA driver (" + DRIVER_LIBRARY + " not found; searched " + locator.searchedDescription() + ")";
    }

    static String missingRuntime(NativeLibraryLocator locator) {
        return "CUDA runtime " + RUNTIME_LIBRARY + " not found (searched " + locator.searchedDescription()
                + "); install the CUDA 13 runtime or add its lib directory to LD_LIBRARY_PATH";
    }

    static String bindingFailure(Path runtime, Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String detail = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return "cannot load the CUDA runtime bindings (JavaCPP cudart) although " + runtime + " exists: "
                + detail.lines().findFirst().orElse(detail)
                + "; add the CUDA lib directory to LD_LIBRARY_PATH";
    }

    /**
     * Throws {@link CudaException} naming {@code call} and the CUDA error when {@code status} is not cudaSuccess, after
     * resetting the thread's last error (see {@link CudaErrors}), so a caught failure does not resurface in a later,
     * unrelated library call. Use only after a successful probe: {@code check(cudaMalloc(p, n), "cudaMalloc(" + n + " bytes)")}.
     */
    public static void check(int status, String call) {
        if (status != 0) {
            throw NativeCuda.exception(status, call);
        }
    }

    /** The calling thread's last CUDA error without resetting it (cudaPeekAtLastError); 0 when none. */
    public static int peekAtLastError() {
        return NativeCuda.peekAtLastError();
    }

    /** Environment facts for {@code Availability.facts()}: this probe's versions and devices plus the driver's own version. */
    public static java.util.Map<String, String> facts(CudaProbe probe) {
        return probe.facts(NvidiaDriver.installedVersion());
    }

    /**
     * Makes {@code ordinal} the current device of the calling thread (cudaSetDevice; cheap when already current).
     * The CUDA current device is per host thread, so call this on every thread that issues work.
     */
    public static void useDevice(int ordinal) {
        NativeCuda.setDevice(ordinal);
    }

    /** Describes one device (cudaGetDeviceProperties). */
    public static CudaDevice device(int ordinal) {
        return NativeCuda.describe(ordinal);
    }

    /** Free and total memory of the current device (cudaMemGetInfo). */
    public static MemoryInfo memoryInfo() {
        return NativeCuda.memoryInfo();
    }

    /** Waits for all work on the current device (cudaDeviceSynchronize). */
    public static void synchronizeDevice() {
        NativeCuda.synchronizeDevice();
    }

    /** Bytes free and in total on the current device. */
    public record MemoryInfo(long freeBytes, long totalBytes) {
    }

    /**
     * Picks the device ordinal from a backend property value ("0", "1", ...; null or blank = 0) and checks it
     * against the probe. Pure; a bad value gives an IllegalArgumentException with a one-line message.
     */
    public static int selectDevice(String propertyValue, CudaProbe probe) {
        int ordinal;
        try {
            ordinal = propertyValue == null || propertyValue.isBlank() ? 0 : Integer.parseInt(propertyValue.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("cuda.device must be a device number, got '" + propertyValue + "'");
        }
        if (ordinal < 0 || ordinal >= probe.devices().size()) {
            throw new IllegalArgumentException("cuda.device " + ordinal + " does not exist (" + probe.devices().size()
                    + " visible device(s))");
        }
        return ordinal;
    }
}
