package dev.segbench.api;

import java.util.List;

/**
 * A snapshot of an accelerator's state that explains a slow or noisy measurement: clocks, temperature, power and
 * why the device is throttling. Every field is null where the backend cannot read it.
 *
 * @param device          the device as the backend names it ("NVIDIA H100 80GB HBM3")
 * @param smClockMhz      current graphics/SM clock
 * @param memoryClockMhz  current memory clock
 * @param temperatureC    die temperature in degrees Celsius
 * @param powerWatts      current board power draw
 * @param throttleReasons active clock-throttle reasons in the vendor's words ("sw_thermal_slowdown"); empty when none
 */
public record DeviceTelemetry(String device, Double smClockMhz, Double memoryClockMhz, Double temperatureC,
                              Double powerWatts, List<String> throttleReasons) {

    public DeviceTelemetry {
        throttleReasons = throttleReasons == null ? List.of() : List.copyOf(throttleReasons);
    }
}
