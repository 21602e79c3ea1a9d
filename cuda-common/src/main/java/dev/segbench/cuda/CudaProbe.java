package dev.segbench.cuda;

import java.util.List;
import java.util.Objects;

/**
 * What {@link CudaRuntime#probe()} found: usable, or the precise missing piece.
 *
 * @param available      true when the driver and runtime loaded and at least one device answered
 * @param reason         when unavailable: what is missing and how to fix it (one line); null when available
 * @param driverVersion  cudaDriverGetVersion (13000 = 13.0), 0 when unknown
 * @param runtimeVersion cudaRuntimeGetVersion (13010 = 13.1), 0 when unknown
 * @param devices        the visible devices, empty when unavailable
 */
public record CudaProbe(boolean available, String reason, int driverVersion, int runtimeVersion,
                        List<CudaDevice> devices) {

    public CudaProbe {
        devices = List.copyOf(devices);
        if (!available) {
            Objects.requireNonNull(reason, "an unavailable probe must say why");
        }
    }

    public static CudaProbe unavailable(String reason) {
        return new CudaProbe(false, reason, 0, 0, List.of());
    }

    /** "CUDA runtime 13.1, driver 13.0". */
    public String versions() {
        return "CUDA runtime " + CudaVersion.format(runtimeVersion) + ", driver " + CudaVersion.format(driverVersion);
    }

    /**
     * Environment facts for {@code Availability.facts()}: "nvidia.driver" (when known), "cuda.driver-api" (the CUDA
     * version the driver supports), "cuda.runtime", and "gpu" (every device, "; "-separated). Empty when unavailable.
     */
    public java.util.Map<String, String> facts(java.util.Optional<String> nvidiaDriver) {
        java.util.Map<String, String> facts = new java.util.LinkedHashMap<>();
        if (!available) {
            return facts;
        }
        nvidiaDriver.ifPresent(v -> facts.put("nvidia.driver", v));
        facts.put("cuda.driver-api", CudaVersion.format(driverVersion));
        facts.put("cuda.runtime", CudaVersion.format(runtimeVersion));
        facts.put("gpu", String.join("; ", deviceDescriptions()));
        return facts;
    }

    /** {@link CudaDevice#description()} of each device. */
    public List<String> deviceDescriptions() {
        return devices.stream().map(CudaDevice::description).toList();
    }

    /**
     * Turns the answers of the three native queries into a verdict. Pure, so every branch is unit-tested here.
     *
     * @param countStatus    the cudaError_t cudaGetDeviceCount returned
     * @param statusName     cudaGetErrorName(countStatus)
     * @param statusText     cudaGetErrorString(countStatus)
     * @param count          the device count it reported
     * @param devices        the described devices (only consulted when count &gt; 0)
     */
    public static CudaProbe interpret(int driverVersion, int runtimeVersion, int countStatus, String statusName,
                                      String statusText, int count, List<CudaDevice> devices) {
        String call = "cudaGetDeviceCount: " + statusName + " (" + statusText + ")";
        if (countStatus != 0 && driverVersion <= 0) {
            // libcuda.so.1 exists (checked before) but no driver answered: a stub library or a kernel module not loaded
            return new CudaProbe(false, "no usable NVIDIA driver (cudaDriverGetVersion reported none; is the kernel"
                    + " module loaded and the GPU visible to this container?) [" + call + "]", driverVersion,
                    runtimeVersion, List.of());
        }
        if (countStatus == CudaRuntime.ERROR_INSUFFICIENT_DRIVER
                // minor-version compatibility: a 13.x runtime runs on any 13.y driver, so only the major counts
                || (driverVersion > 0 && CudaVersion.major(driverVersion) < CudaVersion.major(runtimeVersion))) {
            return new CudaProbe(false, "NVIDIA driver too old: it supports CUDA " + CudaVersion.format(driverVersion)
                    + " but the runtime is CUDA " + CudaVersion.format(runtimeVersion)
                    + "; update the driver" + (countStatus != 0 ? " [" + call + "]" : ""),
                    driverVersion, runtimeVersion, List.of());
        }
        if (countStatus == CudaRuntime.ERROR_NO_DEVICE) {
            return new CudaProbe(false, "no CUDA device [" + call + "]", driverVersion, runtimeVersion, List.of());
        }
        if (countStatus != 0) {
            return new CudaProbe(false, "CUDA initialisation failed [" + call + "]", driverVersion, runtimeVersion,
                    List.of());
        }
        if (count <= 0) {
            return new CudaProbe(false, "no CUDA device (cudaGetDeviceCount returned " + count + ")",
                    driverVersion, runtimeVersion, List.of());
        }
        return new CudaProbe(true, null, driverVersion, runtimeVersion, devices);
    }
}
