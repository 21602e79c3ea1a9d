package dev.segbench.api;

/** A sample left out under the skip policy, with the file and problem that caused it. */
public record SkippedSample(String id, String reason) {
}
