package dev.segbench.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.api.Backend;
import dev.segbench.harness.exec.JvmCommand;
import dev.segbench.harness.plugins.Plugins;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution ships every backend of the build on the launcher's class path, and a real backend (cpu, with
 * ONNX Runtime) works just as well from a plugins folder when the class path lacks it.
 */
class ShippedBackendsTest {

    @TempDir
    Path tmp;

    @Test
    void everyBackendOfTheBuildIsOnTheDistributionClassPath() {
        try (Plugins plugins = Plugins.load(List.of(), List.of())) {
            List<String> ids = plugins.backends().stream().map(Backend::id).toList();
            assertTrue(ids.containsAll(List.of("cpu", "tensorrt", "cuda", "pytorch", "opencv")), ids.toString());
        }
    }

    @Test
    void theCpuBackendJarDroppedIntoAPluginsFolderIsFoundAndAvailable() throws Exception {
        List<String> withoutCpu = new ArrayList<>();
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (entry.contains("backend-cpu")) {
                jar(p, plugins.resolve("backend-cpu.jar"));
            } else if (p.getFileName().toString().startsWith("onnxruntime-")) {
                Files.copy(p, plugins.resolve(p.getFileName()));
            } else {
                withoutCpu.add(entry);
            }
        }
        assertEquals(2, plugins.toFile().list().length, "backend-cpu and onnxruntime found on the test class path");

        String without = backends(withoutCpu);
        assertTrue(without.lines().noneMatch(l -> l.startsWith("cpu ")), "the class path without backend-cpu:\n" + without);
        String with = backends(withoutCpu, "--plugins", plugins.toString());
        assertTrue(with.lines().anyMatch(l -> l.startsWith("cpu ") && l.contains("yes")), "cpu from the plugins folder:\n" + with);
    }

    /** Runs {@code segbench [options] backends} in a JVM with {@code classPath}; returns its standard output. */
    private String backends(List<String> classPath, String... options) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(Arrays.asList(options));
        args.add("backends");
        List<String> cmd = new ArrayList<>(JvmCommand.command(List.of(), "dev.segbench.harness.Main", args));
        cmd.set(cmd.indexOf("-cp") + 1, String.join(File.pathSeparator, classPath));
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        Process p = new ProcessBuilder(JvmCommand.viaArgumentFile(cmd, Files.createTempFile(tmp, "cli", ".args")))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        int code = p.waitFor();
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        assertEquals(0, code, stdout + Files.readString(err, StandardCharsets.UTF_8));
        assertFalse(stdout.isBlank(), "no listing");
        return stdout;
    }

    /** The module's jar, or its classes folder jarred (a reactor build before packaging puts the folder there). */
    private static void jar(Path classesOrJar, Path target) throws IOException {
        if (Files.isRegularFile(classesOrJar)) {
            Files.copy(classesOrJar, target);
            return;
        }
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(target));
             Stream<Path> walk = Files.walk(classesOrJar)) {
            for (Path f : walk.filter(Files::isRegularFile).sorted().toList()) {
                jar.putNextEntry(new JarEntry(classesOrJar.relativize(f).toString().replace('\\', '/')));
                jar.write(Files.readAllBytes(f));
                jar.closeEntry();
            }
        }
    }
}
