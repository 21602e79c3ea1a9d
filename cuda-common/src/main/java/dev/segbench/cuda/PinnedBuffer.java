package dev.segbench.cuda;

import org.bytedeco.javacpp.Pointer;

import java.lang.System.Logger.Level;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.bytedeco.cuda.global.cudart.*;

/**
 * Page-locked host memory from cudaMallocHost, exposed as an FFM {@link MemorySegment} so preprocessing can
 * write straight into it and the DMA engine can copy it asynchronously. cudaFreeHost on close; the segment must
 * not be used afterwards (it is not scoped to an Arena, so the JVM cannot check that).
 */
public final class PinnedBuffer extends NativeResource {

    private final Pointer pointer;
    private final MemorySegment segment;

    @SuppressWarnings("restricted") // wraps memory cudaMallocHost just returned, of exactly this size
    private PinnedBuffer(Pointer pointer, long byteSize) {
        super("PinnedBuffer(" + byteSize + " bytes)");
        this.pointer = pointer;
        this.segment = MemorySegment.ofAddress(pointer.address()).reinterpret(byteSize);
    }

    /** cudaMallocHost of {@code byteSize} bytes (at least 1). */
    public static PinnedBuffer allocate(long byteSize) {
        long bytes = allocationSize(byteSize);
        return new PinnedBuffer(new RawPointer(mallocHost(bytes), bytes), bytes);
    }

    private static long mallocHost(long bytes) {
        Pointer p = new Pointer();
        CudaRuntime.check(cudaMallocHost(p, bytes), "cudaMallocHost(" + bytes + " bytes)");
        return p.address();
    }

    /**
     * cudaMallocHost of {@code byteSize} bytes (at least 1) whose lifetime is {@code arena}'s: the segment is
     * scoped to the arena and cudaFreeHost runs when the arena closes (or, for an automatic arena, when it is
     * collected). This is how a GPU backend hands out pinned input tensors through
     * {@code InferenceSession.newInput(arena, ...)}.
     */
    @SuppressWarnings("restricted") // wraps memory cudaMallocHost just returned, of exactly this size
    public static MemorySegment allocateIn(Arena arena, long byteSize) {
        long bytes = allocationSize(byteSize);
        long address = mallocHost(bytes);
        return MemorySegment.ofAddress(address).reinterpret(bytes, arena, ignored -> {
            int status = cudaFreeHost(new RawPointer(address, bytes));
            if (status != 0) {
                String message = NativeCuda.exception(status, "cudaFreeHost(" + bytes + " bytes)").getMessage();
                System.getLogger(PinnedBuffer.class.getName()).log(Level.WARNING, message);
            }
        });
    }

    /** The pinned memory; valid until close. */
    public MemorySegment segment() {
        ensureOpen();
        return segment;
    }

    public Pointer pointer() {
        ensureOpen();
        return pointer;
    }

    public long byteSize() {
        return segment.byteSize();
    }

    @Override
    int release() {
        return cudaFreeHost(pointer);
    }

    @Override
    String releaseCall() {
        return "cudaFreeHost(" + segment.byteSize() + " bytes)";
    }
}
