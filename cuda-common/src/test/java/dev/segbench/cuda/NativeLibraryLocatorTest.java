package dev.segbench.cuda;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

class NativeLibraryLocatorTest {

    @TempDir
    Path tmp;

    private Path touch(Path dir, String name) throws Exception {
        Files.createDirectories(dir);
        return Files.write(dir.resolve(name), new byte[] {1});
    }

    @Test
    void firstDirectoryWithTheFileWins() throws Exception {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        Files.createDirectories(a);
        Path inB = touch(b, "libcuda.so.1");
        Path inFallback = touch(tmp.resolve("fallback"), "libcuda.so.1");
        NativeLibraryLocator locator = new NativeLibraryLocator(List.of(a, b), null, List.of(tmp.resolve("fallback")));
        assertEquals(Optional.of(inB), locator.find("libcuda.so.1"));
        assertTrue(locator.present("libcuda.so.1"));
        assertFalse(locator.present("libcudart.so.13"));
        Files.delete(inB);
        assertEquals(Optional.of(inFallback), locator.find("libcuda.so.1"));
    }

    @Test
    void danglingSymlinkIsNotALibrary() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("d"));
        Files.createSymbolicLink(dir.resolve("libcudart.so.13"), dir.resolve("libcudart.so.13.1.0-missing"));
        NativeLibraryLocator locator = new NativeLibraryLocator(List.of(dir), null, List.of());
        assertTrue(locator.find("libcudart.so.13").isEmpty());
        touch(dir, "libcudart.so.13.1.0-missing");
        assertTrue(locator.find("libcudart.so.13").isPresent());
    }

    @Test
    void readsFullPathsFromTheLinkerCacheStringTable() throws Exception {
        Path lib = touch(tmp.resolve("cuda/lib"), "libnvinfer.so.10");
        ByteArrayOutputStream cache = new ByteArrayOutputStream();
        cache.writeBytes("glibc-ld.so.cache1.1".getBytes(StandardCharsets.US_ASCII));
        cache.writeBytes(new byte[] {0, 7, 0, 0});
        for (String s : List.of("libnvinfer.so.10", "/nonexistent/libnvinfer.so.10", "/x/libnvinfer.so.100",
                lib.toString(), "libz.so.1", "/usr/lib/libz.so.1")) {
            cache.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
            cache.write(0);
        }
        Path cacheFile = Files.write(tmp.resolve("ld.so.cache"), cache.toByteArray());
        NativeLibraryLocator locator = new NativeLibraryLocator(List.of(), cacheFile, List.of());
        // the first matching entry does not exist on disk, the suffix-only near miss must not match
        assertEquals(Optional.of(lib), locator.find("libnvinfer.so.10"));
        assertTrue(locator.find("libnvonnxparser.so.10").isEmpty());
    }

    @Test
    void unreadableCacheIsJustAMiss() {
        NativeLibraryLocator locator = new NativeLibraryLocator(List.of(), tmp.resolve("no-such-cache"), List.of());
        assertTrue(locator.find("libcuda.so.1").isEmpty());
    }

    @Test
    void splitsPathListsDroppingBlanksAndDuplicates() {
        assertEquals(List.of(Path.of("/a"), Path.of("/b")), NativeLibraryLocator.split("/a::/b:/a: "));
        assertEquals(List.of(), NativeLibraryLocator.split(null));
        assertEquals(List.of(), NativeLibraryLocator.split(""));
    }

    @Test
    void descriptionSaysWhatWasSearched() {
        NativeLibraryLocator locator = new NativeLibraryLocator(List.of(tmp), Path.of("/etc/ld.so.cache"),
                NativeLibraryLocator.STANDARD_DIRS);
        String text = locator.searchedDescription();
        assertTrue(text.contains("LD_LIBRARY_PATH"), text);
        assertTrue(text.contains("/etc/ld.so.cache"), text);
        assertTrue(text.contains(NativeLibraryLocator.STANDARD_DIRS.size() + " standard dirs"), text);
    }
}
