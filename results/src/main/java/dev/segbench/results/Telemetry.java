package dev.segbench.results;

import dev.segbench.api.DeviceTelemetry;
import java.util.List;

/**
 * The machine's clock state right after a run's timed work, to explain slow or noisy numbers.
 *
 * @param cpu    CPU frequency and governor; null where neither sysfs nor /proc/cpuinfo could be read
 * @param device the backend's device telemetry; null where the backend cannot read it
 */
public record Telemetry(CpuFrequency cpu, DeviceTelemetry device) {

    /**
     * @param source        where it was read ("/sys/devices/system/cpu", or "/proc/cpuinfo" when cpufreq is absent,
     *                      as on many virtual machines: then there is no governor and the MHz may be nominal)
     * @param cpus          CPUs read
     * @param governors     the distinct scaling governors ("performance", "powersave"); empty when not exposed
     * @param currentMhzMin the slowest CPU's current frequency
     * @param currentMhzMax the fastest CPU's current frequency
     * @param maxMhz        the highest frequency any CPU may reach (cpuinfo_max_freq); null when not exposed
     */
    public record CpuFrequency(String source, int cpus, List<String> governors, Double currentMhzMin,
                               Double currentMhzMax, Double maxMhz) {
        public CpuFrequency {
            governors = governors == null ? List.of() : List.copyOf(governors);
        }
    }
}
