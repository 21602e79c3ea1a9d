package dev.segbench.harness.exec;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of a child JVM, built the way JMH forks: this JVM's own {@code java} binary, its JVM options
 * and its class path, then the child's main class. Options that must differ per child (error file, temp folder,
 * debugger agent) are dropped from the inherited ones and set by the caller.
 */
public final class JvmCommand {

    private JvmCommand() {
    }

    /** This JVM's java binary. */
    public static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** This JVM's options, less those a child must not share (see the class comment). */
    public static List<String> inheritedOptions() {
        List<String> out = new ArrayList<>();
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!childSpecific(a)) {
                out.add(a);
            }
        }
        return out;
    }

    static boolean childSpecific(String option) {
        return option.startsWith("-XX:SharedArchiveFile=") || option.equals("-XX:+AutoCreateSharedArchive")
                || option.startsWith("-agentlib:jdwp") || option.startsWith("-Xrunjdwp") || option.startsWith("-Xdebug")
                || option.startsWith("-XX:ErrorFile=") || option.matches("-XX:[+-](Exit|Crash)OnOutOfMemoryError")
                || option.matches("-XX:[+-]UsePerfData") || option.startsWith("-Djava.io.tmpdir=")
                || option.startsWith("-Dsegbench.child") || option.startsWith("-D" + dev.segbench.api.CacheFolder.PROPERTY + "=");
    }

    /**
     * {@code java [inherited options] [options] -cp CLASSPATH mainClass args}. {@code options} come after the
     * inherited ones, so the last of two {@code -Xmx} wins, as the JVM reads them.
     */
    public static List<String> command(List<String> options, String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary());
        cmd.addAll(inheritedOptions());
        cmd.addAll(options);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(args);
        return cmd;
    }

    /**
     * {@code [java, @argFile]} for a command made by {@link #command}, after writing its arguments to {@code argFile}
     * (each quoted, as the launcher's argument-file syntax reads it).
     */
    public static List<String> viaArgumentFile(List<String> command, Path argFile) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String arg : command.subList(1, command.size())) {
            sb.append('"').append(arg.replace("\\", "\\\\").replace("\"", "\\\"")).append("\"\n");
        }
        Files.writeString(argFile, sb, StandardCharsets.UTF_8);
        return List.of(command.getFirst(), "@" + argFile.toAbsolutePath());
    }

    /**
     * Options that let children share one archive of loaded classes (JDK's dynamic CDS): the first child writes it
     * into {@code cacheDir}, later ones map it instead of loading and verifying the same classes again, which is
     * most of a child's start-up. It touches class loading only, never the measured code. The archive's name is
     * keyed by the JVM, the class path and each jar's size and modification time: the JVM refuses an archive whose
     * jars changed, and then does not reliably write a new one over it (measured: after a rebuild every child ran
     * without one, 1.6 s to start instead of 0.6 s), so a rebuild simply gets a new archive. It cannot archive
     * classes from folders, so with a folder on the class path (a development build) there is no archive.
     */
    public static List<String> classDataSharingOptions(Path cacheDir, String kind) {
        String classPath = System.getProperty("java.class.path", "");
        if (cacheDir == null || classPath.isEmpty()) {
            return List.of();
        }
        StringBuilder identity = new StringBuilder(javaBinary() + "\n" + Runtime.version() + "\n");
        for (String entry : classPath.split(java.io.File.pathSeparator)) {
            Path jar = Path.of(entry);
            if (!entry.endsWith(".jar") || !Files.isRegularFile(jar)) {
                return List.of();
            }
            try {
                identity.append(entry).append(' ').append(Files.size(jar)).append(' ')
                        .append(Files.getLastModifiedTime(jar).toMillis()).append('\n');
            } catch (IOException e) {
                return List.of();
            }
        }
        String key = dev.segbench.api.io.Sha256.hex(dev.segbench.api.io.Sha256.digest(identity.toString()
                .getBytes(StandardCharsets.UTF_8))).substring(0, 16);
        // one archive per kind of child: the first child of a kind writes the archive that all later ones use
        Path archive = cacheDir.resolve("jvm").resolve("child-" + kind + "-" + key + ".jsa");
        try {
            Files.createDirectories(archive.getParent());
        } catch (IOException e) {
            return List.of(); // no cache folder to write to: children load their classes as usual
        }
        return List.of("-XX:SharedArchiveFile=" + archive.toAbsolutePath(), "-XX:+AutoCreateSharedArchive",
                "-Xlog:cds=off,cds+dynamic=off");
    }
}
