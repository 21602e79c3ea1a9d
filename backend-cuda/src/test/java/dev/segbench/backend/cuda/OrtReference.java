package dev.segbench.backend.cuda;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.segbench.testfixtures.FloatArrays;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Map;

/** Runs a model with ONNX Runtime (CPU) for reference outputs, all returned as floats. */
final class OrtReference {

    private OrtReference() {
    }

    static float[] run(byte[] onnx, float[] input, long... shape) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(1);
            try (OrtSession s = env.createSession(onnx, opts);
                 OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), shape);
                 OrtSession.Result r = s.run(Map.of("input", in))) {
                OnnxTensor out = (OnnxTensor) r.get(0);
                return switch (out.getInfo().type) {
                    case FLOAT -> {
                        FloatBuffer b = out.getFloatBuffer();
                        float[] v = new float[b.remaining()];
                        b.get(v);
                        yield v;
                    }
                    case INT64 -> {
                        LongBuffer b = out.getLongBuffer();
                        float[] v = new float[b.remaining()];
                        for (int i = 0; i < v.length; i++) {
                            v[i] = b.get(i);
                        }
                        yield v;
                    }
                    case UINT8 -> {
                        ByteBuffer b = out.getByteBuffer();
                        float[] v = new float[b.remaining()];
                        for (int i = 0; i < v.length; i++) {
                            v[i] = Byte.toUnsignedInt(b.get(i));
                        }
                        yield v;
                    }
                    default -> throw new IllegalStateException("unexpected output type " + out.getInfo().type);
                };
            }
        }
    }

    /** Largest absolute difference divided by the largest reference magnitude (NaN counts as infinite). */
    static double relativeError(float[] actual, float[] expected) {
        return FloatArrays.relativeError(actual, expected);
    }

    static float[] randomInput(long seed, long... shape) {
        java.util.Random r = new java.util.Random(seed);
        int n = 1;
        for (long d : shape) {
            n *= (int) d;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }
}
