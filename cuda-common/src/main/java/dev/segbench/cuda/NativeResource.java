package dev.segbench.cuda;

import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicBoolean;

/** Shared close logic: idempotent close, use after close throws IllegalStateException, release errors logged. */
abstract class NativeResource implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(NativeResource.class.getName());

    private final AtomicBoolean closed = new AtomicBoolean();
    private final String what;

    NativeResource(String what) {
        this.what = what;
    }

    /** The bytes to ask the allocator for: at least 1 (CUDA allocators reject 0); a negative size is a bug. */
    static long allocationSize(long byteSize) {
        if (byteSize < 0) {
            throw new IllegalArgumentException("negative size " + byteSize);
        }
        return Math.max(1, byteSize);
    }

    /** Throws IllegalStateException when closed. */
    final void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException(what + " is closed");
        }
    }

    public final boolean isClosed() {
        return closed.get();
    }

    /** Releases the native object; returns the cudaError_t of the release call. */
    abstract int release();

    abstract String releaseCall();

    @Override
    public final void close() {
        if (closed.compareAndSet(false, true)) {
            int status = release();
            if (status != 0) {
                // close must not throw (it runs in finally blocks); a failed release usually means the context is gone
                String message = NativeCuda.exception(status, releaseCall()).getMessage(); // also resets the last error
                LOG.log(Level.WARNING, message);
            }
        }
    }

    @Override
    public String toString() {
        return what + (isClosed() ? " (closed)" : "");
    }
}
