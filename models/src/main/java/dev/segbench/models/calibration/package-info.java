/**
 * Calibration statistics in pure Java: per-tensor min/max and |x| histograms, and the three ways of turning them into
 * clipping ranges (min/max, percentile, TensorRT's entropy). The harness feeds them with the outputs of a
 * {@link dev.segbench.api.ModelSource.CalibrationGraph}.
 */
package dev.segbench.models.calibration;
