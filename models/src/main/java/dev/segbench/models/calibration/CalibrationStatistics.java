package dev.segbench.models.calibration;

import dev.segbench.api.CalibrationTable;
import dev.segbench.api.HostTensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The statistics of every tensor a calibration graph exposes, fed one image's outputs at a time; turned into a
 * {@link CalibrationTable} at the end. Thread-safe per tensor, so outputs of one image may be added in parallel.
 */
public final class CalibrationStatistics {

    private final Map<String, TensorStatistics> tensors = new LinkedHashMap<>();

    public CalibrationStatistics(List<String> tensorNames) {
        if (tensorNames.isEmpty()) {
            throw new IllegalArgumentException("nothing to calibrate");
        }
        for (String t : tensorNames) {
            tensors.put(t, new TensorStatistics());
        }
    }

    public List<String> tensorNames() {
        return List.copyOf(tensors.keySet());
    }

    public void add(String tensor, HostTensor values) {
        TensorStatistics s = tensors.get(tensor);
        if (s == null) {
            throw new IllegalArgumentException("tensor " + tensor + " is not being calibrated");
        }
        s.add(values);
    }

    /** The table for {@code key}, with {@code key.method()} applied to every tensor's statistics. */
    public CalibrationTable table(CalibrationTable.Key key) {
        Map<String, CalibrationTable.Range> ranges = new TreeMap<>();
        tensors.forEach((name, s) -> {
            if (s.count() == 0) {
                throw new IllegalStateException("tensor " + name + " received no values");
            }
            ranges.put(name, s.range(key.method()));
        });
        return CalibrationTable.of(key, ranges);
    }
}
