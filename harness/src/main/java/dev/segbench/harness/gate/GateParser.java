package dev.segbench.harness.gate;

import dev.segbench.results.UserException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses {@code --gate}: conditions separated by commas, each {@code METRIC OP RHS} where OP is {@code >=}, {@code >},
 * {@code <=} or {@code <}, and RHS is a number ({@code 0.99}, {@code 120}, {@code 1e-3}), {@code NUMBER*ref},
 * {@code ref*NUMBER} or {@code ref} (= {@code 1*ref}). {@code *ref} means that number times the same metric of the
 * run's reference run (the run agreement is measured against: same model, {@code --reference}). Spaces around the
 * parts are allowed; names are case-insensitive. Every mistake is one line naming the condition.
 */
public final class GateParser {

    private static final String OPTION = "--gate";
    /** The operator: the first of {@code <>}, with an optional {@code =}. */
    private static final Pattern OPERATOR = Pattern.compile("(>=|<=|>|<)");
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    private GateParser() {
    }

    public static List<Condition> parse(String text) {
        if (text == null || text.isBlank()) {
            throw new UserException(OPTION + ": give at least one condition (e.g. agreement>=0.99)");
        }
        List<Condition> out = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            if (part.isBlank()) {
                throw new UserException(OPTION + ": empty condition in '" + text.trim() + "'");
            }
            out.add(condition(part.trim()));
        }
        return List.copyOf(out);
    }

    static Condition condition(String text) {
        Matcher op = OPERATOR.matcher(text);
        if (!op.find()) {
            throw bad(text, "no comparison (use >=, >, <= or <)");
        }
        String name = text.substring(0, op.start()).trim().toLowerCase(Locale.ROOT);
        String rhs = text.substring(op.end()).trim().toLowerCase(Locale.ROOT);
        if (name.isEmpty()) {
            throw bad(text, "no metric before '" + op.group() + "'");
        }
        if (OPERATOR.matcher(rhs).find() || rhs.startsWith("=")) {
            throw bad(text, "more than one comparison");
        }
        GateMetric metric = GateMetric.byId(name).orElseThrow(() -> bad(text, "unknown metric '" + name + "' (known: "
                + GateMetric.known() + ")"));
        Comparison comparison = switch (op.group()) {
            case ">=" -> Comparison.AT_LEAST;
            case ">" -> Comparison.MORE_THAN;
            case "<=" -> Comparison.AT_MOST;
            default -> Comparison.LESS_THAN;
        };
        boolean relative;
        String number;
        String[] factors = rhs.split("\\*", -1);
        if (factors.length == 1 && factors[0].trim().equals("ref")) {
            relative = true;
            number = "1";
        } else if (factors.length == 1) {
            relative = false;
            number = factors[0].trim();
        } else if (factors.length == 2 && factors[1].trim().equals("ref")) {
            relative = true;
            number = factors[0].trim();
        } else if (factors.length == 2 && factors[0].trim().equals("ref")) {
            relative = true;
            number = factors[1].trim();
        } else {
            throw bad(text, "'" + rhs + "' is not a number, NUMBER*ref or ref");
        }
        if (!NUMBER.matcher(number).matches()) {
            throw bad(text, "'" + rhs + "' is not a number, NUMBER*ref or ref");
        }
        double factor = Double.parseDouble(number);
        if (!Double.isFinite(factor)) {
            throw bad(text, "'" + number + "' is too large");
        }
        if (relative && metric.againstReference()) {
            throw bad(text, metric.id() + " is already measured against the reference; compare it with a number");
        }
        if (!relative && metric.fraction() && factor > 1) {
            throw bad(text, metric.id() + " is a fraction in 0..1 (write 0.99, not 99)");
        }
        return new Condition(text, metric, comparison, factor, relative);
    }

    private static UserException bad(String condition, String problem) {
        return new UserException(OPTION + ": '" + condition + "': " + problem);
    }
}
