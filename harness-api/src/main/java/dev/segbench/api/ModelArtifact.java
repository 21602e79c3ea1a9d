package dev.segbench.api;

/**
 * One serialised ONNX graph. Input "input" is FP32 {@code [N, 3, H, W]}; output "logits" is FP32
 * {@code [N, classes, ceil(H/s), ceil(W/s)]}, or "labels" UINT8 {@code [N, H, W]} when labelsOut.
 */
public record ModelArtifact(String modelId, Precision precision, boolean labelsOut, byte[] onnx,
                            String onnxSha256, WeightsInfo weights) {

    public static final String INPUT_NAME = "input";
    public static final String LOGITS_NAME = "logits";
    public static final String LABELS_NAME = "labels";

    public String outputName() {
        return labelsOut ? LABELS_NAME : LOGITS_NAME;
    }

    @Override
    public byte[] onnx() {
        return onnx.clone();
    }

    /** The bytes without a defensive copy, for backends that hand them straight to a parser. */
    public java.nio.ByteBuffer onnxBuffer() {
        return java.nio.ByteBuffer.wrap(onnx).asReadOnlyBuffer();
    }
}
