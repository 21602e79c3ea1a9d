package dev.segbench.cuda;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Finding 3 of issue 13: a failed call must not leave its status behind as the thread's last CUDA error. */
class CudaErrorsTest {

    /** Stands in for cudart: one "last error" slot per thread, as the runtime keeps it. */
    private static final class FakeRuntime implements CudaErrors.Source {
        int lastError;
        final List<String> calls = new ArrayList<>();

        @Override
        public int getLastError() {
            calls.add("cudaGetLastError");
            int e = lastError;
            lastError = 0;
            return e;
        }

        @Override
        public String name(int status) {
            calls.add("cudaGetErrorName");
            return status == 2 ? "cudaErrorMemoryAllocation" : "cudaError" + status;
        }

        @Override
        public String text(int status) {
            return status == 2 ? "out of memory" : "";
        }
    }

    @Test
    void aFailureResetsTheLastErrorBeforeItIsReported() {
        FakeRuntime runtime = new FakeRuntime();
        runtime.lastError = 2; // what a failed cudaMalloc leaves behind
        CudaException e = new CudaErrors(runtime).failure(2, "cudaMalloc(1125899906842624 bytes)");
        assertEquals(0, runtime.lastError, "a later cudaGetLastError (cuDNN, TensorRT) must not see the handled failure");
        assertEquals("cudaGetLastError", runtime.calls.getFirst());
        assertEquals("cudaMalloc(1125899906842624 bytes) failed: cudaErrorMemoryAllocation (out of memory), code 2",
                e.getMessage());
        assertTrue(e.isOutOfMemory());
    }

    @Test
    void successIsNotAFailure() {
        CudaRuntime.check(0, "cudaFree"); // returns without touching the runtime (which is not loaded here)
    }
}
