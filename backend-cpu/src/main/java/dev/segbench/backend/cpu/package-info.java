/**
 * The ONNX Runtime CPU backend ({@code id "cpu"}, rank 10, the default reference), registered through
 * {@code META-INF/services/dev.segbench.api.Backend}. Callers use it only through {@link dev.segbench.api.Backend}:
 * {@code open(model, options)} takes {@code options.labelsOut()} (the graph with ArgMax inside) and
 * {@code options.threads()} intra-op threads (0 = all available processors). The session and its native
 * bindings are package-private.
 */
package dev.segbench.backend.cpu;
