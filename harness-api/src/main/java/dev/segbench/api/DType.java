package dev.segbench.api;

/** Element types that cross the backend SPI. */
public enum DType {
    FLOAT32(4), FLOAT16(2), UINT8(1), INT64(8);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    public int byteSize() {
        return byteSize;
    }
}
