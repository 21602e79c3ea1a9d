package dev.segbench.models.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.segbench.testfixtures.SharedFixtures;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Reads the reference checkpoints in ../shared (PyTorch-written, legacy and zip) and checks them against the manifest. */
class CheckpointReaderFixtureTest {

    static Path referenceDir() {
        return SharedFixtures.reference("the PyTorch-written checkpoint tests");
    }

    static JsonNode manifestEntry(Path dir, String model) throws Exception {
        return new ObjectMapper().readTree(dir.resolve("manifest-seed1.json").toFile()).path("models").path(model);
    }

    @ParameterizedTest
    @ValueSource(strings = {"arch0", "arch1", "arch2"})
    void readsReferenceCheckpointLikeTheManifestSays(String model) throws Exception {
        Path dir = referenceDir();
        JsonNode entry = manifestEntry(dir, model);
        Checkpoint checkpoint = CheckpointReader.read(dir.resolve(model + "-seed1.pth"));

        assertEquals(entry.path("format").asText(), checkpoint.format());
        assertEquals(entry.path("sha256").asText(), checkpoint.sha256());
        assertEquals(entry.path("state_dict_keys").asInt(), checkpoint.tensors().size());

        List<String> keys = List.copyOf(checkpoint.tensors().keySet());
        assertTrue(keys.get(0).startsWith("encoder.layer1"), "first key in file order: " + keys.get(0));
        // module registration order: encoder before decoder, and layer1's conv before its BN
        assertEquals("encoder.layer1.0.weight", keys.get(0));
        assertEquals("encoder.layer1.1.weight", keys.get(1));
        assertTrue(keys.indexOf("encoder.layer8.0.conv.7.num_batches_tracked") < keys.indexOf("decoder.adapt1.0.weight"));

        CheckpointTensor firstConv = checkpoint.tensors().get("encoder.layer1.0.weight");
        assertArrayEquals(new long[] {32, 3, 3, 3}, firstConv.shape());
        assertEquals("float32", firstConv.dtype());
        assertEquals(32 * 3 * 3 * 3, firstConv.floats().length);
        assertNull(firstConv.longs());

        CheckpointTensor batches = checkpoint.tensors().get("encoder.layer1.1.num_batches_tracked");
        assertEquals("int64", batches.dtype());
        assertArrayEquals(new long[0], batches.shape());
        assertEquals(1, batches.longs().length);
        assertTrue(batches.longs()[0] > 0, "fitted for 400 steps: " + batches.longs()[0]);

        long params = 0;
        for (Map.Entry<String, CheckpointTensor> e : checkpoint.tensors().entrySet()) {
            CheckpointTensor t = e.getValue();
            assertEquals(e.getKey(), t.name());
            assertEquals(t.numel(), t.isFloating() ? t.floats().length : t.longs().length, t.name());
            if (t.isFloating()) {
                for (float v : t.floats()) assertTrue(Float.isFinite(v), t.name());
            }
            String name = e.getKey();
            if (!name.startsWith("decoder.aux_clfs.") && !name.contains("running_") && !name.endsWith("num_batches_tracked")) {
                params += t.numel();
            }
        }
        assertEquals(entry.path("params_without_aux").asLong(), params);
    }

    @Test
    void runningVarianceIsPositiveEverywhere() throws Exception {
        Checkpoint checkpoint = CheckpointReader.read(referenceDir().resolve("arch1-seed1.pth"));
        CheckpointTensor var = checkpoint.tensors().get("encoder.layer1.1.running_var");
        assertNotNull(var);
        for (float v : var.floats()) assertTrue(v > 0, "running_var " + v);
    }
}
