package dev.segbench.harness.exec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One line that says why a child ended without a result: the signal or exit status, what the JVM's fatal-error
 * report (hs_err) says crashed and where that report is kept, and the child's last stderr line. On Linux a child
 * killed by signal N shows exit status 128 + N; a JVM that crashes in native code writes hs_err and then aborts
 * itself (SIGABRT, 134); {@code -XX:+ExitOnOutOfMemoryError} ends a child out of heap with status 3.
 */
final class ExitDiagnosis {

    /** How the child ended. {@code killedBecause} is set when the parent killed it (timeout, stall). */
    record Ending(int exitStatus, String killedBecause, boolean resultWritten, Path hsErr, String lastStderrLine,
                  Path log, Long peakResidentBytes, long machineMemoryBytes, boolean outOfHeap) {
    }

    private static final Map<Integer, String> SIGNALS = Map.ofEntries(Map.entry(1, "SIGHUP"), Map.entry(2, "SIGINT"),
            Map.entry(3, "SIGQUIT"), Map.entry(4, "SIGILL"), Map.entry(5, "SIGTRAP"), Map.entry(6, "SIGABRT"),
            Map.entry(7, "SIGBUS"), Map.entry(8, "SIGFPE"), Map.entry(9, "SIGKILL"), Map.entry(11, "SIGSEGV"),
            Map.entry(13, "SIGPIPE"), Map.entry(14, "SIGALRM"), Map.entry(15, "SIGTERM"), Map.entry(24, "SIGXCPU"),
            Map.entry(25, "SIGXFSZ"), Map.entry(31, "SIGSYS"));

    /** Exit status of the JVM with -XX:+ExitOnOutOfMemoryError. */
    static final int JVM_OUT_OF_MEMORY_EXIT = 3;

    private ExitDiagnosis() {
    }

    /** The signal that ended a process with this exit status, or null when it exited on its own. */
    static String signal(int exitStatus) {
        if (exitStatus <= 128 || exitStatus > 128 + 64) {
            return null;
        }
        return SIGNALS.getOrDefault(exitStatus - 128, "signal " + (exitStatus - 128));
    }

    /** Whether the child was stopped by Ctrl-C or a termination request rather than failing. */
    static boolean interruptedBySignal(int exitStatus) {
        return exitStatus == 128 + 2 || exitStatus == 128 + 15;
    }

    static String describe(Ending e) {
        StringBuilder sb = new StringBuilder();
        String signal = signal(e.exitStatus());
        String crash = e.hsErr() == null ? null : crashSummary(e.hsErr());
        if (e.killedBecause() != null) {
            sb.append(e.killedBecause()).append("; killed");
        } else if (crash != null) {
            sb.append("crashed: ").append(crash).append(" (the JVM then ended with ")
                    .append(signal != null ? signal + ", exit " + e.exitStatus() : "exit " + e.exitStatus()).append(')');
        } else if (e.outOfHeap() && e.exitStatus() == JVM_OUT_OF_MEMORY_EXIT) {
            sb.append("ran out of Java heap (java.lang.OutOfMemoryError, exit ").append(e.exitStatus())
                    .append("); give runs more with --child-jvm-options=-Xmx<size>");
        } else if ("SIGKILL".equals(signal)) {
            sb.append("killed by SIGKILL (exit 137)");
            if (e.peakResidentBytes() != null) {
                sb.append(String.format(Locale.ROOT, " at a peak of %.1f GiB resident", e.peakResidentBytes() / (double) (1L << 30)));
                if (e.machineMemoryBytes() > 0) {
                    sb.append(String.format(Locale.ROOT, " of %.1f GiB", e.machineMemoryBytes() / (double) (1L << 30)));
                }
            }
            sb.append(": the kernel's out-of-memory killer or an operator");
        } else if (signal != null) {
            sb.append("killed by ").append(signal).append(" (exit ").append(e.exitStatus()).append(')');
        } else if (e.exitStatus() == 0) {
            sb.append("exited with status 0 before writing its result (did the backend call System.exit?)");
        } else if (e.exitStatus() == ChildMain.BROKEN_JOB) {
            sb.append("could not run its job (exit ").append(e.exitStatus()).append(')');
        } else {
            sb.append("exited with status ").append(e.exitStatus());
        }
        if (e.hsErr() != null) {
            sb.append("; hs_err kept at ").append(e.hsErr());
        } else if (signal != null && e.killedBecause() == null && !"SIGKILL".equals(signal)) {
            sb.append("; no hs_err file (the JVM did not handle the signal)");
        }
        if (e.lastStderrLine() != null && !e.lastStderrLine().isBlank()) {
            sb.append("; last stderr line: ").append(clip(e.lastStderrLine().strip(), 160));
        }
        if (e.log() != null) {
            sb.append("; log: ").append(e.log());
        }
        return "child JVM " + sb;
    }

    /**
     * "SIGSEGV (0xb) at pc=0x00007f3a..., problematic frame C [libc.so.6+0x1a0c1d] __strlen_avx2+0x1d" from an hs_err
     * file, or null when it is unreadable.
     */
    static String crashSummary(Path hsErr) {
        List<String> lines;
        try {
            lines = Files.readAllLines(hsErr, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return null;
        }
        String what = null;
        String frame = null;
        for (int i = 0; i < Math.min(lines.size(), 60); i++) {
            String l = lines.get(i).replaceFirst("^#\\s*", "").strip();
            if (what == null && (l.matches("^SIG[A-Z]+ \\(0x[0-9a-f]+\\).*") || l.startsWith("EXCEPTION_")
                    || l.startsWith("Internal Error") || l.startsWith("Out of Memory Error")
                    || l.startsWith("There is insufficient memory"))) {
                what = l.replaceFirst(", pid=.*$", "");
            }
            if (frame == null && l.equals("Problematic frame:") && i + 1 < lines.size()) {
                // "J 1597 c1 jdk.internal.misc.Unsafe.getLong(...)J java.base@25 (12 bytes) @ 0x7f.. [0x7f..+0x5c]": the
                // addresses and size say nothing in one line
                frame = lines.get(i + 1).replaceFirst("^#\\s*", "").strip().replaceAll("\\s+", " ")
                        .replaceFirst(" @ 0x.*$", "").replaceFirst(" \\(\\d+ bytes\\)", "");
            }
        }
        if (what == null) {
            return null;
        }
        return frame == null ? what : what + ", problematic frame " + frame;
    }

    private static String clip(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }
}
