package dev.segbench.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.api.ModelException;
import dev.segbench.api.Precision;
import dev.segbench.api.WeightsInfo;
import dev.segbench.api.WeightsSpec;
import dev.segbench.models.checkpoint.CheckpointTensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Binding a state_dict to a genotype's layout: what is ignored, and how mismatches are reported. */
class StateDictBindingTest {

    private static final String SOURCE = "/tmp/segm-test.pth";
    private final NasSegmModel arch1 = (NasSegmModel) new NasSegmCatalog().find("arch1").orElseThrow();
    private final Layout layout = arch1.layout();

    /** A state_dict in the released layout: every tensor plus aux-cell weights and num_batches_tracked. */
    private Map<String, CheckpointTensor> releasedStyleStateDict() {
        StateDict seeded = StateDict.seeded(layout, 3);
        Map<String, CheckpointTensor> sd = new LinkedHashMap<>();
        layout.tensors().forEach((k, shape) -> {
            sd.put(k, new CheckpointTensor(k, shape, "float32", seeded.get(k), null));
            if (k.endsWith(".running_var")) {
                String n = k.replace(".running_var", ".num_batches_tracked");
                sd.put(n, new CheckpointTensor(n, new long[0], "int64", null, new long[] {400}));
            }
        });
        String aux = "decoder.aux_clfs.0.aux_clf.conv.weight";
        sd.put(aux, new CheckpointTensor(aux, new long[] {21, 64, 1, 1}, "float32", new float[21 * 64], null));
        return sd;
    }

    @Test
    void bindsEveryLayoutTensorAndIgnoresAuxAndBatchCounters() throws ModelException {
        Map<String, CheckpointTensor> sd = releasedStyleStateDict();
        StateDict bound = StateDict.bind(layout, sd, SOURCE, "arch1");
        assertEquals(layout.tensors().keySet(), bound.tensors().keySet());
        String key = "decoder.cells.2.op_1._ops.0.op.sep_1.1.weight";
        assertArrayEquals(sd.get(key).floats(), bound.get(key));
    }

    @Test
    void wrongShapeIsReportedWithBothShapes() {
        Map<String, CheckpointTensor> sd = releasedStyleStateDict();
        String key = "encoder.layer3.1.conv.4.weight";
        sd.put(key, new CheckpointTensor(key, new long[] {145}, "float32", new float[145], null));
        ModelException e = assertThrows(ModelException.class, () -> StateDict.bind(layout, sd, SOURCE, "arch1"));
        assertEquals(SOURCE + ": checkpoint does not fit arch1: 1 wrong shape or dtype ("
                + key + " float32[145] (expected [144]))", e.getMessage());
    }

    @Test
    void integerTensorWhereFloatsBelongIsRejected() {
        Map<String, CheckpointTensor> sd = releasedStyleStateDict();
        String key = "decoder.conv_clf.bias";
        sd.put(key, new CheckpointTensor(key, new long[] {21}, "int64", null, new long[21]));
        ModelException e = assertThrows(ModelException.class, () -> StateDict.bind(layout, sd, SOURCE, "arch1"));
        assertTrue(e.getMessage().contains("1 wrong shape or dtype (decoder.conv_clf.bias int64[21]"), e.getMessage());
    }

    @Test
    void missingAndUnexpectedKeysAreListedTogetherInOneLine() {
        Map<String, CheckpointTensor> sd = releasedStyleStateDict();
        List<String> removed = new ArrayList<>(layout.tensors().keySet()).subList(10, 17);
        removed.forEach(sd::remove);
        sd.put("module.extra.weight", new CheckpointTensor("module.extra.weight", new long[] {1}, "float32",
                new float[1], null));
        sd.put("decoder.cells.3.agg.branch_1.0.weight", new CheckpointTensor("decoder.cells.3.agg.branch_1.0.weight",
                new long[] {64, 64, 1, 1}, "float32", new float[64 * 64], null));
        ModelException e = assertThrows(ModelException.class, () -> StateDict.bind(layout, sd, SOURCE, "arch1"));
        String msg = e.getMessage();
        assertFalse(msg.contains("\n"), msg);
        assertTrue(msg.startsWith(SOURCE + ": checkpoint does not fit arch1: 7 missing ("
                + String.join(", ", removed.subList(0, 5)) + ", ... 2 more); 2 unexpected (module.extra.weight, "
                + "decoder.cells.3.agg.branch_1.0.weight)"), msg);
    }

    @Test
    void nonFiniteWeightsAreRejectedNamingTheTensor() {
        Map<String, CheckpointTensor> sd = releasedStyleStateDict();
        String key = "decoder.pre_clf.1.running_var";
        float[] values = sd.get(key).floats().clone();
        values[3] = Float.NaN;
        sd.put(key, new CheckpointTensor(key, new long[] {64}, "float32", values, null));
        ModelException e = assertThrows(ModelException.class, () -> StateDict.bind(layout, sd, SOURCE, "arch1"));
        assertEquals(SOURCE + ": checkpoint does not fit arch1: 1 with NaN or infinite values (" + key + ")",
                e.getMessage());
    }

    @Test
    void fp16GraphRefusesAWeightThatBatchNormFoldingPushesPastTheHalfRange() throws ModelException {
        Map<String, CheckpointTensor> sd = releasedStyleStateDict();
        // gamma 1e4 over sqrt(0 + 1e-5) scales the conv weights by ~3e6: fine in FP32, Inf in FP16
        String gamma = "decoder.pre_clf.1.weight";
        float[] big = new float[64];
        Arrays.fill(big, 1e4f);
        sd.put(gamma, new CheckpointTensor(gamma, new long[] {64}, "float32", big, null));
        String var = "decoder.pre_clf.1.running_var";
        sd.put(var, new CheckpointTensor(var, new long[] {64}, "float32", new float[64], null));
        NasSegmModelSource source = new NasSegmModelSource(arch1,
                WeightsInfo.checkpoint("0".repeat(64), SOURCE), StateDict.bind(layout, sd, SOURCE,
                "arch1"));
        assertTrue(source.artifact(Precision.FP32, false).onnx().length > 0);
        ModelException e = assertThrows(ModelException.class,
                () -> source.artifact(Precision.FP16, false));
        assertTrue(e.getMessage().startsWith(SOURCE + ": cannot build the fp16 graph of arch1: tensor "
                + "decoder.pre_clf.0.weight holds "), e.getMessage());
        assertTrue(e.getMessage().endsWith("beyond the FP16 range (+-65504)"), e.getMessage());
    }

    /** The real thing: arch0's checkpoint offered for arch1 fails with one line naming the file. */
    @Test
    void checkpointOfAnotherModelIsRejectedByTheCatalogue() {
        Path shared = Fixtures.shared("loading arch0's checkpoint as arch1");
        Path file = Fixtures.reference(shared).resolve("arch0-seed1.pth");
        ModelException e = assertThrows(ModelException.class,
                () -> new NasSegmCatalog().load("arch1", WeightsSpec.checkpoint(file)));
        assertTrue(e.getMessage().startsWith(file + ": checkpoint does not fit nas-segm arch1 [[2, "), e.getMessage());
        assertTrue(e.getMessage().contains(" missing (") && e.getMessage().contains(" unexpected ("), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }
}
