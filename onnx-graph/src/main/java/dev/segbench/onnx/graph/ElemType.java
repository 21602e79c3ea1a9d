package dev.segbench.onnx.graph;

/** Element types of ONNX tensors that the importer understands (codes are ONNX TensorProto.DataType). */
public enum ElemType {
    FLOAT32(1, 4), UINT8(2, 1), INT8(3, 1), INT32(6, 4), INT64(7, 8), BOOL(9, 1), FLOAT16(10, 2), DOUBLE(11, 8);

    private final int onnxCode;
    private final int byteSize;

    ElemType(int onnxCode, int byteSize) {
        this.onnxCode = onnxCode;
        this.byteSize = byteSize;
    }

    public int onnxCode() {
        return onnxCode;
    }

    public int byteSize() {
        return byteSize;
    }

    public boolean isFloat() {
        return this == FLOAT32 || this == FLOAT16 || this == DOUBLE;
    }

    /** Null when the code is not one of ours; the caller names the tensor in its error. */
    public static ElemType fromOnnx(int code) {
        for (ElemType t : values()) {
            if (t.onnxCode == code) {
                return t;
            }
        }
        return null;
    }
}
