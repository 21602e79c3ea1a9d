package dev.segbench.harness.env;

import dev.segbench.api.CpuInfo;
import dev.segbench.results.Telemetry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads the CPUs' current frequency and scaling governor from Linux's cpufreq files
 * ({@code /sys/devices/system/cpu/cpuN/cpufreq/scaling_cur_freq}, {@code scaling_governor}, {@code cpuinfo_max_freq},
 * in kHz), or the "cpu MHz" lines of {@code /proc/cpuinfo} where cpufreq is absent (most virtual machines).
 */
public final class CpuFrequencyProbe {

    private static final Pattern CPU_DIR = Pattern.compile("cpu[0-9]+");

    private final Path root;

    /** @param root the file system root; tests point it at a folder laid out like {@code /sys} and {@code /proc} */
    public CpuFrequencyProbe(Path root) {
        this.root = root;
    }

    public static CpuFrequencyProbe system() {
        return new CpuFrequencyProbe(Path.of("/"));
    }

    /** The frequencies now; null where nothing could be read. */
    public Telemetry.CpuFrequency read() {
        Telemetry.CpuFrequency sys = fromSysfs();
        return sys != null ? sys : fromCpuinfo();
    }

    private Telemetry.CpuFrequency fromSysfs() {
        Path cpus = root.resolve("sys/devices/system/cpu");
        List<Path> dirs;
        try (Stream<Path> list = Files.list(cpus)) {
            dirs = list.filter(p -> CPU_DIR.matcher(p.getFileName().toString()).matches())
                    .filter(p -> Files.isDirectory(p.resolve("cpufreq"))).sorted().toList();
        } catch (IOException | RuntimeException e) {
            return null;
        }
        TreeSet<String> governors = new TreeSet<>();
        List<Double> current = new ArrayList<>();
        Double max = null;
        for (Path dir : dirs) {
            Path f = dir.resolve("cpufreq");
            readLine(f.resolve("scaling_governor")).ifPresent(governors::add);
            kiloHertz(f.resolve("scaling_cur_freq")).ifPresent(current::add);
            Optional<Double> m = kiloHertz(f.resolve("cpuinfo_max_freq"));
            if (m.isPresent()) {
                max = max == null ? m.get() : Math.max(max, m.get());
            }
        }
        if (current.isEmpty() && governors.isEmpty()) {
            return null;
        }
        return new Telemetry.CpuFrequency("/sys/devices/system/cpu", dirs.size(), List.copyOf(governors),
                current.stream().min(Double::compare).orElse(null), current.stream().max(Double::compare).orElse(null), max);
    }

    private Telemetry.CpuFrequency fromCpuinfo() {
        List<Double> mhz = new ArrayList<>();
        try {
            for (String value : CpuInfo.values(root.resolve("proc/cpuinfo"), "cpu MHz")) {
                mhz.add(Double.parseDouble(value));
            }
        } catch (NumberFormatException e) {
            return null;
        }
        if (mhz.isEmpty()) {
            return null;
        }
        return new Telemetry.CpuFrequency("/proc/cpuinfo", mhz.size(), List.of(),
                mhz.stream().min(Double::compare).orElseThrow(), mhz.stream().max(Double::compare).orElseThrow(), null);
    }

    private static Optional<String> readLine(Path file) {
        try {
            String s = Files.readString(file, StandardCharsets.UTF_8).trim();
            return s.isEmpty() ? Optional.empty() : Optional.of(s);
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // unreadable for this user, or the CPU went offline
        }
    }

    private static Optional<Double> kiloHertz(Path file) {
        return readLine(file).flatMap(s -> {
            try {
                return Optional.of(Long.parseLong(s) / 1000.0);
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }
}
