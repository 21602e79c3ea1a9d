package dev.segbench.reports;

/**
 * One metric of one run compared with the baseline. {@code relativeChange} is (new - old) / |old|
 * (infinite when old is 0 and new is not); {@code verdict} applies the metric's direction;
 * {@code flagged} is true for a regression larger than the threshold.
 */
public record MetricChange(String metric, String runKey, double oldValue, double newValue, double relativeChange,
                           Verdict verdict, boolean flagged) {

    /** Whether the new value is better than, worse than or the same as the old one, given the metric's direction. */
    public enum Verdict {
        BETTER, WORSE, UNCHANGED
    }
}
