package dev.segbench.cuda;

import org.bytedeco.cuda.cudart.cudaDeviceProp;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.SizeTPointer;

import java.util.ArrayList;
import java.util.List;

import static org.bytedeco.cuda.global.cudart.*;

/** The only place that calls cudart for queries; class-loading it loads the native bindings. */
final class NativeCuda {

    private NativeCuda() {
    }

    static CudaProbe probeDevices() {
        int[] driver = {0};
        int[] runtime = {0};
        int[] count = {0};
        cudaDriverGetVersion(driver); // reports 0 instead of failing when no driver is loaded
        cudaRuntimeGetVersion(runtime);
        int status = cudaGetDeviceCount(count);
        List<CudaDevice> devices = new ArrayList<>();
        if (status == cudaSuccess) {
            for (int i = 0; i < count[0]; i++) {
                devices.add(describe(i));
            }
        } else {
            cudaGetLastError(); // reset the last-error state so later checks do not report this failure
        }
        return CudaProbe.interpret(driver[0], runtime[0], status, errorName(status), errorString(status), count[0],
                devices);
    }

    static CudaDevice describe(int ordinal) {
        try (cudaDeviceProp prop = new cudaDeviceProp()) {
            CudaRuntime.check(cudaGetDeviceProperties(prop, ordinal), "cudaGetDeviceProperties(device " + ordinal + ")");
            return new CudaDevice(ordinal, prop.name().getString().trim(), prop.major(), prop.minor(),
                    prop.totalGlobalMem(), prop.multiProcessorCount());
        }
    }

    static void setDevice(int ordinal) {
        CudaRuntime.check(cudaSetDevice(ordinal), "cudaSetDevice(" + ordinal + ")");
    }

    static CudaRuntime.MemoryInfo memoryInfo() {
        try (SizeTPointer free = new SizeTPointer(1); SizeTPointer total = new SizeTPointer(1)) {
            CudaRuntime.check(cudaMemGetInfo(free, total), "cudaMemGetInfo");
            return new CudaRuntime.MemoryInfo(free.get(), total.get());
        }
    }

    static void synchronizeDevice() {
        CudaRuntime.check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
    }

    /** The runtime's error calls, for {@link CudaErrors}. */
    static final CudaErrors.Source ERROR_SOURCE = new CudaErrors.Source() {
        @Override
        public int getLastError() {
            return cudaGetLastError();
        }

        @Override
        public String name(int status) {
            return errorName(status);
        }

        @Override
        public String text(int status) {
            return errorString(status);
        }
    };

    /** cudaPeekAtLastError: the thread's last error, left as it is. */
    static int peekAtLastError() {
        return cudaPeekAtLastError();
    }

    static CudaException exception(int status, String call) {
        return CudaErrors.natives().failure(status, call);
    }

    private static String errorName(int status) {
        BytePointer name = cudaGetErrorName(status);
        return name == null || name.isNull() ? "cudaError " + status : name.getString();
    }

    private static String errorString(int status) {
        BytePointer text = cudaGetErrorString(status);
        return text == null || text.isNull() ? "" : text.getString();
    }
}
