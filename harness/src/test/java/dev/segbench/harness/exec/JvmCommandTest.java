package dev.segbench.harness.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JvmCommandTest {

    @TempDir
    Path tmp;

    /** Prints its arguments, one per line, and a system property. */
    public static final class Echo {
        public static void main(String[] args) {
            System.out.println("prop=" + System.getProperty("segbench.test.echo"));
            for (String a : args) {
                System.out.println("arg=" + a);
            }
        }
    }

    @Test
    void aChildGetsThisJvmsClassPathAndExactArgumentsThroughTheArgumentFile() throws Exception {
        List<String> tricky = List.of("plain", "with space", "quote\"inside", "back\\slash", "C:\\dir\\", "");
        List<String> cmd = JvmCommand.viaArgumentFile(JvmCommand.command(List.of("-Dsegbench.test.echo=a b\"c"),
                Echo.class.getName(), tricky), tmp.resolve("child.args"));
        assertEquals(2, cmd.size(), "the command line is the java binary and the argument file");
        assertTrue(String.join(" ", cmd).length() < 4096, "short command line (ONNX Runtime crashes beyond 4 KiB)");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                .filter(l -> l.startsWith("arg=") || l.startsWith("prop=")).toList();
        assertEquals(0, p.exitValue(), String.join("\n", lines));
        assertEquals("prop=a b\"c", lines.getFirst());
        assertEquals(tricky, lines.subList(1, lines.size()).stream().map(l -> l.substring(4)).toList());
    }

    @Test
    void optionsThatMustDifferPerChildAreNotInherited() {
        assertTrue(JvmCommand.childSpecific("-agentlib:jdwp=transport=dt_socket,server=y,address=5005"));
        assertTrue(JvmCommand.childSpecific("-XX:ErrorFile=/tmp/x.log"));
        assertTrue(JvmCommand.childSpecific("-XX:+ExitOnOutOfMemoryError"));
        assertTrue(JvmCommand.childSpecific("-Djava.io.tmpdir=/tmp/a"));
        assertFalse(JvmCommand.childSpecific("-Xmx4g"));
        assertFalse(JvmCommand.childSpecific("--enable-native-access=ALL-UNNAMED"));
        assertTrue(Files.isExecutable(Path.of(JvmCommand.javaBinary())));
    }

    @Test
    void childrenShareAClassArchiveOnlyWhenTheClassPathIsAllJars() throws Exception {
        Path cache = tmp.resolve("cache");
        String saved = System.getProperty("java.class.path");
        try {
            Path a = Files.writeString(tmp.resolve("a.jar"), "x");
            Path b = Files.writeString(tmp.resolve("b.jar"), "y");
            System.setProperty("java.class.path", a + java.io.File.pathSeparator + b);
            List<String> run = JvmCommand.classDataSharingOptions(cache, "run");
            assertEquals(3, run.size(), run.toString());
            assertTrue(run.getFirst().startsWith("-XX:SharedArchiveFile=" + cache.resolve("jvm").toAbsolutePath() + "/child-run-"));
            assertTrue(run.contains("-XX:+AutoCreateSharedArchive"));
            assertFalse(run.getFirst().equals(JvmCommand.classDataSharingOptions(cache, "probe").getFirst()),
                    "each kind of child has its own archive");
            assertEquals(List.of(), JvmCommand.classDataSharingOptions(null, "run"), "no cache folder, no archive");
            // a rebuilt jar gets a new archive: the JVM refuses the old one and would not reliably replace it
            Files.setLastModifiedTime(b, java.nio.file.attribute.FileTime.fromMillis(Files.getLastModifiedTime(b).toMillis() - 60_000));
            assertFalse(run.getFirst().equals(JvmCommand.classDataSharingOptions(cache, "run").getFirst()), "jar changed");
            Files.writeString(a, "x2");
            String longer = JvmCommand.classDataSharingOptions(cache, "run").getFirst();
            assertFalse(run.getFirst().equals(longer), "jar size changed");
            assertEquals(longer, JvmCommand.classDataSharingOptions(cache, "run").getFirst(), "same jars, same archive");
            System.setProperty("java.class.path", a + java.io.File.pathSeparator + tmp);
            assertEquals(List.of(), JvmCommand.classDataSharingOptions(cache, "run"), "a folder on the class path");
        } finally {
            System.setProperty("java.class.path", saved);
        }
    }
}
