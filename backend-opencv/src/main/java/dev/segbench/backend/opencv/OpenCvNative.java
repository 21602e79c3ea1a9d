package dev.segbench.backend.opencv;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_dnn;
import org.bytedeco.opencv.opencv_core.IntIntPairVector;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;

/** OpenCV's native side as this backend uses it: loading, versions, the DNN backend/target pairs, threads, logging. */
final class OpenCvNative {

    /** {@code cv::utils::logging::LOG_LEVEL_SILENT}. */
    private static final int LOG_LEVEL_SILENT = 0;

    private static boolean loaded;

    private OpenCvNative() {
    }

    /**
     * Loads the core and dnn libraries (JavaCPP extracts them from the opencv jar into its cache) and silences
     * OpenCV's own log: the errors it would print (e.g. a node it cannot import) reach the caller as one-line
     * BackendExceptions instead, and its warnings would otherwise land on the console in the middle of a run.
     */
    static synchronized void load() {
        if (loaded) {
            return;
        }
        Loader.load(opencv_core.class);
        Loader.load(opencv_dnn.class);
        silenceLog();
        loaded = true;
    }

    /**
     * {@code cv::utils::logging::setLogLevel(LOG_LEVEL_SILENT)}: the JavaCPP presets do not map it, so it is called
     * through the FFM linker by its (Itanium-mangled) name in the already loaded libopencv_core. Best effort: a
     * library without the symbol only keeps its chatter.
     */
    private static void silenceLog() {
        String soname = "libopencv_core.so." + opencv_core.CV_VERSION_MAJOR + opencv_core.CV_VERSION_MINOR;
        try {
            SymbolLookup core = SymbolLookup.libraryLookup(soname, Arena.global());
            MethodHandle setLogLevel = Linker.nativeLinker().downcallHandle(
                    core.find("_ZN2cv5utils7logging11setLogLevelENS1_8LogLevelE").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            int previous = (int) setLogLevel.invokeExact(LOG_LEVEL_SILENT);
            assert previous >= 0;
        } catch (Throwable e) { // another platform's library name, or no native access: OpenCV keeps logging
            // nothing to do: the backend works the same, only noisier
        }
    }

    static String version() {
        String text = opencv_core.getVersionString().getString();
        int end = text.indexOf('\0'); // the BytePointer's length may take in the C string's terminator
        return (end < 0 ? text : text.substring(0, end)).strip();
    }

    /** The DNN backend/target pairs this build offers, e.g. "OPENCV/CPU". */
    static List<String> backendsAndTargets() {
        List<String> pairs = new ArrayList<>();
        try (IntIntPairVector available = opencv_dnn.getAvailableBackends()) {
            for (long i = 0; i < available.size(); i++) {
                pairs.add(backendName(available.first(i)) + "/" + targetName(available.second(i)));
            }
        }
        return pairs;
    }

    /** Whether this build runs {@code DNN_BACKEND_OPENCV} on {@code DNN_TARGET_CPU}, the pair every session uses. */
    static boolean hasOpenCvOnCpu() {
        try (IntIntPairVector available = opencv_dnn.getAvailableBackends()) {
            for (long i = 0; i < available.size(); i++) {
                if (available.first(i) == opencv_dnn.DNN_BACKEND_OPENCV && available.second(i) == opencv_dnn.DNN_TARGET_CPU) {
                    return true;
                }
            }
        }
        return false;
    }

    static int threads() {
        return opencv_core.getNumThreads();
    }

    /** Sets OpenCV's thread pool size; process-wide, so every run sets it again (cheaply) before forward(). */
    static void useThreads(int threads) {
        if (opencv_core.getNumThreads() != threads) {
            opencv_core.setNumThreads(threads);
        }
    }

    private static String backendName(int id) {
        return id == opencv_dnn.DNN_BACKEND_OPENCV ? "OPENCV"
                : id == opencv_dnn.DNN_BACKEND_CUDA ? "CUDA"
                : id == opencv_dnn.DNN_BACKEND_VKCOM ? "VKCOM"
                : id == opencv_dnn.DNN_BACKEND_INFERENCE_ENGINE ? "INFERENCE_ENGINE"
                : id == opencv_dnn.DNN_BACKEND_HALIDE ? "HALIDE"
                : "backend-" + id;
    }

    private static String targetName(int id) {
        return id == opencv_dnn.DNN_TARGET_CPU ? "CPU"
                : id == opencv_dnn.DNN_TARGET_CPU_FP16 ? "CPU_FP16"
                : id == opencv_dnn.DNN_TARGET_OPENCL ? "OPENCL"
                : id == opencv_dnn.DNN_TARGET_OPENCL_FP16 ? "OPENCL_FP16"
                : id == opencv_dnn.DNN_TARGET_CUDA ? "CUDA"
                : id == opencv_dnn.DNN_TARGET_CUDA_FP16 ? "CUDA_FP16"
                : "target-" + id;
    }
}
