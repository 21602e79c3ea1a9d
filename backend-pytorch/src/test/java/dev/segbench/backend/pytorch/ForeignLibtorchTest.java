package dev.segbench.backend.pytorch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backend loads its own libtorch whatever else the machine has: a child JVM with a cold, private JavaCPP cache and
 * a foreign libtorch.so, libtorch_cpu.so and libc10.so first on LD_LIBRARY_PATH (dummies whose constructor ends the
 * process with exit code 42) must run a graph with the bundled libtorch, every mapped copy coming from its cache.
 * (A machine with Debian's python3-torch has libtorch 1.13 in /lib as well; that one is searched after these.)
 */
class ForeignLibtorchTest {

    private static final int FOREIGN_EXIT = 42;

    @Test
    void coldCacheWithAForeignLibtorchOnTheLibraryPathLoadsTheBundledOne(@TempDir Path dir) throws Exception {
        Path gcc = Path.of("/usr/bin/gcc");
        assumeTrue(Files.isExecutable(gcc), "gcc absent: cannot build the foreign libtorch, foreign-library check skipped");
        Path foreign = Files.createDirectories(dir.resolve("foreign"));
        Path source = Files.writeString(dir.resolve("foreign.c"), """
                #include <stdio.h>
                #include <unistd.h>
                __attribute__((constructor)) static void foreign(void) {
                    fputs("FOREIGN LIBTORCH LOADED\\n", stderr);
                    _exit(42);
                }
                """);
        for (String lib : TorchRuntime.OWN_LIBRARIES) {
            run(List.of(gcc.toString(), "-shared", "-fPIC", "-o", foreign.resolve(lib).toString(), source.toString()),
                    dir, null, "gcc");
        }
        Path cache = dir.resolve("javacpp-cache"); // cold: nothing extracted yet
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-Dorg.bytedeco.javacpp.cachedir=" + cache, "-cp", System.getProperty("java.class.path"),
                ForeignLibtorchChild.class.getName());
        Result child = run(command, dir, foreign.toString(), "child JVM");
        assertTrue(child.exit != FOREIGN_EXIT, "the foreign libtorch was loaded: " + child.output);
        assertEquals(0, child.exit, "child JVM failed (exit " + child.exit + "): " + child.output);
        assertTrue(child.output.contains("ran: output HostTensor[FLOAT32"), child.output);
        assertTrue(child.output.contains("torch 2.10"), child.output);
        List<String> mapped = child.output.lines().filter(l -> l.startsWith("mapped ")).map(l -> l.substring(7)).toList();
        assertFalse(mapped.isEmpty(), "no libtorch mapped? " + child.output);
        Path realCache = cache.toRealPath();
        for (String file : mapped) {
            assertTrue(Path.of(file).toRealPath().startsWith(realCache), file + " is not the bundled copy in " + cache);
        }
    }

    /**
     * A corrupt cache file is replaced, not loaded: with libtorch_cpu.so truncated in a warm private cache (an
     * interrupted extraction, a full disk), the child still runs the graph with the bundled library, which JavaCPP
     * extracts again because the cached file's size no longer matches the jar's.
     */
    @Test
    void aTruncatedLibraryInTheCacheIsExtractedAgain(@TempDir Path dir) throws Exception {
        Path cache = dir.resolve("javacpp-cache");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-Dorg.bytedeco.javacpp.cachedir=" + cache, "-cp", System.getProperty("java.class.path"),
                ForeignLibtorchChild.class.getName());
        Result first = run(command, dir, null, "child JVM");
        assertEquals(0, first.exit, "child JVM failed (exit " + first.exit + "): " + first.output);
        Path cpu;
        try (var files = Files.walk(cache)) {
            cpu = files.filter(f -> f.getFileName().toString().equals("libtorch_cpu.so")).findFirst().orElseThrow();
        }
        long size = Files.size(cpu);
        try (FileChannel channel = FileChannel.open(cpu, StandardOpenOption.WRITE)) {
            channel.truncate(size / 300);
        }
        Result again = run(command, dir, null, "child JVM");
        assertEquals(0, again.exit, "child JVM failed on the corrupt cache (exit " + again.exit + "): " + again.output);
        assertTrue(again.output.contains("ran: output HostTensor[FLOAT32"), again.output);
        assertEquals(size, Files.size(cpu), "the truncated library was extracted again");
    }

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> command, Path dir, String libraryPath, String what) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).directory(dir.toFile()).redirectErrorStream(true);
        if (libraryPath != null) {
            String old = System.getenv("LD_LIBRARY_PATH");
            pb.environment().put("LD_LIBRARY_PATH", old == null || old.isEmpty() ? libraryPath : libraryPath + ":" + old);
        }
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(what + " did not finish in 5 minutes: " + out);
        }
        if (what.equals("gcc") && p.exitValue() != 0) {
            throw new AssertionError("gcc failed: " + out);
        }
        return new Result(p.exitValue(), out);
    }
}
