package dev.segbench.cuda;

import dev.segbench.api.BackendException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class CudaExceptionTest {

    @Test
    void messageNamesTheCallTheErrorAndTheCode() {
        CudaException e = new CudaException("cudaMalloc(1048576 bytes)", 2, "cudaErrorMemoryAllocation", "out of memory");
        assertEquals("cudaMalloc(1048576 bytes) failed: cudaErrorMemoryAllocation (out of memory), code 2", e.getMessage());
        assertEquals("cudaMalloc(1048576 bytes)", e.call());
        assertEquals(2, e.code());
        assertEquals("cudaErrorMemoryAllocation", e.errorName());
    }

    @Test
    void missingNamesStillGiveAReadableLine() {
        assertEquals("cudaFree failed: CUDA error, code 999", CudaException.format("cudaFree", 999, null, ""));
    }

    @Test
    void outOfMemoryMapsToTheBackendCode() {
        CudaException oom = new CudaException("cudaMalloc(1 bytes)", CudaException.OUT_OF_MEMORY, "cudaErrorMemoryAllocation", "out of memory");
        assertTrue(oom.isOutOfMemory());
        BackendException b = oom.toBackendException();
        assertEquals(BackendException.Code.OUT_OF_MEMORY, b.code());
        assertSame(oom, b.getCause());
        assertEquals(oom.getMessage(), b.getMessage());

        CudaException other = new CudaException("cudaStreamSynchronize", 700, "cudaErrorIllegalAddress", "an illegal memory access was encountered");
        assertFalse(other.isOutOfMemory());
        assertEquals(BackendException.Code.DEVICE_ERROR, other.toBackendException().code());
    }
}
