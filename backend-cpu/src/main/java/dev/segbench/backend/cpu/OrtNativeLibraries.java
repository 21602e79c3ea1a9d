package dev.segbench.backend.cpu;

import dev.segbench.api.CacheFolder;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Optional;

/**
 * ONNX Runtime's Java loader extracts its native libraries (28 MB on linux-x64) into a new temporary folder in
 * every process, which costs each run's child JVM a few hundred milliseconds and leaves the (empty) folder behind.
 * It also honours the documented system property {@code onnxruntime.native.path}, a folder that already holds
 * them: this extracts them once into the segbench cache folder ({@link CacheFolder}), per ONNX Runtime version and
 * platform, and points the property there. Without a cache folder, or on a platform whose libraries the jar does not
 * ship, ONNX Runtime loads as it always does.
 */
final class OrtNativeLibraries {

    static final String NATIVE_PATH_PROPERTY = "onnxruntime.native.path";
    private static final String[] LIBRARIES = {"onnxruntime", "onnxruntime4j_jni"};

    private OrtNativeLibraries() {
    }

    /** Sets {@value #NATIVE_PATH_PROPERTY} to the cached libraries, extracting them first if needed. Never throws. */
    static synchronized void useCache() {
        if (System.getProperty(NATIVE_PATH_PROPERTY) != null) {
            return; // the user chose, or this was done already
        }
        try {
            Optional<Path> cache = CacheFolder.get();
            String platform = platform();
            if (cache.isEmpty() || platform == null) {
                return;
            }
            String version = Optional.ofNullable(ai.onnxruntime.OrtEnvironment.class.getPackage().getImplementationVersion())
                    .orElse("unknown");
            Path dir = cache.get().resolve("onnxruntime-native").resolve(version + "-" + platform);
            for (String lib : LIBRARIES) {
                String file = System.mapLibraryName(lib);
                URL resource = ai.onnxruntime.OrtEnvironment.class.getResource("/ai/onnxruntime/native/" + platform + "/" + file);
                if (resource == null) {
                    return; // not shipped for this platform: let ONNX Runtime look where it looks
                }
                extract(resource, dir.resolve(file));
            }
            System.setProperty(NATIVE_PATH_PROPERTY, dir.toAbsolutePath().toString());
        } catch (IOException | RuntimeException e) {
            // an unwritable cache only costs the per-process extraction
        }
    }

    /** Copies the resource unless a file of its size is there; atomic, so processes extracting at once do not clash. */
    private static void extract(URL resource, Path target) throws IOException {
        long size = resource.openConnection().getContentLengthLong();
        if (Files.isRegularFile(target) && size >= 0 && Files.size(target) == size) {
            return;
        }
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".partial");
        try (InputStream in = resource.openStream()) {
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** ONNX Runtime's name for this platform's folder in its jar, or null. */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String a = arch.equals("amd64") || arch.equals("x86_64") ? "x64" : arch.equals("aarch64") ? "aarch64" : null;
        if (a == null) {
            return null;
        }
        if (os.contains("linux")) {
            return "linux-" + a;
        }
        if (os.contains("mac") || os.contains("darwin")) {
            return "osx-" + a;
        }
        return os.contains("win") ? "win-" + a : null;
    }
}
