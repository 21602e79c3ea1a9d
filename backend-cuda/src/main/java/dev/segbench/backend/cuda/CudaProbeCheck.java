package dev.segbench.backend.cuda;

import dev.segbench.api.Availability;
import dev.segbench.api.Capability;
import dev.segbench.cuda.CudaProbe;
import dev.segbench.cuda.NativeLibraryLocator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Decides whether the cuda backend can run: cuda-common's probe (driver, runtime, device), then the cuDNN 9 libraries
 * (all sub-libraries: the bindings link them), then cuBLAS, then NVRTC, then the versions read through the bindings.
 * The first missing piece is the reason.
 */
public final class CudaProbeCheck {

    public static final String CUDNN_LIBRARY = "libcudnn.so.9";
    /**
     * cuDNN 9's sub-libraries: the legacy convolution API lives in ops/cnn, and the JavaCPP cudnn bindings link every
     * one of them (presets {@code link} list), so each must be present for the bindings to load.
     */
    public static final List<String> CUDNN_SUBLIBRARIES = List.of("libcudnn_ops.so.9", "libcudnn_cnn.so.9",
            "libcudnn_graph.so.9", "libcudnn_engines_precompiled.so.9", "libcudnn_engines_runtime_compiled.so.9",
            "libcudnn_heuristic.so.9", "libcudnn_adv.so.9");
    /**
     * cuBLAS is needed although the backend calls none of it (finding 5 of issue 13 asked whether it could go; it
     * cannot): libjnicudnn.so itself does not link cuBLAS, but the JavaCPP cudnn presets inherit the cublas presets,
     * and JavaCPP's Loader initialises every inherited global class before loading a library, so loading the cuDNN
     * bindings loads libjnicublas.so, which needs libcublas.so.13 and libcublasLt.so.13 (observed with stub libraries:
     * the load fails on libcublas.so.13 before cuDNN is reached). cuDNN 9 also dlopens libcublasLt.so at run time for
     * the legacy convolution API this backend uses (NVIDIA, "Building and Running a cuDNN Dependent Program").
     * {@code CudaBackendTest} pins the inheritance, so this check can go when a JavaCPP release drops it.
     */
    public static final List<String> CUBLAS_LIBRARIES = List.of("libcublasLt.so.13", "libcublas.so.13");
    public static final String NVRTC_LIBRARY = "libnvrtc.so.13";

    public static final Set<Capability> CAPABILITIES = Set.of(Capability.FP16_COMPUTE, Capability.DYNAMIC_SHAPES,
            Capability.DEVICE_TIMINGS, Capability.LABELS_OUT, Capability.GPU, Capability.INTERMEDIATE_OUTPUTS);

    private CudaProbeCheck() {
    }

    /** The versions read through the bindings: cuDNN "9.14.0", NVRTC "13.0". */
    public record NativeVersions(String cudnn, String nvrtc) {
    }

    public static Availability availability(CudaProbe cuda, NativeLibraryLocator locator, Supplier<NativeVersions> nativeVersions) {
        return availability(cuda, locator, nativeVersions, Optional.empty());
    }

    /**
     * @param nativeVersions loads the cuDNN and NVRTC bindings and returns their versions; called only when every
     *                       library was found on disk
     * @param nvidiaDriver   the kernel driver's version, for the environment facts
     */
    public static Availability availability(CudaProbe cuda, NativeLibraryLocator locator, Supplier<NativeVersions> nativeVersions,
                                            Optional<String> nvidiaDriver) {
        if (!cuda.available()) {
            return Availability.unavailable(cuda.reason());
        }
        if (!locator.present(CUDNN_LIBRARY)) {
            return Availability.unavailable("cuDNN 9 not found (" + CUDNN_LIBRARY + "; searched " + locator.searchedDescription()
                    + "); install cuDNN 9 for CUDA 13 or add its lib directory to LD_LIBRARY_PATH");
        }
        for (String sub : CUDNN_SUBLIBRARIES) {
            if (!locator.present(sub)) {
                return Availability.unavailable("cuDNN 9 is incomplete: " + CUDNN_LIBRARY + " found but " + sub
                        + " is missing (the cuDNN bindings link it)");
            }
        }
        for (String blas : CUBLAS_LIBRARIES) {
            if (!locator.present(blas)) {
                return Availability.unavailable("cuBLAS not found (" + blas + "; searched " + locator.searchedDescription()
                        + "): the JavaCPP cuDNN bindings load the cuBLAS bindings first and cuDNN 9 loads cuBLASLt for"
                        + " its convolutions; install the CUDA 13 cuBLAS runtime (libcublas-13)");
            }
        }
        if (!locator.present(NVRTC_LIBRARY)) {
            return Availability.unavailable("NVRTC not found (" + NVRTC_LIBRARY + "; searched " + locator.searchedDescription()
                    + "); install the CUDA 13 NVRTC runtime (cuda-nvrtc-13) for the backend's kernels");
        }
        NativeVersions versions;
        try {
            versions = nativeVersions.get();
        } catch (LinkageError | RuntimeException e) { // UnsatisfiedLinkError, ExceptionInInitializerError, ...
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            String detail = String.valueOf(root.getMessage()).lines().findFirst().orElse(root.getClass().getSimpleName());
            return Availability.unavailable("cannot load the cuDNN/NVRTC bindings (JavaCPP) although the libraries exist: " + detail);
        }
        Map<String, String> facts = new LinkedHashMap<>(cuda.facts(nvidiaDriver));
        facts.put("cudnn", versions.cudnn());
        facts.put("nvrtc", versions.nvrtc());
        return Availability.available(cuda.versions() + ", cuDNN " + versions.cudnn() + ", NVRTC " + versions.nvrtc(),
                cuda.deviceDescriptions(), CAPABILITIES).withFacts(facts);
    }

    /** Reads the versions through the bindings (loads native code: only after the files were found). */
    static NativeVersions nativeVersions() {
        long v = org.bytedeco.cuda.global.cudnn.cudnnGetVersion();
        int[] major = {0};
        int[] minor = {0};
        int status = org.bytedeco.cuda.global.nvrtc.nvrtcVersion(major, minor);
        if (status != 0) {
            throw new IllegalStateException("nvrtcVersion failed with status " + status);
        }
        if (v < 90000) {
            throw new IllegalStateException("cuDNN " + v + " is too old (need 9.x)");
        }
        return new NativeVersions(cudnnVersion(v), major[0] + "." + minor[0]);
    }

    /** cudnnGetVersion's encoding since cuDNN 9: major * 10000 + minor * 100 + patch (91400 = 9.14.0). */
    static String cudnnVersion(long encoded) {
        return encoded / 10000 + "." + (encoded % 10000) / 100 + "." + encoded % 100;
    }
}
