package dev.segbench.results;

import java.util.List;

/**
 * The {@code --gate} verdict of one run: every condition with the value it saw. The run passes when no condition
 * {@link #fails}: a metric that was not measured, was measured by a broken rule, or means nothing (accuracy of
 * seeded weights) never passes silently, as LoadGen never reports an INVALID result.
 *
 * @param passed     whether every condition held (or did not apply)
 * @param conditions one entry per condition, in the order given
 */
public record Gate(boolean passed, List<Condition> conditions) {

    public static final String PASS = "pass";
    public static final String FAIL = "fail";
    /** The metric (or the reference's metric for {@code *ref}) was not measured for this run. */
    public static final String MISSING = "missing";
    /** The condition compares the run with its reference, and this run is the reference. */
    public static final String NOT_APPLICABLE = "not-applicable";
    /** The metric comes from a measurement that broke a rule (warm-up skipped, minimum duration or count not met). */
    public static final String INVALID = "invalid";
    /** The metric is accuracy against ground truth of seeded (untrained) weights, which the report shows as n/a. */
    public static final String SEEDED = "seeded";

    /** Whether a condition of this status fails the gate: every status but pass and not-applicable. */
    public static boolean fails(String status) {
        return !PASS.equals(status) && !NOT_APPLICABLE.equals(status);
    }

    public Gate {
        conditions = conditions == null ? List.of() : List.copyOf(conditions);
    }

    /**
     * @param condition the condition as written ("miou>=0.99*ref")
     * @param status    {@link #PASS}, {@link #FAIL}, {@link #MISSING}, {@link #INVALID}, {@link #SEEDED} or
     *                  {@link #NOT_APPLICABLE}
     * @param value     this run's value of the metric; null when missing
     * @param threshold the right-hand side after resolving {@code *ref}; null when it could not be resolved
     * @param reason    one line for a status other than pass ("p99-ms 131.2 > 120"); null for pass
     */
    public record Condition(String condition, String status, Double value, Double threshold, String reason) {
    }
}
