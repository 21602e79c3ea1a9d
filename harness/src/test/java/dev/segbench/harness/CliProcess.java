package dev.segbench.harness;

import dev.segbench.harness.exec.JvmCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The segbench command line in a process of its own (same JDK, options and class path as the tests, so the test
 * backends are found), for what needs a real process: signals, kill -9, environment variables, the temp folder.
 */
public final class CliProcess {

    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private CliProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * Starts {@code segbench args...}; its output goes to files in {@code dir}. {@code env} is added to this
     * process's environment, {@code jvmOptions} follow the inherited ones.
     */
    public static CliProcess start(Path dir, Map<String, String> env, List<String> jvmOptions, String... args) throws IOException {
        Files.createDirectories(dir);
        List<String> cmd = JvmCommand.viaArgumentFile(JvmCommand.command(jvmOptions, "dev.segbench.harness.Main",
                List.of(args)), Files.createTempFile(dir, "cli", ".args"));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        Path out = dir.resolve("stdout-" + System.nanoTime() + ".txt");
        Path err = dir.resolve("stderr-" + System.nanoTime() + ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        return new CliProcess(pb.start(), out, err);
    }

    public Process process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    /** Waits for the end (at most {@code seconds}) and returns the exit status. */
    public int await(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            // a JVM prints its threads to stdout on SIGQUIT: the failure then says where it was stuck
            try {
                signal("QUIT");
                process.waitFor(3, TimeUnit.SECONDS);
            } catch (IOException | AssertionError e) {
                // no thread dump: the failure below still says it did not end
            }
            process.destroyForcibly();
            throw new AssertionError("segbench did not end within " + seconds + " s (its threads at that moment are in"
                    + " stdout):\n" + this);
        }
        return process.exitValue();
    }

    /** Sends a signal by name ("INT", "TERM", "KILL") with kill(1). */
    public void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new AssertionError("kill -" + name + " " + pid() + " failed");
        }
    }

    public String out() {
        return read(stdout);
    }

    public String err() {
        return read(stderr);
    }

    private static String read(Path f) {
        try {
            return Files.readString(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(" + e.getMessage() + ")";
        }
    }

    /** Processes whose command line mentions {@code text} (a results folder: its children's argument files live there). */
    public static List<ProcessHandle> processesMentioning(String text) {
        List<ProcessHandle> found = new ArrayList<>();
        ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(text)).forEach(found::add);
        return found;
    }

    @Override
    public String toString() {
        return "--- stdout\n" + out() + "--- stderr\n" + err();
    }
}
