package dev.segbench.harness.fakes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/** Builds a plugin jar at test time: compiles one source against the test class path and registers it as a backend. */
public final class PluginJars {

    private PluginJars() {
    }

    /**
     * Compiles {@code source} (class {@code className}) and writes {@code DIR/plugins/NAME.jar} with its
     * {@code META-INF/services/dev.segbench.api.Backend} entry; returns the plugins folder.
     */
    public static Path backendJar(Path dir, String name, String className, String source) throws IOException {
        Path src = dir.resolve("src").resolve(className.replace('.', '/') + ".java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, source);
        Path classes = Files.createDirectories(dir.resolve("classes-" + name));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("tests need a JDK (no system Java compiler)");
        }
        int rc = javac.run(null, null, null, "-d", classes.toString(), "-cp", System.getProperty("java.class.path"),
                src.toString());
        if (rc != 0) {
            throw new IllegalStateException("plugin source " + className + " does not compile (javac exit " + rc + ")");
        }
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(plugins.resolve(name + ".jar")))) {
            out.putNextEntry(new JarEntry("META-INF/services/dev.segbench.api.Backend"));
            out.write((className + "\n").getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
            List<Path> files;
            try (Stream<Path> walk = Files.walk(classes)) {
                files = walk.filter(Files::isRegularFile).sorted().toList();
            }
            for (Path f : files) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                out.write(Files.readAllBytes(f));
                out.closeEntry();
            }
        }
        return plugins;
    }
}
