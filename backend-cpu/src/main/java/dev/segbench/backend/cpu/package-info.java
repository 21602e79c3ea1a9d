/**
 * The ONNX Runtime CPU backend ({@code id "cpu"}, rank 10, the default reference), registered through
 * {@code META-INF/services/dev.segbench.api.Backend}. Callers use it only through {@link dev.segbench.api.Backend}:
 * {@code open(model, options)} takes {@code options.labelsOut()} (the graph with ArgMax inside),
 * {@code options.threads()} intra-op threads (0 = all available processors), and for INT8 the calibration table in
 * {@code options.calibration()}; a run at exactly the profile's optimal shape uses a second ORT session with fixed
 * input dimensions. The session and its native bindings are package-private.
 */
package dev.segbench.backend.cpu;
