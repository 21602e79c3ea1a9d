package dev.segbench.backend.tensorrt;

import dev.segbench.api.Availability;
import dev.segbench.api.Capability;
import dev.segbench.cuda.CudaProbe;
import dev.segbench.cuda.NativeLibraryLocator;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Decides whether TensorRT can run here, naming the first missing piece: the CUDA probe (driver, runtime,
 * device), then the TensorRT 10 libraries on disk, then loading the JavaCPP bindings and reading the
 * library's own version. Nothing native is loaded before the files are known to exist.
 */
final class TensorRtProbe {

    static final String INFER_LIBRARY = "libnvinfer.so.10";
    static final String PARSER_LIBRARY = "libnvonnxparser.so.10";
    /** The JavaCPP nvonnxparser bindings link the plugin library too (their presets inherit nvinfer_plugin). */
    static final String PLUGIN_LIBRARY = "libnvinfer_plugin.so.10";
    /** Sonames of TensorRT releases that are too old, to say so instead of "not found". */
    static final List<String> OLD_INFER_LIBRARIES = List.of("libnvinfer.so.9", "libnvinfer.so.8", "libnvinfer.so.7");

    /** CONCURRENT_RUNS: a session runs each concurrent call on its own execution context and stream. */
    static final Set<Capability> CAPABILITIES = Set.of(Capability.FP16_COMPUTE, Capability.DYNAMIC_SHAPES,
            Capability.DEVICE_TIMINGS, Capability.LABELS_OUT, Capability.GPU, Capability.CONCURRENT_RUNS);

    /** Loads the bindings and reads the library's version; may throw LinkageError when they cannot load. */
    @FunctionalInterface
    interface VersionReader {
        int inferLibVersion();
    }

    private TensorRtProbe() {
    }

    static Availability probe(CudaProbe cuda, NativeLibraryLocator locator, VersionReader reader) {
        return probe(cuda, locator, reader, TensorRtVersion.BINDINGS, Optional.empty());
    }

    /**
     * @param bindings     the TensorRT the JavaCPP bindings were built from; the loaded library must be that major and
     *                     at least that minor
     * @param nvidiaDriver the kernel driver's version, for the environment facts
     */
    static Availability probe(CudaProbe cuda, NativeLibraryLocator locator, VersionReader reader, TensorRtVersion bindings,
                              Optional<String> nvidiaDriver) {
        if (!cuda.available()) {
            return Availability.unavailable(cuda.reason());
        }
        if (!locator.present(INFER_LIBRARY)) {
            Optional<String> old = OLD_INFER_LIBRARIES.stream().filter(locator::present).findFirst();
            if (old.isPresent()) {
                return Availability.unavailable("TensorRT too old: found " + old.get() + " but need TensorRT "
                        + TensorRtVersion.REQUIRED_MAJOR + " (" + INFER_LIBRARY + "); install TensorRT 10");
            }
            return Availability.unavailable(missing(INFER_LIBRARY, locator));
        }
        for (String library : List.of(PARSER_LIBRARY, PLUGIN_LIBRARY)) {
            if (!locator.present(library)) {
                return Availability.unavailable(missing(library, locator));
            }
        }
        int encoded;
        try {
            encoded = reader.inferLibVersion();
        } catch (LinkageError | RuntimeException e) { // UnsatisfiedLinkError, NoClassDefFoundError, ExceptionInInitializerError
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            String detail = String.valueOf(root.getMessage()).lines().findFirst().orElse(root.toString());
            return Availability.unavailable("cannot load the TensorRT bindings (JavaCPP nvinfer): " + detail
                    + "; put the TensorRT and CUDA lib directories on LD_LIBRARY_PATH");
        }
        TensorRtVersion version = TensorRtVersion.decode(encoded);
        Optional<String> incompatible = version.incompatibilityWith(bindings);
        if (incompatible.isPresent()) {
            return Availability.unavailable(incompatible.get() + " (getInferLibVersion() = " + encoded + ")");
        }
        Map<String, String> facts = new LinkedHashMap<>(cuda.facts(nvidiaDriver));
        facts.put("tensorrt", version.toString());
        return Availability.available("TensorRT " + version + " (" + cuda.versions() + ")", cuda.deviceDescriptions(),
                CAPABILITIES).withFacts(facts);
    }

    private static String missing(String soname, NativeLibraryLocator locator) {
        return "TensorRT library " + soname + " not found (searched " + locator.searchedDescription()
                + "); install TensorRT 10 or add its lib directory to LD_LIBRARY_PATH";
    }
}
