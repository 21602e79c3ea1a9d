package dev.segbench.harness.gate;

/** The comparison of a gate condition. Equality is left out on purpose: measured numbers are never exactly equal. */
public enum Comparison {
    AT_LEAST(">="),
    MORE_THAN(">"),
    AT_MOST("<="),
    LESS_THAN("<");

    private final String symbol;

    Comparison(String symbol) {
        this.symbol = symbol;
    }

    public String symbol() {
        return symbol;
    }

    public boolean holds(double value, double threshold) {
        return switch (this) {
            case AT_LEAST -> value >= threshold;
            case MORE_THAN -> value > threshold;
            case AT_MOST -> value <= threshold;
            case LESS_THAN -> value < threshold;
        };
    }

    /** The symbol that says how it failed: "<" for a failed ">=". */
    public String violated() {
        return switch (this) {
            case AT_LEAST -> "<";
            case MORE_THAN -> "<=";
            case AT_MOST -> ">";
            case LESS_THAN -> ">=";
        };
    }
}
