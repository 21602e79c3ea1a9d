package dev.segbench.cuda;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The NVIDIA kernel driver's own version ("580.65.06"), which the CUDA runtime does not report (it only knows the
 * CUDA version the driver supports). Read from the file the kernel module publishes, so nothing native is touched.
 */
public final class NvidiaDriver {

    /** Where the loaded kernel module describes itself. */
    public static final Path VERSION_FILE = Path.of("/proc/driver/nvidia/version");

    private static final Pattern VERSION = Pattern.compile("NVRM version:.*?\\s(\\d+\\.\\d+(?:\\.\\d+)?)\\s");

    private NvidiaDriver() {
    }

    /** The installed driver's version, empty where the file is absent or unreadable (no driver, a container without it). */
    public static Optional<String> installedVersion() {
        return versionFrom(VERSION_FILE);
    }

    static Optional<String> versionFrom(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }

    /**
     * The version in the "NVRM version:" line, e.g. of
     * {@code NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  570.86.15  Release Build  (...)}.
     */
    static Optional<String> parse(String text) {
        Matcher m = VERSION.matcher(text + " ");
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }
}
