package dev.segbench.cuda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Finds a shared library (by soname, e.g. {@code libcuda.so.1}) on disk without loading it, so a probe can name
 * the missing piece before any native code runs.
 *
 * <p>Search order (first hit wins): the directories in system property {@value #PATH_PROPERTY} (an explicit
 * override, path-separator separated), then {@code LD_LIBRARY_PATH}, then the dynamic linker's cache
 * {@code /etc/ld.so.cache}, then the standard CUDA / TensorRT install directories ({@link #STANDARD_DIRS}).
 */
public final class NativeLibraryLocator {

    /** System property with extra library directories searched first. */
    public static final String PATH_PROPERTY = "segbench.native.path";

    /** Where CUDA, cuDNN, TensorRT and the driver usually live (distro packages, runfiles, tarballs, WSL). */
    public static final List<Path> STANDARD_DIRS = List.of(
            Path.of("/usr/local/cuda/lib64"),
            Path.of("/usr/local/cuda/targets/x86_64-linux/lib"),
            Path.of("/usr/local/cuda-13/targets/x86_64-linux/lib"),
            Path.of("/usr/local/cuda-13.1/targets/x86_64-linux/lib"),
            Path.of("/usr/local/tensorrt/lib"),
            Path.of("/usr/local/TensorRT-10.15.1.29/lib"),
            Path.of("/usr/lib/x86_64-linux-gnu"),
            Path.of("/lib/x86_64-linux-gnu"),
            Path.of("/usr/lib64"),
            Path.of("/lib64"),
            Path.of("/usr/lib/wsl/lib"));

    private final List<Path> directories;
    private final Path linkerCache;
    private final List<Path> fallbackDirectories;

    /**
     * @param directories         searched first, in order
     * @param linkerCache         a glibc {@code ld.so.cache} file consulted next (null = none)
     * @param fallbackDirectories searched last, in order
     */
    public NativeLibraryLocator(List<Path> directories, Path linkerCache, List<Path> fallbackDirectories) {
        this.directories = List.copyOf(directories);
        this.linkerCache = linkerCache;
        this.fallbackDirectories = List.copyOf(fallbackDirectories);
    }

    /** The locator for this process: the property, LD_LIBRARY_PATH, /etc/ld.so.cache, the standard directories. */
    public static NativeLibraryLocator system() {
        List<Path> dirs = new ArrayList<>(split(System.getProperty(PATH_PROPERTY)));
        dirs.addAll(split(System.getenv("LD_LIBRARY_PATH")));
        return new NativeLibraryLocator(dirs, Path.of("/etc/ld.so.cache"), STANDARD_DIRS);
    }

    /** The first existing file called {@code soname}: directories, then the linker cache, then the fallbacks. */
    public Optional<Path> find(String soname) {
        Optional<Path> hit = firstIn(directories, soname);
        if (hit.isEmpty() && linkerCache != null) {
            hit = inLinkerCache(linkerCache, soname);
        }
        return hit.isPresent() ? hit : firstIn(fallbackDirectories, soname);
    }

    /** Whether {@code soname} was found. */
    public boolean present(String soname) {
        return find(soname).isPresent();
    }

    /** What was searched, for "not found" messages ("LD_LIBRARY_PATH (2 dirs), /etc/ld.so.cache, 11 standard dirs"). */
    public String searchedDescription() {
        List<String> parts = new ArrayList<>();
        parts.add("LD_LIBRARY_PATH/" + PATH_PROPERTY + " (" + directories.size() + " dirs)");
        if (linkerCache != null) {
            parts.add(linkerCache.toString());
        }
        parts.add(fallbackDirectories.size() + " standard dirs such as /usr/local/cuda/lib64");
        return String.join(", ", parts);
    }

    static Optional<Path> firstIn(List<Path> dirs, String soname) {
        for (Path dir : dirs) {
            Path candidate = dir.resolve(soname);
            if (Files.isRegularFile(candidate)) { // follows symlinks: a dangling libfoo.so.1 link does not count
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * Looks {@code soname} up in a glibc linker cache. Hand-written because the only tool that reads the cache,
     * {@code ldconfig -p}, is often missing from PATH in containers; the cache's string table holds each library's
     * full path as a NUL-terminated string, which is all this needs.
     */
    static Optional<Path> inLinkerCache(Path cache, String soname) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(cache);
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
        String suffix = "/" + soname;
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                if (i - start > suffix.length() && bytes[start] == '/') {
                    String entry = new String(bytes, start, i - start, StandardCharsets.ISO_8859_1);
                    if (entry.endsWith(suffix)) {
                        Path path = Path.of(entry);
                        if (Files.isRegularFile(path)) {
                            return Optional.of(path);
                        }
                    }
                }
                start = i + 1;
            }
        }
        return Optional.empty();
    }

    static List<Path> split(String pathList) {
        if (pathList == null || pathList.isBlank()) {
            return List.of();
        }
        Set<Path> dirs = new LinkedHashSet<>();
        for (String part : pathList.split(java.io.File.pathSeparator)) {
            if (!part.isBlank()) {
                dirs.add(Path.of(part.trim()));
            }
        }
        return List.copyOf(dirs);
    }
}
