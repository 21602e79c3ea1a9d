package dev.segbench.backend.tensorrt;

import dev.segbench.api.io.AtomicFiles;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A directory of cache entries ({@link CacheEntry} format), written atomically. An entry that fails
 * validation is deleted with a warning and reported as a miss, so the caller rebuilds it.
 *
 * <p>Layout: {@code <dir>/<label>-<key digest>.engine} for engines ({@code label} is for humans, e.g.
 * "arch0-fp16"), {@code <dir>/timing-<digest>.cache} for timing caches.
 */
public final class EngineCache {

    private static final System.Logger LOG = System.getLogger(EngineCache.class.getName());

    private final Path dir;

    public EngineCache(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    public Path enginePath(String label, String keyDigest) {
        return dir.resolve(safe(label) + "-" + keyDigest + ".engine");
    }

    public Path timingCachePath(String digest) {
        return dir.resolve("timing-" + digest + ".cache");
    }

    /** The entry's payload if it exists and is valid for {@code keyDigest}; an invalid entry is deleted. */
    public Optional<byte[]> load(Path entry, String keyDigest) {
        byte[] file;
        try {
            file = Files.readAllBytes(entry);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot read cache entry {0}: {1}; rebuilding", entry, e.toString());
            return Optional.empty();
        }
        return switch (CacheEntry.decode(file, keyDigest)) {
            case CacheEntry.Valid v -> Optional.of(v.payload());
            case CacheEntry.Invalid bad -> {
                invalidate(entry, bad.reason());
                yield Optional.empty();
            }
        };
    }

    /** Writes the entry atomically (readers see the old file or the whole new one). */
    public void store(Path entry, String keyDigest, byte[] payload) throws IOException {
        AtomicFiles.write(entry, CacheEntry.encode(keyDigest, payload));
    }

    /** Deletes an entry that cannot be used (also for a valid file TensorRT refuses to deserialise). */
    public void invalidate(Path entry, String reason) {
        LOG.log(Level.WARNING, "discarding cache entry {0}: {1}; it will be rebuilt", entry, reason);
        try {
            Files.deleteIfExists(entry);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot delete cache entry {0}: {1}", entry, e.toString());
        }
    }

    private static String safe(String label) {
        return label.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
