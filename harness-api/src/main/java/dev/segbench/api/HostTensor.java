package dev.segbench.api;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A dense row-major tensor in host memory. The memory belongs to whoever allocated the segment
 * (an {@link Arena}, or a backend's pinned buffer); this object never frees it.
 */
public record HostTensor(DType dtype, long[] shape, MemorySegment data) {

    public static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.nativeOrder());

    public HostTensor {
        shape = shape.clone();
        long needed = elementCount(shape) * dtype.byteSize();
        if (data.byteSize() < needed) {
            throw new IllegalArgumentException("segment of " + data.byteSize() + " bytes is too small for "
                    + dtype + Arrays.toString(shape));
        }
    }

    /** Allocates a zeroed tensor in {@code arena}, 64-byte aligned so SIMD and DMA engines can use it. */
    public static HostTensor allocate(Arena arena, DType dtype, long... shape) {
        return new HostTensor(dtype, shape, arena.allocate(elementCount(shape) * dtype.byteSize(), 64));
    }

    public static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public long elementCount() {
        return elementCount(shape);
    }

    public long byteSize() {
        return elementCount() * dtype.byteSize();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long dim(int axis) {
        return shape[axis];
    }

    public int rank() {
        return shape.length;
    }

    public float getFloat(long index) {
        return data.getAtIndex(FLOAT, index);
    }

    public void setFloat(long index, float value) {
        data.setAtIndex(FLOAT, index, value);
    }

    @Override
    public String toString() {
        return "HostTensor[" + dtype + Arrays.toString(shape) + "]";
    }

    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }
}
