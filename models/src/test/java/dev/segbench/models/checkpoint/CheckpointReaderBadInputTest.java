package dev.segbench.models.checkpoint;

import static dev.segbench.models.checkpoint.TorchSaveWriter.contiguousStrides;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.api.ModelException;
import dev.segbench.models.checkpoint.TorchSaveWriter.Storage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import net.razorvine.pickle.Unpickler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every way a checkpoint can be bad yields a one-line ModelException naming the file and the problem. */
class CheckpointReaderBadInputTest {
    @TempDir
    Path dir;

    /** Reads {@code file} expecting failure; checks the message is one line that starts with the file. */
    private static String failure(Path file) {
        ModelException e = assertThrows(ModelException.class, () -> CheckpointReader.read(file));
        String message = e.getMessage();
        assertTrue(message.startsWith(file + ": "), message);
        assertFalse(message.contains("\n") || message.contains("\r"), message);
        assertFalse(message.contains("Exception"), "no exception class names leak: " + message);
        return message;
    }

    private static void assertFailsWith(Path file, String fragment) {
        String message = failure(file);
        assertTrue(message.contains(fragment), message);
    }

    private static TorchSaveWriter small() {
        Storage s = TorchSaveWriter.floats("1", 1, 2, 3, 4, 5, 6);
        return new TorchSaveWriter().add("a.weight", s, 0, new long[] {2, 3}, contiguousStrides(2, 3))
                .add("a.bias", TorchSaveWriter.floats("2", 7, 8), 0, new long[] {2}, new long[] {1});
    }

    @Test
    void missingFile() {
        assertFailsWith(dir.resolve("nope.pth"), "no such checkpoint file");
    }

    @Test
    void directoryInsteadOfFile() {
        assertFailsWith(dir, "is a directory");
    }

    @Test
    void randomBytesAndEmptyFileAreNotCheckpoints() throws Exception {
        byte[] random = new byte[4096];
        new Random(42).nextBytes(random);
        random[0] = (byte) 0x80; // even starting like a pickle
        random[1] = 2;
        assertFailsWith(Files.write(dir.resolve("random.pth"), random), "not a PyTorch checkpoint");
        assertFailsWith(Files.write(dir.resolve("empty.pth"), new byte[0]), "not a PyTorch checkpoint");
    }

    @Test
    void truncatedLegacyCheckpoint() throws Exception {
        byte[] whole = Files.readAllBytes(small().writeLegacy(dir.resolve("whole.pth")));
        // cut inside the raw storage bytes, and inside the object pickle
        Path inStorages = Files.write(dir.resolve("cut1.pth"), Arrays.copyOf(whole, whole.length - 5));
        assertFailsWith(inStorages, "truncated checkpoint: storage 2 needs 2 float32 elements");
        Path inPickle = Files.write(dir.resolve("cut2.pth"), Arrays.copyOf(whole, 300));
        assertFailsWith(inPickle, "truncated checkpoint: the pickle ends early");
    }

    @Test
    void truncatedZipCheckpoint() throws Exception {
        byte[] whole = Files.readAllBytes(small().writeZip(dir.resolve("whole.pth"), "archive"));
        Path cut = Files.write(dir.resolve("cut.pth"), Arrays.copyOf(whole, whole.length / 2));
        assertFailsWith(cut, "truncated or corrupt zip");
    }

    @Test
    void truncatedReferenceCheckpoints() throws Exception {
        Path reference = CheckpointReaderFixtureTest.referenceDir();
        // arch0 is legacy (cut inside the raw storages), arch1 zip (the central directory is gone)
        Map<String, String> expected = Map.of("arch0", "truncated checkpoint: storage ", "arch1",
                "truncated or corrupt zip archive");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            byte[] whole = Files.readAllBytes(reference.resolve(e.getKey() + "-seed1.pth"));
            Path cut = Files.write(dir.resolve(e.getKey() + "-cut.pth"), Arrays.copyOf(whole, whole.length * 2 / 3));
            assertFailsWith(cut, e.getValue());
        }
    }

    @Test
    void zipThatIsNotACheckpoint() throws Exception {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("docs/readme.txt", "hello".getBytes());
        entries.put("data.pkl", new PickleBuilder().proto(2).emptyDict().stop().toByteArray()); // not in a folder
        Path file = Files.write(dir.resolve("notes.pth"), TorchSaveWriter.zip(entries));
        assertFailsWith(file, "has no <folder>/data.pkl");
    }

    @Test
    void zipMissingAStorageRecord() throws Exception {
        byte[] pickle = small().objectPickle(false);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("m/data.pkl", pickle);
        entries.put("m/data/1", new byte[24]);
        Path file = Files.write(dir.resolve("partial.pth"), TorchSaveWriter.zip(entries));
        assertFailsWith(file, "lacks the storage record m/data/2");
    }

    /** A legacy checkpoint whose object pickle calls {@code module.name("touch /tmp/pwned")}. */
    private static byte[] callingGlobal(String module, String name, boolean stackGlobal) {
        PickleBuilder p = new PickleBuilder().proto(stackGlobal ? 4 : 2);
        if (stackGlobal) p.stackGlobal(module, name); else p.global(module, name);
        return p.mark().str("touch /tmp/pwned").tuple().reduce().stop().toByteArray();
    }

    @Test
    void refusesOsSystemWhenTheGlobalIsRead() throws Exception {
        for (boolean stackGlobal : new boolean[] {false, true}) {
            Path file = Files.write(dir.resolve("evil.pth"),
                    TorchSaveWriter.legacy(callingGlobal("os", "system", stackGlobal), List.of()));
            assertEquals(file + ": refuses to load: the pickle names the global os.system (only PyTorch tensor"
                    + " state_dicts are accepted)", failure(file));
        }
        Path eval = Files.write(dir.resolve("eval.pth"), TorchSaveWriter.legacy(
                callingGlobal("builtins", "eval", false), List.of()));
        assertFailsWith(eval, "names the global builtins.eval");
    }

    @Test
    void refusedGlobalIsNeverConstructedOrCalled() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        // razorvine's shared registry: a unique name, so no other code can be affected by this test
        Unpickler.registerConstructor("segbench_test_only", "side_effect", args -> calls.incrementAndGet());
        byte[] pickle = callingGlobal("segbench_test_only", "side_effect", false);
        new Unpickler().loads(pickle);
        assertEquals(1, calls.get(), "a plain razorvine Unpickler does call it");

        Path zipped = Files.write(dir.resolve("evil-zip.pth"), TorchSaveWriter.zip(Map.of("x/data.pkl", pickle)));
        Path legacy = Files.write(dir.resolve("evil-legacy.pth"), TorchSaveWriter.legacy(pickle, List.of()));
        for (Path file : List.of(zipped, legacy)) {
            assertFailsWith(file, "names the global segbench_test_only.side_effect");
        }
        assertEquals(1, calls.get(), "the checkpoint reader never called it");
    }

    @Test
    void refusesAForbiddenGlobalHiddenInsideAStateDict() throws Exception {
        // the global is only loaded and dropped (POP), never called: still refused
        TorchSaveWriter w = small().extraItem(p -> p.str("extra").global("subprocess", "Popen").pop().integer(1));
        Path file = w.writeZip(dir.resolve("hidden.pth"), "archive");
        assertFailsWith(file, "names the global subprocess.Popen");
    }

    @Test
    void unsupportedStorageType() throws Exception {
        Storage complex = TorchSaveWriter.raw("ComplexFloatStorage", "1", 2, new byte[16]);
        Path file = new TorchSaveWriter().add("c", complex, 0, new long[] {2}, new long[] {1})
                .writeLegacy(dir.resolve("complex.pth"));
        assertFailsWith(file, "unsupported storage type torch.ComplexFloatStorage");
    }

    @Test
    void unsupportedTensorKind() throws Exception {
        byte[] pickle = new PickleBuilder().proto(2).global("torch._utils", "_rebuild_qtensor").stop().toByteArray();
        Path file = Files.write(dir.resolve("quantized.pth"), TorchSaveWriter.legacy(pickle, List.of()));
        assertFailsWith(file, "unsupported tensor kind torch._utils._rebuild_qtensor");
    }

    @Test
    void storageShorterThanTheTensorNeeds() throws Exception {
        Storage s = TorchSaveWriter.floats("1", 1, 2, 3, 4);
        for (String format : List.of("legacy", "zip")) {
            TorchSaveWriter w = new TorchSaveWriter().add("too.big", s, 1, new long[] {2, 2}, contiguousStrides(2, 2));
            Path file = format.equals("zip") ? w.writeZip(dir.resolve("short.pth"), "a")
                    : w.writeLegacy(dir.resolve("short.pth"));
            String message = failure(file);
            assertTrue(message.contains("is shorter than tensor 'too.big' needs"), message);
        }
    }

    @Test
    void notAStateDict() throws Exception {
        Path file = small().extraItem(p -> p.str("epoch").integer(3)).writeLegacy(dir.resolve("mixed.pth"));
        assertFailsWith(file, "not a state_dict: entry 'epoch' is a number, not a tensor");
        byte[] list = new PickleBuilder().proto(2).emptyList().stop().toByteArray();
        Path notDict = Files.write(dir.resolve("list.pth"), TorchSaveWriter.legacy(list, List.of()));
        assertFailsWith(notDict, "not a state_dict: the checkpoint holds a list");
        byte[] badArgs = new PickleBuilder().proto(2).global("torch._utils", "_rebuild_tensor_v2").mark()
                .str("not a storage").integer(0).tuple().reduce().stop().toByteArray();
        Path malformed = Files.write(dir.resolve("args.pth"), TorchSaveWriter.legacy(badArgs, List.of()));
        assertFailsWith(malformed, "malformed pickle");
    }

    @Test
    void shaPrefixInTheNameIsVerified() throws Exception {
        byte[] bytes = Files.readAllBytes(small().writeLegacy(dir.resolve("x.pth")));
        String sha = dev.segbench.api.io.Sha256.hex(bytes);

        Path wrong = Files.write(dir.resolve("segm-deadbeef.pth"), bytes);
        String message = failure(wrong);
        assertTrue(message.contains("SHA-256 mismatch") && message.contains("deadbeef") && message.contains(sha),
                message);

        Path right = Files.write(dir.resolve("segm-" + sha.substring(0, 8) + ".pth"), bytes);
        assertEquals(sha, CheckpointReader.read(right).sha256());
        Path noHash = Files.write(dir.resolve("arch0-seed1.pth"), bytes);
        assertEquals(2, CheckpointReader.read(noHash).tensors().size());
    }

    @Test
    void shaPrefixOfAReferenceCheckpoint() throws Exception {
        Path reference = CheckpointReaderFixtureTest.referenceDir().resolve("arch0-seed1.pth");
        String sha = CheckpointReaderFixtureTest.manifestEntry(reference.getParent(), "arch0").path("sha256").asText();
        Path wrong = Files.copy(reference, dir.resolve("segm-deadbeef.pth"));
        assertFailsWith(wrong, "expects a hash starting with deadbeef but the file's SHA-256 is " + sha);
        Path right = Files.copy(reference, dir.resolve("segm-" + sha.substring(0, 8) + ".pth"));
        assertEquals(1052, CheckpointReader.read(right).tensors().size());
    }
}
