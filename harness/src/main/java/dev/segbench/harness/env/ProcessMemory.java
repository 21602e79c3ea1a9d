package dev.segbench.harness.env;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Resident memory of a process from Linux's {@code /proc/PID/status}: {@code VmHWM} is the peak resident set
 * since the process started or since its peak was last reset. Java's Process API does not give a child's
 * {@code wait4} rusage, so a run's child reports its own peak just before it exits, and the parent reads the
 * child's file while it runs (for the message when it is killed). Null where /proc is not there.
 */
public final class ProcessMemory {

    private ProcessMemory() {
    }

    /** Peak resident bytes of {@code pid}, or null. */
    public static Long peakResidentBytes(long pid) {
        return field(pid, "VmHWM:");
    }

    public static Long ownPeakResidentBytes() {
        return peakResidentBytes(ProcessHandle.current().pid());
    }

    /**
     * Resets this process's peak to its current resident size (writing 5 to {@code /proc/self/clear_refs}, Linux
     * 4.0+), so the peak measured next belongs to what runs after. Returns whether it worked.
     */
    public static boolean resetOwnPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5", StandardCharsets.US_ASCII);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static Long field(long pid, String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"), StandardCharsets.US_ASCII)) {
                if (line.startsWith(name)) {
                    String[] parts = line.substring(name.length()).trim().split("\\s+");
                    long value = Long.parseLong(parts[0]);
                    return parts.length > 1 && parts[1].toLowerCase(Locale.ROOT).equals("kb") ? value * 1024 : value;
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc (not Linux) or the process is gone
        }
        return null;
    }
}
