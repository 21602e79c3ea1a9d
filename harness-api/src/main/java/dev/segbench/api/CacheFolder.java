package dev.segbench.api;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The folder where plugins may keep what is costly to make and safe to reuse across runs (compiled engines,
 * extracted native libraries). The harness names it in the system property {@value #PROPERTY} (from
 * {@code --cache-dir}; absent with {@code --cache-dir none}), in its own JVM and in every run's child JVM.
 */
public final class CacheFolder {

    public static final String PROPERTY = "segbench.cache.dir";

    private CacheFolder() {
    }

    /** The cache folder, or empty when caching is off. */
    public static Optional<Path> get() {
        String dir = System.getProperty(PROPERTY);
        return dir == null || dir.isBlank() ? Optional.empty() : Optional.of(Path.of(dir));
    }
}
