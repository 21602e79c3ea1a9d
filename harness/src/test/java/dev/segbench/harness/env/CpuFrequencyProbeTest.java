package dev.segbench.harness.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.segbench.results.Telemetry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpuFrequencyProbeTest {

    @TempDir
    Path root;

    private void cpu(int n, String governor, long curKhz, long maxKhz) throws IOException {
        Path f = Files.createDirectories(root.resolve("sys/devices/system/cpu/cpu" + n + "/cpufreq"));
        Files.writeString(f.resolve("scaling_governor"), governor + "\n");
        Files.writeString(f.resolve("scaling_cur_freq"), curKhz + "\n");
        Files.writeString(f.resolve("cpuinfo_max_freq"), maxKhz + "\n");
    }

    @Test
    void readsGovernorsAndFrequenciesFromCpufreq() throws IOException {
        cpu(0, "powersave", 1_200_000, 3_500_000);
        cpu(1, "performance", 3_400_000, 3_500_000);
        cpu(10, "performance", 2_000_000, 3_600_000);
        Files.createDirectories(root.resolve("sys/devices/system/cpu/cpufreq")); // not a CPU
        Files.createDirectories(root.resolve("sys/devices/system/cpu/cpu2")); // offline or no cpufreq
        Telemetry.CpuFrequency f = new CpuFrequencyProbe(root).read();
        assertEquals("/sys/devices/system/cpu", f.source());
        assertEquals(3, f.cpus());
        assertEquals(List.of("performance", "powersave"), f.governors());
        assertEquals(1200.0, f.currentMhzMin());
        assertEquals(3400.0, f.currentMhzMax());
        assertEquals(3600.0, f.maxMhz());
    }

    @Test
    void fallsBackToCpuinfoWithoutCpufreqAsOnVirtualMachines() throws IOException {
        Files.createDirectories(root.resolve("sys/devices/system/cpu/cpu0"));
        Files.createDirectories(root.resolve("proc"));
        Files.writeString(root.resolve("proc/cpuinfo"), "processor\t: 0\ncpu MHz\t\t: 2445.432\nprocessor\t: 1\ncpu MHz\t\t: 2400.000\n");
        Telemetry.CpuFrequency f = new CpuFrequencyProbe(root).read();
        assertEquals("/proc/cpuinfo", f.source());
        assertEquals(2, f.cpus());
        assertEquals(List.of(), f.governors());
        assertEquals(2400.0, f.currentMhzMin());
        assertEquals(2445.432, f.currentMhzMax());
        assertNull(f.maxMhz());
    }

    @Test
    void nothingReadableIsNull() {
        assertNull(new CpuFrequencyProbe(root).read());
    }

    @Test
    void readsThisMachineWithoutFailing() {
        Telemetry.CpuFrequency f = CpuFrequencyProbe.system().read();
        if (Files.isReadable(Path.of("/proc/cpuinfo"))) {
            org.junit.jupiter.api.Assertions.assertNotNull(f, "Linux exposes at least /proc/cpuinfo");
        }
    }
}
