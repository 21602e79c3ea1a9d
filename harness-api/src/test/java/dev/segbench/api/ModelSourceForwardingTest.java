package dev.segbench.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.lang.reflect.Proxy;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link ModelSource#withArtifacts} and {@link ModelSource#withInt8} change their one part and forward the rest. */
class ModelSourceForwardingTest {

    private static final ModelInfo INFO = (ModelInfo) Proxy.newProxyInstance(ModelInfo.class.getClassLoader(),
            new Class<?>[] {ModelInfo.class}, (proxy, method, args) -> method.getName().equals("id") ? "m" : null);
    private static final WeightsInfo WEIGHTS = WeightsInfo.seeded(3);

    private static ModelArtifact graph(String sha) {
        return new ModelArtifact("m", Precision.FP32, false, new byte[] {1}, sha, WEIGHTS);
    }

    private static final ModelSource.Int8Graphs INT8 = new ModelSource.Int8Graphs() {
        @Override
        public String graphVersion() {
            return "v1";
        }

        @Override
        public ModelSource.CalibrationGraph calibrationGraph() {
            throw new UnsupportedOperationException();
        }

        @Override
        public ModelArtifact artifact(CalibrationTable table, Int8Activations activations, boolean labelsOut) {
            throw new UnsupportedOperationException();
        }
    };

    private static final ModelSource MODEL = new ModelSource() {
        @Override
        public ModelInfo info() {
            return INFO;
        }

        @Override
        public WeightsInfo weights() {
            return WEIGHTS;
        }

        @Override
        public ModelArtifact artifact(Precision precision, boolean labelsOut) {
            return graph("own-" + precision.id() + (labelsOut ? "-labels" : ""));
        }

        @Override
        public Optional<Int8Graphs> int8() {
            return Optional.of(INT8);
        }
    };

    @Test
    void withArtifactsReplacesTheGraphsAndKeepsTheRest() throws Exception {
        ModelSource fixed = MODEL.withArtifacts((precision, labelsOut) -> graph("fixed-" + precision.id()));
        assertEquals("fixed-fp16", fixed.artifact(Precision.FP16, true).onnxSha256());
        assertSame(INFO, fixed.info());
        assertSame(WEIGHTS, fixed.weights());
        assertSame(INT8, fixed.int8().orElseThrow());
    }

    @Test
    void withInt8ReplacesTheInt8GraphsAndKeepsTheRest() throws Exception {
        ModelSource none = MODEL.withInt8(Optional.empty());
        assertEquals(Optional.empty(), none.int8());
        assertEquals("own-fp32-labels", none.artifact(Precision.FP32, true).onnxSha256());
        assertSame(INFO, none.info());
        assertSame(WEIGHTS, none.weights());
    }
}
