package dev.segbench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/** Compiles plugin sources against the test class path and jars them with their service file, at test time. */
public final class PluginJar {

    private PluginJar() {
    }

    /**
     * Builds {@code dir/plugins/NAME.jar} from {@code sources} (path in the source tree to its text) listing
     * {@code backends} in META-INF/services/dev.segbench.api.Backend, and returns the plugins folder.
     */
    public static Path build(Path dir, String name, Map<String, String> sources, List<String> backends) throws Exception {
        Path src = Files.createDirectories(dir.resolve("src-" + name));
        List<String> args = new ArrayList<>(List.of("-d", dir.resolve("classes-" + name).toString(), "-cp",
                System.getProperty("java.class.path")));
        for (Map.Entry<String, String> s : sources.entrySet()) {
            Path f = src.resolve(s.getKey());
            Files.createDirectories(f.getParent());
            Files.writeString(f, s.getValue());
            args.add(f.toString());
        }
        Path classes = Files.createDirectories(dir.resolve("classes-" + name));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "tests need a JDK");
        assertEquals(0, javac.run(null, null, null, args.toArray(String[]::new)), "plugin sources compile");
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Path jar = plugins.resolve(name + ".jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("META-INF/services/dev.segbench.api.Backend"));
            out.write((String.join("\n", backends) + "\n").getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
            List<Path> files;
            try (Stream<Path> walk = Files.walk(classes)) {
                files = walk.filter(Files::isRegularFile).toList();
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
