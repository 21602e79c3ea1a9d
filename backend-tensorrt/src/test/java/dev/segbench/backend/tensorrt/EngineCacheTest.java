package dev.segbench.backend.tensorrt;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class EngineCacheTest {

    @TempDir
    Path dir;

    private static final String KEY = dev.segbench.api.io.Sha256.hex("key".getBytes());
    private static final String OTHER_KEY = dev.segbench.api.io.Sha256.hex("other".getBytes());

    private static byte[] payload() {
        byte[] p = new byte[10_000];
        new Random(7).nextBytes(p);
        return p;
    }

    private EngineCache cache() {
        return new EngineCache(dir.resolve("tensorrt"));
    }

    @Test
    void storesAndLoadsAPayload() throws Exception {
        EngineCache cache = cache();
        Path entry = cache.enginePath("arch0-fp16", KEY);
        assertEquals(dir.resolve("tensorrt").resolve("arch0-fp16-" + KEY + ".engine"), entry);
        assertTrue(cache.load(entry, KEY).isEmpty(), "missing entry is a miss");
        cache.store(entry, KEY, payload());
        assertArrayEquals(payload(), cache.load(entry, KEY).orElseThrow());
        assertEquals(CacheEntry.HEADER_BYTES + payload().length, Files.size(entry));
        try (var files = Files.list(entry.getParent())) {
            assertEquals(1, files.count(), "no temporary files left behind");
        }
    }

    @Test
    void truncatedEntryIsDeletedAndMissed() throws Exception {
        Path entry = storeValid();
        byte[] bytes = Files.readAllBytes(entry);
        Files.write(entry, Arrays.copyOf(bytes, bytes.length - 100));
        assertInvalidated(entry, KEY);
    }

    @Test
    void truncatedHeaderIsDeletedAndMissed() throws Exception {
        Path entry = storeValid();
        Files.write(entry, Arrays.copyOf(Files.readAllBytes(entry), 20));
        assertInvalidated(entry, KEY);
    }

    @Test
    void flippedPayloadByteIsDeletedAndMissed() throws Exception {
        Path entry = storeValid();
        byte[] bytes = Files.readAllBytes(entry);
        bytes[CacheEntry.HEADER_BYTES + 1234] ^= 0x01;
        Files.write(entry, bytes);
        assertInvalidated(entry, KEY);
    }

    @Test
    void flippedMagicIsDeletedAndMissed() throws Exception {
        Path entry = storeValid();
        byte[] bytes = Files.readAllBytes(entry);
        bytes[0] ^= 0x20;
        Files.write(entry, bytes);
        assertInvalidated(entry, KEY);
    }

    @Test
    void entryWrittenForAnotherKeyIsDeletedAndMissed() throws Exception {
        Path entry = storeValid();
        assertInvalidated(entry, OTHER_KEY);
    }

    @Test
    void rawEnginePlanWithoutHeaderIsNeverLoaded() throws Exception {
        EngineCache cache = cache();
        Path entry = cache.enginePath("arch1-fp32", KEY);
        Files.createDirectories(entry.getParent());
        Files.write(entry, payload()); // e.g. a trtexec --saveEngine file dropped in by hand
        assertInvalidated(entry, KEY);
    }

    @Test
    void decodeNamesTheProblem() {
        byte[] good = CacheEntry.encode(KEY, payload());
        assertInstanceOf(CacheEntry.Valid.class, CacheEntry.decode(good, KEY));
        assertTrue(reason(CacheEntry.decode(good, OTHER_KEY)).startsWith("written for another key"));
        assertTrue(reason(CacheEntry.decode(Arrays.copyOf(good, good.length - 1), KEY)).startsWith("payload length mismatch"));
        byte[] flipped = good.clone();
        flipped[flipped.length - 1] ^= 0x40;
        assertEquals("payload checksum mismatch (corrupted)", reason(CacheEntry.decode(flipped, KEY)));
        assertTrue(reason(CacheEntry.decode(new byte[3], KEY)).startsWith("truncated header"));
    }

    @Test
    void invalidateDeletes() throws Exception {
        Path entry = storeValid();
        cache().invalidate(entry, "TensorRT could not deserialise it");
        assertFalse(Files.exists(entry));
    }

    @Test
    void rewritingReplacesTheEntry() throws Exception {
        EngineCache cache = cache();
        Path entry = cache.timingCachePath(KEY);
        cache.store(entry, KEY, new byte[] {1, 2, 3});
        cache.store(entry, KEY, new byte[] {4, 5});
        assertArrayEquals(new byte[] {4, 5}, cache.load(entry, KEY).orElseThrow());
    }

    private Path storeValid() throws Exception {
        EngineCache cache = cache();
        Path entry = cache.enginePath("arch0-fp16", KEY);
        cache.store(entry, KEY, payload());
        return entry;
    }

    private void assertInvalidated(Path entry, String key) {
        assertTrue(cache().load(entry, key).isEmpty(), "an invalid entry must be a miss");
        assertFalse(Files.exists(entry), "an invalid entry must be deleted so it is rebuilt");
    }

    private static String reason(CacheEntry.Decoded d) {
        return assertInstanceOf(CacheEntry.Invalid.class, d).reason();
    }
}
