package dev.segbench.models.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Optional;

/** The torch storage classes a state_dict may reference, with their element layout (always little-endian here). */
enum StorageType {
    FLOAT("FloatStorage", "float32", 4, true),
    DOUBLE("DoubleStorage", "float64", 8, true),
    HALF("HalfStorage", "float16", 2, true),
    BFLOAT16("BFloat16Storage", "bfloat16", 2, true),
    LONG("LongStorage", "int64", 8, false),
    INT("IntStorage", "int32", 4, false),
    SHORT("ShortStorage", "int16", 2, false),
    CHAR("CharStorage", "int8", 1, false),
    BYTE("ByteStorage", "uint8", 1, false),
    BOOL("BoolStorage", "bool", 1, false);

    final String className;
    final String dtype;
    final int elementSize;
    final boolean floating;

    StorageType(String className, String dtype, int elementSize, boolean floating) {
        this.className = className;
        this.dtype = dtype;
        this.elementSize = elementSize;
        this.floating = floating;
    }

    /** The type for the global {@code torch.<className>}, if supported. */
    static Optional<StorageType> forClassName(String className) {
        return Arrays.stream(values()).filter(t -> t.className.equals(className)).findFirst();
    }

    /** Decodes {@code numel} elements starting at {@code offset} of {@code bytes}; the caller checked the length. */
    DecodedStorage decode(byte[] bytes, int offset, int numel) {
        ByteBuffer buf = ByteBuffer.wrap(bytes, offset, numel * elementSize).slice().order(ByteOrder.LITTLE_ENDIAN);
        if (floating) {
            float[] out = new float[numel];
            switch (this) {
                case FLOAT -> buf.asFloatBuffer().get(out);
                case DOUBLE -> {
                    for (int i = 0; i < numel; i++) out[i] = (float) buf.getDouble(i * 8);
                }
                case HALF -> {
                    for (int i = 0; i < numel; i++) out[i] = Float.float16ToFloat(buf.getShort(i * 2));
                }
                case BFLOAT16 -> {
                    // bfloat16 is the upper half of a float32
                    for (int i = 0; i < numel; i++) out[i] = Float.intBitsToFloat((buf.getShort(i * 2) & 0xffff) << 16);
                }
                default -> throw new IllegalStateException(name());
            }
            return new DecodedStorage(this, out, null, numel);
        }
        long[] out = new long[numel];
        switch (this) {
            case LONG -> buf.asLongBuffer().get(out);
            case INT -> {
                for (int i = 0; i < numel; i++) out[i] = buf.getInt(i * 4);
            }
            case SHORT -> {
                for (int i = 0; i < numel; i++) out[i] = buf.getShort(i * 2);
            }
            case CHAR -> {
                for (int i = 0; i < numel; i++) out[i] = buf.get(i);
            }
            case BYTE, BOOL -> {
                for (int i = 0; i < numel; i++) out[i] = buf.get(i) & 0xff;
            }
            default -> throw new IllegalStateException(name());
        }
        return new DecodedStorage(this, null, out, numel);
    }

    /** One storage's elements, decoded once and shared by every tensor that views it. */
    record DecodedStorage(StorageType type, float[] floats, long[] longs, int numel) {}
}
