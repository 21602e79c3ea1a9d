package dev.segbench.models.checkpoint;

import static dev.segbench.models.checkpoint.TorchSaveWriter.contiguousStrides;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.segbench.models.checkpoint.TorchSaveWriter.Storage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Writes small checkpoints with the test-only torch.save writer and reads them back, in both formats. */
class CheckpointReaderRoundTripTest {
    @TempDir
    Path dir;

    private static final float[] BASE = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    private static final float[] HALF_VALUES = {0.5f, -2f, 1024f, 65504f, 0x1p-24f, -0f, 3.140625f};

    private static TorchSaveWriter sample() {
        Storage base = TorchSaveWriter.floats("140001", BASE);
        TorchSaveWriter w = new TorchSaveWriter()
                .add("z.conv.weight", base, 0, new long[] {2, 3}, contiguousStrides(2, 3))
                // a view at a non-zero offset of the same storage
                .add("y.view", base, 5, new long[] {2, 2}, contiguousStrides(2, 2))
                // a transposed (non-contiguous) view: [3,2] with strides (1, 4), starting at 1
                .add("x.transposed", base, 1, new long[] {3, 2}, new long[] {1, 4})
                .add("w.half", TorchSaveWriter.halfs("140002", HALF_VALUES), 0, new long[] {7}, new long[] {1})
                .add("v.bf16", TorchSaveWriter.bfloat16s("140003", 1.5f, -0.25f, 256f), 1, new long[] {2}, new long[] {1})
                .add("u.double", TorchSaveWriter.doubles("140004", 0.1, 1e30), 0, new long[] {2}, new long[] {1})
                .add("t.num_batches_tracked", TorchSaveWriter.longs("140005", 400L), 0, new long[0], new long[0])
                .add("s.int32", TorchSaveWriter.ints("140006", -7, Integer.MAX_VALUE), 0, new long[] {1, 2},
                        new long[] {2, 1})
                .add("r.bool", TorchSaveWriter.raw("BoolStorage", "140007", 3, new byte[] {1, 0, 1}), 0,
                        new long[] {3}, new long[] {1})
                .add("q.empty", TorchSaveWriter.floats("140008"), 0, new long[] {0, 4}, new long[] {4, 1});
        // enough keys, in reverse alphabetical order, that a HashMap would scramble them
        for (int i = 30; i > 0; i--) {
            w.add(String.format("p%02d.bias", i), TorchSaveWriter.floats("2" + i, i), 0, new long[] {1}, new long[] {1});
        }
        return w;
    }

    private Checkpoint write(TorchSaveWriter writer, String format) throws Exception {
        Path file = format.equals("zip")
                ? writer.writeZip(dir.resolve("sample.pth"), "any_folder_name")
                : writer.writeLegacy(dir.resolve("sample.pth"));
        return CheckpointReader.read(file);
    }

    @ParameterizedTest
    @ValueSource(strings = {"legacy", "zip"})
    void roundTripsTensorsViewsAndDtypes(String format) throws Exception {
        Checkpoint c = write(sample(), format);
        assertEquals(format, c.format());
        assertEquals(dev.segbench.api.io.Sha256.hex(Files.readAllBytes(c.file())), c.sha256());

        List<String> expectedOrder = new ArrayList<>(List.of("z.conv.weight", "y.view", "x.transposed", "w.half",
                "v.bf16", "u.double", "t.num_batches_tracked", "s.int32", "r.bool", "q.empty"));
        for (int i = 30; i > 0; i--) expectedOrder.add(String.format("p%02d.bias", i));
        assertEquals(expectedOrder, List.copyOf(c.tensors().keySet()));

        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, c.tensors().get("z.conv.weight").floats());
        assertArrayEquals(new long[] {2, 3}, c.tensors().get("z.conv.weight").shape());
        assertArrayEquals(new float[] {5, 6, 7, 8}, c.tensors().get("y.view").floats());

        // expected values of the strided view, gathered here by the definition of strides
        float[] transposed = new float[6];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 2; j++) transposed[i * 2 + j] = BASE[1 + i * 1 + j * 4];
        }
        assertArrayEquals(transposed, c.tensors().get("x.transposed").floats());
        assertArrayEquals(new float[] {1, 5, 2, 6, 3, 7}, transposed);

        CheckpointTensor half = c.tensors().get("w.half");
        assertEquals("float16", half.dtype());
        assertArrayEquals(HALF_VALUES, half.floats());
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(half.floats()[5]), "sign of -0 kept");

        assertEquals("bfloat16", c.tensors().get("v.bf16").dtype());
        assertArrayEquals(new float[] {-0.25f, 256f}, c.tensors().get("v.bf16").floats());
        assertEquals("float64", c.tensors().get("u.double").dtype());
        assertArrayEquals(new float[] {0.1f, 1e30f}, c.tensors().get("u.double").floats());

        CheckpointTensor batches = c.tensors().get("t.num_batches_tracked");
        assertEquals("int64", batches.dtype());
        assertArrayEquals(new long[0], batches.shape());
        assertArrayEquals(new long[] {400}, batches.longs());
        assertNull(batches.floats());

        assertEquals("int32", c.tensors().get("s.int32").dtype());
        assertArrayEquals(new long[] {-7, Integer.MAX_VALUE}, c.tensors().get("s.int32").longs());
        assertArrayEquals(new long[] {1, 0, 1}, c.tensors().get("r.bool").longs());
        assertEquals(0, c.tensors().get("q.empty").floats().length);
        assertArrayEquals(new float[] {17}, c.tensors().get("p17.bias").floats());
    }

    @ParameterizedTest
    @ValueSource(strings = {"state_dict", "model"})
    void acceptsAStateDictWrappedInATrainingCheckpoint(String wrapper) throws Exception {
        Checkpoint c = write(sample().wrappedUnder(wrapper), "legacy");
        assertEquals(40, c.tensors().size());
        assertArrayEquals(new float[] {5, 6, 7, 8}, c.tensors().get("y.view").floats());
    }

    @Test
    void acceptsProtocol4GlobalsAndParameters() throws Exception {
        // STACK_GLOBAL (protocol 4) and torch._utils._rebuild_parameter wrapping a tensor, as nn.Parameter pickles
        Storage s = TorchSaveWriter.floats("9", 2.5f, 3.5f);
        byte[] pickle = new PickleBuilder().proto(4)
                .stackGlobal("collections", "OrderedDict").emptyTuple().reduce().mark()
                .str("weight").stackGlobal("torch._utils", "_rebuild_parameter").mark()
                .stackGlobal("torch._utils", "_rebuild_tensor_v2").mark()
                .mark().str("storage").stackGlobal("torch", "FloatStorage").str("9").str("cpu").integer(2).none()
                .tuple().binpersid().integer(0).mark().integer(2).tuple().mark().integer(1).tuple().bool(true)
                .stackGlobal("collections", "OrderedDict").emptyTuple().reduce().tuple().reduce()
                .bool(true).stackGlobal("collections", "OrderedDict").emptyTuple().reduce().tuple().reduce()
                .setitems().stop().toByteArray();
        Path file = Files.write(dir.resolve("param.pth"), TorchSaveWriter.legacy(pickle, List.of(s)));
        Checkpoint c = CheckpointReader.read(file);
        assertArrayEquals(new float[] {2.5f, 3.5f}, c.tensors().get("weight").floats());
    }

    @Test
    void resolvesLegacyStorageViews() throws Exception {
        // pre-1.0 torch.save could persist a storage view: ('storage', type, root_key, location, root_numel,
        // (view_key, view_offset, view_numel)); the tensor offset is then relative to the view
        Storage root = TorchSaveWriter.floats("7", 10, 11, 12, 13, 14, 15);
        byte[] pickle = new PickleBuilder().proto(2)
                .global("collections", "OrderedDict").emptyTuple().reduce().mark()
                .str("viewed").global("torch._utils", "_rebuild_tensor_v2").mark()
                .mark().str("storage").global("torch", "FloatStorage").str("7").str("cpu").integer(6)
                .mark().str("7v").integer(2).integer(3).tuple().tuple().binpersid()
                .integer(1).mark().integer(2).tuple().mark().integer(1).tuple().bool(false)
                .global("collections", "OrderedDict").emptyTuple().reduce().tuple().reduce()
                .setitems().stop().toByteArray();
        Path file = Files.write(dir.resolve("view.pth"), TorchSaveWriter.legacy(pickle, List.of(root)));
        assertArrayEquals(new float[] {13, 14}, CheckpointReader.read(file).tensors().get("viewed").floats());
    }
}
