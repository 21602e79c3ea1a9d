package dev.segbench.harness.gate;

/**
 * One parsed gate condition: {@code metric comparison factor[*ref]}.
 *
 * @param text        the condition as the user wrote it, trimmed (shown in results and errors)
 * @param factor      the number on the right; with {@code relative} it multiplies the reference run's value
 * @param relative    {@code *ref}: the threshold is {@code factor} times the same metric of the run's reference
 */
public record Condition(String text, GateMetric metric, Comparison comparison, double factor, boolean relative) {
}
