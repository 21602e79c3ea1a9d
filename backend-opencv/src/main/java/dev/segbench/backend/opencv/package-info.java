/**
 * The OpenCV DNN backend ({@code id "opencv"}, rank 30), a plugin registered through
 * {@code META-INF/services/dev.segbench.api.Backend}; callers use it only through {@link dev.segbench.api.Backend}.
 * fp32 logits graphs on {@code DNN_BACKEND_OPENCV} + {@code DNN_TARGET_CPU}, {@code options.threads()} threads
 * (0 = all available processors), one OpenCV network per input shape. The session and the native helpers are
 * package-private.
 */
package dev.segbench.backend.opencv;
