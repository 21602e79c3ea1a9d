package dev.segbench.backend.cuda.gpu;

import dev.segbench.onnx.graph.Constant;
import dev.segbench.onnx.graph.ElemType;
import dev.segbench.backend.cuda.plan.BufferAllocator;
import dev.segbench.backend.cuda.plan.ExecutionPlan;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;

/**
 * Device memory emulated in a host segment, laid out like the GPU executor's: the plan's activation arena at
 * {@link #BASE}, then every constant, then a scratch area for zero biases and the cuDNN workspace. Fresh memory is all
 * ones, which reads as NaN, so a read of something never written shows up.
 */
final class EmulatedDevice {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Fake device addresses start here, so that 0 keeps meaning "absent". */
    static final long BASE = 1L << 20;
    private static final long SCRATCH = 1L << 20;

    final MemorySegment memory;
    private final Map<String, Long> constants = new HashMap<>();
    private long next;
    private final long end;

    EmulatedDevice(Arena arena, ExecutionPlan plan) {
        long offset = BufferAllocator.align(plan.arenaBytes());
        for (var e : plan.graph().constants().entrySet()) {
            constants.put(e.getKey(), BASE + offset);
            offset += BufferAllocator.align(e.getValue().elementCount() * e.getValue().type().byteSize() + 1);
        }
        next = offset;
        end = offset + SCRATCH;
        memory = arena.allocate(end, 256);
        memory.fill((byte) 0xFF);
        for (var e : plan.graph().constants().entrySet()) {
            Constant c = e.getValue();
            long at = constants.get(e.getKey());
            if (c.type() == ElemType.FLOAT32 || c.type() == ElemType.FLOAT16) {
                float[] f = c.asFloats();
                for (int i = 0; i < f.length; i++) {
                    st(c.type(), at, i, f[i]);
                }
            } else if (c.type() == ElemType.INT64) {
                long[] l = c.asLongs();
                for (int i = 0; i < l.length; i++) {
                    memory.set(I64, at - BASE + 8L * i, l[i]);
                }
            }
        }
    }

    long address(ExecutionPlan plan, String name) {
        return plan.isConstant(name) ? constants.get(name) : BASE + plan.slot(name).offset();
    }

    /** A fresh zeroed block in the scratch area (zero biases, workspace). */
    long allocateZeroed(long bytes) {
        long at = BufferAllocator.align(next);
        if (at + bytes > end) {
            throw new IllegalStateException("emulated scratch memory exhausted");
        }
        memory.asSlice(at, bytes).fill((byte) 0);
        next = at + bytes;
        return BASE + at;
    }

    float ld(ElemType t, long address, long i) {
        long o = address - BASE;
        return switch (t) {
            case FLOAT32 -> memory.get(F32, o + 4 * i);
            case FLOAT16 -> Float.float16ToFloat(memory.get(F16, o + 2 * i));
            case INT64 -> memory.get(I64, o + 8 * i);
            case UINT8 -> Byte.toUnsignedInt(memory.get(ValueLayout.JAVA_BYTE, o + i));
            default -> throw new IllegalStateException(t.toString());
        };
    }

    void st(ElemType t, long address, long i, float v) {
        long o = address - BASE;
        switch (t) {
            case FLOAT32 -> memory.set(F32, o + 4 * i, v);
            case FLOAT16 -> memory.set(F16, o + 2 * i, Float.floatToFloat16(v));
            case INT64 -> memory.set(I64, o + 8 * i, (long) v);
            case UINT8 -> memory.set(ValueLayout.JAVA_BYTE, o + i, (byte) (long) v);
            default -> throw new IllegalStateException(t.toString());
        }
    }

    float[] read(ElemType t, long address, long n) {
        float[] v = new float[(int) n];
        for (int i = 0; i < n; i++) {
            v[i] = ld(t, address, i);
        }
        return v;
    }

    void write(ElemType t, long address, float[] v) {
        for (int i = 0; i < v.length; i++) {
            st(t, address, i, v[i]);
        }
    }
}
