package dev.segbench.harness.env;

import dev.segbench.api.Availability;
import dev.segbench.api.Capability;
import dev.segbench.api.CpuInfo;
import dev.segbench.results.Environment;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Describes the machine and software: CPU, memory, OS, JVM, GPU as backends report it, versions, git commit. */
public final class EnvironmentProbe {

    private EnvironmentProbe() {
    }

    /**
     * This machine, with what each backend (by id) reported about itself: version, and facts such as driver and library
     * versions ({@code Availability.facts()}). Unavailable backends contribute nothing.
     */
    public static Environment collect(Map<String, Availability> backends) {
        String gpu = null;
        Map<String, String> versions = new LinkedHashMap<>();
        Map<String, Map<String, String>> facts = new LinkedHashMap<>();
        for (Map.Entry<String, Availability> b : backends.entrySet()) {
            Availability a = b.getValue();
            if (!a.available()) {
                continue;
            }
            versions.put(b.getKey(), a.version() == null ? "unknown" : a.version());
            if (!a.facts().isEmpty()) {
                facts.put(b.getKey(), a.facts());
            }
            if (a.capabilities().contains(Capability.GPU) && gpu == null && !a.devices().isEmpty()) {
                gpu = String.join("; ", a.devices());
            }
        }
        String host = hostName();
        return new Environment(host, host, CpuInfo.modelName(), Runtime.getRuntime().availableProcessors(), totalMemory(),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.name") + " "
                        + System.getProperty("java.runtime.version"),
                gpu, harnessVersion(), gitCommit(), versions, facts);
    }

    /** The kernel's host name (no DNS lookup, which can hang on a machine without network), or "unknown". */
    public static String hostName() {
        try {
            String h = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.UTF_8).strip();
            if (!h.isEmpty()) {
                return h;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: the environment variables below
        }
        for (String v : new String[] {"HOSTNAME", "COMPUTERNAME"}) {
            String h = System.getenv(v);
            if (h != null && !h.isBlank()) {
                return h.strip();
            }
        }
        return "unknown";
    }

    public static String harnessVersion() {
        String v = EnvironmentProbe.class.getPackage().getImplementationVersion();
        return v == null ? "development" : v;
    }

    public static long totalMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return -1;
    }

    /**
     * Memory the host can give a new workload without swapping: Linux's MemAvailable (free memory plus the page cache
     * and reclaimable slabs it can drop), not MemFree, which excludes the page cache and so depends on what was read
     * lately. Elsewhere the JVM's free-memory figure; -1 when unknown.
     */
    public static long availableMemory() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            // not Linux, or a kernel before 3.14: the JVM's figure below
        }
        return freeMemory();
    }

    public static long freeMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getFreeMemorySize();
        }
        return -1;
    }

    /**
     * {@code git rev-parse HEAD} where the harness classes live, or "unknown". Not the working
     * directory: users run segbench from their own repositories, whose commit says nothing about this code.
     */
    static String gitCommit() {
        try {
            Path code = Path.of(EnvironmentProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return gitCommit(Files.isDirectory(code) ? code : code.getParent());
        } catch (java.net.URISyntaxException | RuntimeException e) {
            return "unknown"; // no usable code location
        }
    }

    private static String gitCommit(Path dir) {
        try {
            Process p = new ProcessBuilder("git", "-C", dir.toString(), "rev-parse", "HEAD").redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readNBytes(200);
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "unknown";
            }
            String commit = new String(out, StandardCharsets.UTF_8).trim();
            return p.exitValue() == 0 && commit.matches("[0-9a-f]{40}") ? commit : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
