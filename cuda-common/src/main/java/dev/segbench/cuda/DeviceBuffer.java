package dev.segbench.cuda;

import org.bytedeco.javacpp.Pointer;

import java.lang.foreign.MemorySegment;

import static org.bytedeco.cuda.global.cudart.*;

/**
 * Device memory from cudaMalloc on the current device; cudaFree on close. Copies are asynchronous on a stream;
 * use a {@link PinnedBuffer} as the host side so they really overlap with compute.
 */
public final class DeviceBuffer extends NativeResource {

    private final Pointer pointer;
    private final long byteSize;

    private DeviceBuffer(Pointer pointer, long byteSize) {
        super("DeviceBuffer(" + byteSize + " bytes)");
        this.pointer = pointer;
        this.byteSize = byteSize;
    }

    /** cudaMalloc of {@code byteSize} bytes (at least 1) on the calling thread's current device. */
    public static DeviceBuffer allocate(long byteSize) {
        long bytes = allocationSize(byteSize);
        Pointer p = new Pointer();
        CudaRuntime.check(cudaMalloc(p, bytes), "cudaMalloc(" + bytes + " bytes)");
        return new DeviceBuffer(new RawPointer(p.address(), bytes), bytes);
    }

    /** The device pointer for APIs such as IExecutionContext.setTensorAddress or cuDNN; valid until close. */
    public Pointer pointer() {
        ensureOpen();
        return pointer;
    }

    public long address() {
        ensureOpen();
        return pointer.address();
    }

    public long byteSize() {
        return byteSize;
    }

    /** cudaMemcpyAsync host to device of {@code bytes} bytes from the start of {@code host}. */
    public void copyFromHost(MemorySegment host, long bytes, CudaStream stream) {
        Pointer src = hostPointer(host, bytes);
        CudaRuntime.check(cudaMemcpyAsync(pointer(), src, bytes, cudaMemcpyHostToDevice, stream.handle()),
                "cudaMemcpyAsync(host to device, " + bytes + " bytes)");
    }

    /** cudaMemcpyAsync device to host of {@code bytes} bytes into the start of {@code host}. */
    public void copyToHost(MemorySegment host, long bytes, CudaStream stream) {
        Pointer dst = hostPointer(host, bytes);
        CudaRuntime.check(cudaMemcpyAsync(dst, pointer(), bytes, cudaMemcpyDeviceToHost, stream.handle()),
                "cudaMemcpyAsync(device to host, " + bytes + " bytes)");
    }

    /** cudaMemsetAsync of the first {@code bytes} bytes. */
    public void fill(int value, long bytes, CudaStream stream) {
        checkRange(bytes);
        CudaRuntime.check(cudaMemsetAsync(pointer(), value, bytes, stream.handle()),
                "cudaMemsetAsync(" + bytes + " bytes)");
    }

    private Pointer hostPointer(MemorySegment host, long bytes) {
        checkRange(bytes);
        if (!host.isNative()) {
            throw new IllegalArgumentException("host memory for a CUDA copy must be native (off-heap)");
        }
        if (host.byteSize() < bytes) {
            throw new IllegalArgumentException("host segment of " + host.byteSize() + " bytes is smaller than the "
                    + bytes + " bytes to copy");
        }
        return new RawPointer(host.address(), bytes);
    }

    private void checkRange(long bytes) {
        if (bytes < 0 || bytes > byteSize) {
            throw new IllegalArgumentException(bytes + " bytes do not fit a device buffer of " + byteSize + " bytes");
        }
    }

    @Override
    int release() {
        return cudaFree(pointer);
    }

    @Override
    String releaseCall() {
        return "cudaFree(" + byteSize + " bytes)";
    }
}
