package dev.segbench.harness.exec;

import dev.segbench.api.CacheFolder;
import dev.segbench.api.Progress;
import dev.segbench.results.ResultsJson;
import dev.segbench.harness.env.EnvironmentProbe;
import dev.segbench.harness.env.ProcessMemory;
import dev.segbench.results.settings.Settings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import dev.segbench.api.io.Folders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Starts one child JVM for a {@link ChildJob} and watches it until it ends: forwards its progress and log lines,
 * kills it when it exceeds the run time limit or stops making progress during a pass, samples its resident memory,
 * and says why it ended. The child gets a private temporary folder (Java's and the native one, {@code TMPDIR}),
 * removed when it ends however it ends, so nothing a native library leaves there outlives the run. Its stderr goes
 * to its log file; {@code -XX:ErrorFile} puts a crash report (hs_err) beside it.
 */
final class ChildProcess {

    /** How the child ended; {@code result} is the parsed result file, or null without one. */
    record Ended<T>(T result, ExitDiagnosis.Ending ending, long pid) {
        boolean interrupted() {
            return ending.killedBecause() == null && ExitDiagnosis.interruptedBySignal(ending.exitStatus());
        }
    }

    /** What a child is asked to do: {@code kind} is ChildMain's first argument; the child writes {@code resultFile}. */
    interface Job {
        String kind();

        Path resultFile();
    }

    /** Marks lines of the child's stdout that were not protocol lines in its log. */
    static final String STDOUT_PREFIX = "[stdout] ";
    private static final java.util.regex.Pattern JVM_LOG_LINE = java.util.regex.Pattern.compile("\\[[0-9.]+s\\]\\[[a-z]+\\]");

    private final Path workDir;
    private final Path logDir;
    private final Settings.Execution limits;
    private final Progress progress;
    private final Consumer<String> log;
    private volatile Process current;
    private volatile boolean stopped;

    ChildProcess(Path workDir, Path logDir, Settings.Execution limits, Progress progress, Consumer<String> log) {
        this.workDir = workDir;
        this.logDir = logDir;
        this.limits = limits;
        this.progress = progress;
        this.log = log;
    }

    /** Kills the child in flight, if any; no child starts after this. */
    void stop() {
        stopped = true;
        Process p = current;
        if (p != null) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    boolean stopped() {
        return stopped;
    }

    /**
     * Runs {@code job} in a child named {@code name} (file-safe) and returns how it ended, with the result file read
     * as {@code resultType} when the child wrote one and exited 0.
     */
    <T> Ended<T> run(String name, Job job, Class<T> resultType, boolean watchProgress) throws InterruptedException {
        return run(name, job, resultType, watchProgress, Map.of(), null);
    }

    /**
     * As above; for a run child, {@code whileItStarts} (the parent's own work, e.g. writing the previous run's
     * results) runs while the child starts its JVM and loads the model, and the child begins its measured work only
     * after it is done (the parent then sends {@value ChildMain#GO}), so the two never compete for the CPU.
     * {@code environment}: what the job's backend declares for its process ({@link BackendEnvironment}).
     */
    <T> Ended<T> run(String name, Job job, Class<T> resultType, boolean watchProgress, Map<String, String> environment,
                     Runnable whileItStarts) throws InterruptedException {
        try {
            return runChecked(name, job, resultType, watchProgress, environment, whileItStarts);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run a child process for " + name + " (" + e.getMessage() + ")", e);
        }
    }

    private <T> Ended<T> runChecked(String name, Job job, Class<T> resultType, boolean watchProgress,
                                    Map<String, String> environment, Runnable whileItStarts)
            throws IOException, InterruptedException {
        Files.createDirectories(workDir);
        Files.createDirectories(logDir);
        Path jobFile = workDir.resolve(name + ".job.json");
        Path tmp = workDir.resolve("tmp-" + name);
        Path logFile = logDir.resolve(name + ".log");
        Files.deleteIfExists(job.resultFile());
        Folders.deleteQuietly(tmp);
        Files.createDirectories(tmp);
        Files.write(jobFile, ResultsJson.mapper().writeValueAsBytes(job));
        long logStart = appendHeader(logFile, name);
        List<String> options = new ArrayList<>(List.of(
                "-XX:ErrorFile=" + logDir.toAbsolutePath().resolve("hs_err_" + name + "_%p.log"),
                "-XX:+ExitOnOutOfMemoryError",
                "-XX:-UsePerfData", // no hsperfdata file in /tmp that a killed child would leave behind
                "-Djava.io.tmpdir=" + tmp.toAbsolutePath(),
                "-Dsegbench.child=" + name));
        CacheFolder.get().ifPresent(c -> options.add("-D" + CacheFolder.PROPERTY + "=" + c.toAbsolutePath()));
        options.addAll(JvmCommand.classDataSharingOptions(CacheFolder.get().orElse(null), job.kind()));
        options.addAll(limits.childJvmOptions());
        Path argFile = workDir.resolve(name + ".args");
        ProcessBuilder pb = new ProcessBuilder(JvmCommand.viaArgumentFile(JvmCommand.command(options,
                ChildMain.class.getName(), List.of(job.kind(), jobFile.toAbsolutePath().toString())), argFile));
        BackendEnvironment.applyTo(pb.environment(), environment);
        pb.environment().put("TMPDIR", tmp.toAbsolutePath().toString());
        pb.redirectError(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        pb.redirectOutput(ProcessBuilder.Redirect.PIPE);
        pb.redirectInput(ProcessBuilder.Redirect.PIPE); // kept open: the child ends itself when it closes
        if (stopped) {
            throw new InterruptedException("stopped before " + name + " started");
        }
        Process process = pb.start();
        current = process;
        if (stopped) {
            stop();
        }
        Watch watch = new Watch();
        Thread reader = new Thread(() -> pump(process, logFile, watch, watchProgress), "segbench-child-out-" + name);
        reader.setDaemon(true);
        reader.start();
        String killedBecause = null;
        Long peak = null;
        long start = System.nanoTime();
        try (OutputStream toChild = process.getOutputStream()) {
            if (whileItStarts != null) {
                whileItStarts.run();
            }
            try {
                toChild.write((ChildMain.GO + "\n").getBytes(StandardCharsets.UTF_8));
                toChild.flush();
            } catch (IOException gone) {
                // the child already ended; its exit status tells why
            }
            while (!process.waitFor(250, TimeUnit.MILLISECONDS)) {
                Long p = ProcessMemory.peakResidentBytes(process.pid());
                peak = p != null ? p : peak;
                double elapsed = (System.nanoTime() - start) / 1e9;
                if (elapsed > limits.runTimeoutSeconds()) {
                    killedBecause = "exceeded --run-timeout " + Settings.formatDuration(limits.runTimeoutSeconds())
                            + watch.where();
                } else if (watchProgress && watch.stalledSeconds() > limits.stallTimeoutSeconds()) {
                    killedBecause = "made no progress for " + Settings.formatDuration(limits.stallTimeoutSeconds())
                            + watch.where() + " (--stall-timeout)";
                }
                if (killedBecause != null) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                    process.waitFor();
                    break;
                }
            }
        } finally {
            current = null;
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
        reader.join(5000);
        if (watch.taskOpen) {
            progress.done();
        }
        int status = process.exitValue();
        T result = null;
        if (status == 0 && killedBecause == null && Files.isRegularFile(job.resultFile())) {
            result = ResultsJson.mapper().readValue(job.resultFile().toFile(), resultType);
        }
        Path hsErr = logDir.resolve("hs_err_" + name + "_" + process.pid() + ".log");
        String stderrTail = lastLine(logFile, logStart);
        ExitDiagnosis.Ending ending = new ExitDiagnosis.Ending(status, killedBecause, result != null,
                Files.isRegularFile(hsErr) ? hsErr : null, stderrTail, logFile, peak, EnvironmentProbe.totalMemory(),
                status == ExitDiagnosis.JVM_OUT_OF_MEMORY_EXIT && logContains(logFile, logStart, "java.lang.OutOfMemoryError"));
        Files.deleteIfExists(jobFile);
        Files.deleteIfExists(argFile);
        Files.deleteIfExists(job.resultFile());
        Folders.deleteQuietly(tmp);
        return new Ended<>(result, ending, process.pid());
    }

    /** What the child said last: the open progress task and when it last advanced. */
    private static final class Watch {
        volatile long lastAdvance = System.nanoTime();
        volatile boolean taskOpen;
        volatile String task;

        double stalledSeconds() {
            return taskOpen ? (System.nanoTime() - lastAdvance) / 1e9 : 0;
        }

        String where() {
            String t = task;
            return t == null || !taskOpen ? "" : " in '" + t + "'";
        }
    }

    private void pump(Process process, Path logFile, Watch watch, boolean watchProgress) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                ChildProtocol.Message m = ChildProtocol.parse(line);
                if (m == null) {
                    Files.writeString(logFile, STDOUT_PREFIX + line + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
                    continue;
                }
                switch (m.kind()) {
                    case "start" -> {
                        watch.task = m.text();
                        watch.taskOpen = true;
                        watch.lastAdvance = System.nanoTime();
                        progress.start(m.text(), m.number(), m.unit().replace('_', ' '));
                    }
                    case "advance" -> {
                        watch.lastAdvance = System.nanoTime();
                        progress.advance(m.number());
                    }
                    case "done" -> {
                        watch.taskOpen = false;
                        progress.done();
                    }
                    case "log" -> log.accept(m.text());
                    default -> {
                        // parse() returns known kinds only
                    }
                }
            }
        } catch (IOException e) {
            // the child is gone; its exit status tells the rest
        }
    }

    /** Appends a header line to the log (so one file holds every attempt of a run) and returns where it ends. */
    private static long appendHeader(Path logFile, String name) throws IOException {
        Files.writeString(logFile, "=== segbench " + name + " started " + Instant.now() + " ===\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return Files.size(logFile);
    }

    /** The last meaningful line written since {@code from}: not blank, not the '#' frame of the JVM's crash banner. */
    static String lastLine(Path logFile, long from) {
        String text = readFrom(logFile, from);
        String last = null;
        for (String l : text.split("\n")) {
            // the JVM prints its crash banner ('#' lines) to stdout, which reaches the log with this prefix
            String s = l.startsWith(STDOUT_PREFIX) ? l.substring(STDOUT_PREFIX.length()).strip() : l.strip();
            // nor the JVM's own log lines it prints while it writes the crash report ("[3.79s][warning][os] ...")
            if (!s.isEmpty() && !s.startsWith("#") && !JVM_LOG_LINE.matcher(s).lookingAt()) {
                last = s;
            }
        }
        return last;
    }

    private static boolean logContains(Path logFile, long from, String text) {
        return readFrom(logFile, from).contains(text);
    }

    /** At most the last 64 KiB after {@code from}. */
    private static String readFrom(Path logFile, long from) {
        try (RandomAccessFile f = new RandomAccessFile(logFile.toFile(), "r")) {
            long start = Math.max(from, f.length() - 65536);
            byte[] bytes = new byte[(int) Math.max(0, f.length() - start)];
            f.seek(start);
            f.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
