package dev.segbench.backend.tensorrt;

import dev.segbench.api.BackendException;
import dev.segbench.api.CalibrationMethod;
import dev.segbench.api.CalibrationTable;
import dev.segbench.api.Int8Activations;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelException;
import dev.segbench.api.ModelInfo;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.Preprocessing;
import dev.segbench.api.SessionOptions;
import dev.segbench.api.WeightsInfo;
import dev.segbench.testfixtures.StubModels;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class GraphChoiceTest {

    /** Hands out a distinct artifact per variant and records what was asked. */
    static final class RecordingSource implements ModelSource {
        final List<String> asked = new ArrayList<>();
        boolean lie;
        boolean fail;

        @Override
        public ModelInfo info() {
            return new StubModels.Info("arch0", "test", "[]", List.of("a", "b"), Preprocessing.IMAGENET, 8, 1, (h, w) -> 1);
        }

        @Override
        public WeightsInfo weights() {
            return WeightsInfo.seeded(1);
        }

        @Override
        public java.util.Optional<Int8Graphs> int8() {
            return java.util.Optional.of(new Int8Graphs() {
                @Override
                public String graphVersion() {
                    return "g";
                }

                @Override
                public CalibrationGraph calibrationGraph() {
                    throw new UnsupportedOperationException("not used by TensorRT");
                }

                @Override
                public ModelArtifact artifact(CalibrationTable table, Int8Activations activations, boolean labelsOut) {
                    asked.add("int8:" + activations.name().toLowerCase(java.util.Locale.ROOT) + ":" + table.sha256()
                            + (labelsOut ? "+labels" : ""));
                    return new ModelArtifact("arch0", Precision.INT8, labelsOut, ("int8" + labelsOut).getBytes(), "sha",
                            weights());
                }

                @Override
                public ModelArtifact artifact(CalibrationTable table, Int8Activations activations, boolean labelsOut,
                                              java.util.Set<String> floatLayers) {
                    ModelArtifact a = artifact(table, activations, labelsOut);
                    asked.add("float:" + new java.util.TreeSet<>(floatLayers));
                    return a;
                }
            });
        }

        @Override
        public ModelArtifact artifact(Precision precision, boolean labelsOut) throws ModelException {
            asked.add(precision.id() + (labelsOut ? "+labels" : ""));
            if (fail) {
                throw new ModelException("export exploded");
            }
            Precision given = lie ? (precision == Precision.FP16 ? Precision.FP32 : Precision.FP16) : precision;
            byte[] bytes = (given.id() + labelsOut).getBytes();
            return new ModelArtifact("arch0", given, labelsOut, bytes, "sha", weights());
        }
    }

    private static TensorRtSettings settings(Precision p, boolean labels) {
        return TensorRtSettings.from(SessionOptions.of(p).withLabelsOut(labels));
    }

    @Test
    void fp16SessionsTakeTheFp16GraphAndFp32TheFp32Graph() throws Exception {
        RecordingSource source = new RecordingSource();
        ModelArtifact fp16 = GraphChoice.select(source, settings(Precision.FP16, false));
        ModelArtifact fp32 = GraphChoice.select(source, settings(Precision.FP32, false));
        assertEquals(Precision.FP16, fp16.precision());
        assertEquals(Precision.FP32, fp32.precision());
        assertEquals("fp16false", new String(fp16.onnx()));
        assertEquals("fp32false", new String(fp32.onnx()));
        assertEquals(List.of("fp16", "fp32"), source.asked);
    }

    @Test
    void labelsOutFlagIsHonoured() throws Exception {
        RecordingSource source = new RecordingSource();
        ModelArtifact a = GraphChoice.select(source, settings(Precision.FP16, true));
        assertTrue(a.labelsOut());
        assertEquals(ModelArtifact.LABELS_NAME, a.outputName());
        ModelArtifact b = GraphChoice.select(source, settings(Precision.FP32, false));
        assertFalse(b.labelsOut());
        assertEquals(List.of("fp16+labels", "fp32"), source.asked);
    }

    @Test
    void int8SessionsTakeTheSymmetricQdqGraphOfTheirCalibrationTable() throws Exception {
        RecordingSource source = new RecordingSource();
        CalibrationTable table = CalibrationTable.of(new CalibrationTable.Key("arch0", "seeded:1", "d", List.of("i"),
                CalibrationMethod.ENTROPY, "g"), Map.of("input", new CalibrationTable.Range(-2f, 2f)));
        ModelArtifact a = GraphChoice.select(source, settings(Precision.INT8, true), table);
        assertEquals(Precision.INT8, a.precision());
        assertTrue(a.labelsOut());
        assertEquals(List.of("int8:symmetric_int8:" + table.sha256() + "+labels"), source.asked,
                "TensorRT's explicit quantization takes symmetric int8 with float biases");
        assertThrows(IllegalArgumentException.class, () -> GraphChoice.select(source, settings(Precision.INT8, false)),
                "no table");
    }

    /**
     * {@code --int8-fallback}: the harness hands TensorRT the model with its float-kept layers, and the explicit-
     * quantization network is built from the QDQ graph without Q/DQ around them (float layers of a strongly typed
     * network). Compiled and tested here on the CPU only; no GPU ran it.
     */
    @Test
    void int8SessionsOfAModelWithFloatKeptLayersTakeTheGraphWithoutTheirQdq() throws Exception {
        RecordingSource source = new RecordingSource();
        CalibrationTable table = CalibrationTable.of(new CalibrationTable.Key("arch0", "seeded:1", "d", List.of("i"),
                CalibrationMethod.ENTROPY, "g"), Map.of("input", new CalibrationTable.Range(-2f, 2f)));
        ModelSource.Int8Graphs kept = source.int8().orElseThrow().keepingInFloat(java.util.Set.of("conv7", "conv2"));
        ModelSource withKept = source.withInt8(java.util.Optional.of(kept));
        GraphChoice.select(withKept, settings(Precision.INT8, false), table);
        assertEquals(List.of("int8:symmetric_int8:" + table.sha256(), "float:[conv2, conv7]"), source.asked);
    }

    @Test
    void aWrongVariantIsRefused() {
        RecordingSource source = new RecordingSource();
        source.lie = true;
        BackendException e = assertThrows(BackendException.class, () -> GraphChoice.select(source, settings(Precision.FP16, false)));
        assertEquals(BackendException.Code.MODEL_INVALID, e.code());
        assertTrue(e.getMessage().contains("asked for fp16"), e.getMessage());
    }

    @Test
    void exportFailureBecomesModelInvalid() {
        RecordingSource source = new RecordingSource();
        source.fail = true;
        BackendException e = assertThrows(BackendException.class, () -> GraphChoice.select(source, settings(Precision.FP32, true)));
        assertEquals(BackendException.Code.MODEL_INVALID, e.code());
        assertTrue(e.getMessage().contains("arch0 (fp32, labels-out)") && e.getMessage().contains("export exploded"),
                e.getMessage());
    }
}
