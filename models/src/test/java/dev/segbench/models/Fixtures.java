package dev.segbench.models;


import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.segbench.api.ModelArtifact;
import dev.segbench.testfixtures.SharedFixtures;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Shared test plumbing: the ../shared fixtures, image preprocessing and running a graph in ORT CPU. */
final class Fixtures {

    static final List<String> IMAGE_IDS = SharedFixtures.IMAGE_IDS;

    private Fixtures() {
    }

    /** The shared fixture folder; skips the calling test visibly when it is absent. */
    static Path shared(String whatIsSkipped) {
        return SharedFixtures.shared(whatIsSkipped);
    }

    static Path reference(Path shared) {
        return shared.resolve("data/nas-segm-reference");
    }

    static Path image(Path shared, String id) {
        return SharedFixtures.image(shared, id);
    }

    /** A graph output: its shape and its values, floats (logits) or bytes (labels). */
    record Output(long[] shape, float[] floats, byte[] bytes) {
    }

    /** Runs a graph on one FP32 NCHW input and copies out its single output. */
    static Output run(OrtSession session, float[] nchw, long... shape) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(nchw), shape);
             OrtSession.Result result = session.run(Map.of(ModelArtifact.INPUT_NAME, in))) {
            OnnxTensor out = (OnnxTensor) result.get(0);
            long[] outShape = out.getInfo().getShape();
            return switch (out.getInfo().type) {
                case FLOAT -> new Output(outShape, copy(out.getFloatBuffer()), null);
                case UINT8 -> {
                    ByteBuffer b = out.getByteBuffer();
                    byte[] bytes = new byte[b.remaining()];
                    b.get(bytes);
                    yield new Output(outShape, null, bytes);
                }
                default -> throw new AssertionError("unexpected output type " + out.getInfo().type);
            };
        }
    }

    private static float[] copy(FloatBuffer b) {
        float[] f = new float[b.remaining()];
        b.get(f);
        return f;
    }

    static OrtSession open(ModelArtifact artifact) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            return env.createSession(artifact.onnx(), options);
        }
    }

    static float maxAbs(float[] v) {
        float m = 0;
        for (float x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    static float maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
        }
        float m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    static double agreement(byte[] a, byte[] b) {
        if (a.length != b.length) {
            throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
        }
        long same = 0;
        for (int i = 0; i < a.length; i++) {
            same += a[i] == b[i] ? 1 : 0;
        }
        return same / (double) a.length;
    }
}
