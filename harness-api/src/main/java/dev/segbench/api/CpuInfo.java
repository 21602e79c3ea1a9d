package dev.segbench.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads Linux's {@code /proc/cpuinfo}: "key : value" lines, one block per logical CPU. */
public final class CpuInfo {

    public static final Path FILE = Path.of("/proc/cpuinfo");

    private CpuInfo() {
    }

    /** The values of every line whose key is {@code key}, in file order; empty where the file is unreadable. */
    public static List<String> values(Path cpuinfo, String key) {
        List<String> values = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(cpuinfo, StandardCharsets.UTF_8)) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).strip().equals(key)) {
                    String value = line.substring(colon + 1).strip();
                    if (!value.isEmpty()) {
                        values.add(value);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or hidden: the callers fall back
        }
        return values;
    }

    /** This machine's CPU model ("model name"), or the JVM's architecture name where the file does not say. */
    public static String modelName() {
        List<String> names = values(FILE, "model name");
        return names.isEmpty() ? System.getProperty("os.arch") : names.getFirst();
    }
}
