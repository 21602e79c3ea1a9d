package dev.segbench.harness.gate;

import dev.segbench.results.Gate;
import dev.segbench.results.Run;
import dev.segbench.results.Server;
import dev.segbench.results.Stability;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Evaluates gate conditions on one run against its reference run. A metric the run did not measure is
 * {@link Gate#MISSING} and fails the gate: a CI gate never passes because a number is absent. Likewise a latency from
 * a measurement that broke a rule is {@link Gate#INVALID} and an accuracy of seeded weights (shown as n/a) is
 * {@link Gate#SEEDED}; both fail with their reason (agreement is judged on seeded weights: it compares two runs of
 * the same weights). A condition measured against the reference ({@code agreement}, {@code miou-vs-ref}) does not
 * apply to the reference run itself. {@link #judgeAll} is the one place compare, {@code --resume} and merge judge.
 */
public final class GateEvaluator {

    /** The exit status of {@code compare} when some run failed its gate (after everything is written). */
    public static final int EXIT_GATE_FAILED = 4;

    private final List<Condition> conditions;

    public GateEvaluator(List<Condition> conditions) {
        this.conditions = List.copyOf(conditions);
    }

    public static GateEvaluator parse(String gateOption) {
        return new GateEvaluator(GateParser.parse(gateOption));
    }

    /**
     * A run with its scenario results, as the gate sees it; {@code server} is null where the server scenario did
     * not run.
     */
    public record Subject(Run run, Server server) {
        /** The run with its first performance size's server result (the size its own latency fields hold). */
        public static Subject of(Run run) {
            return new Subject(run, run.performance().isEmpty() ? null : run.performance().getFirst().server());
        }
    }

    /**
     * The gate of {@code subject}; null for a skipped run (its backend cannot run here: nothing to judge).
     *
     * @param reference the run the subject's agreement is measured against (the same model on {@code --reference});
     *                  null when there is none. May be the subject itself.
     */
    public Gate evaluate(Subject subject, Subject reference) {
        Run run = subject.run();
        if (Run.SKIPPED.equals(run.status())) {
            return null;
        }
        boolean isReference = reference != null && reference.run().key().equals(run.key());
        List<Gate.Condition> out = new ArrayList<>();
        for (Condition c : conditions) {
            out.add(check(c, subject, reference, isReference));
        }
        boolean passed = out.stream().noneMatch(c -> Gate.fails(c.status()));
        return new Gate(passed, out);
    }

    /**
     * Every run with its gate, as compare, {@code --resume} and merge record it: a run {@code judged} accepts that
     * is ok or failed is judged against {@code referenceOf} it (null: none); every other run gets no gate.
     */
    public List<Run> judgeAll(List<Run> runs, Predicate<Run> judged, Function<Run, Run> referenceOf) {
        List<Run> out = new ArrayList<>();
        for (Run r : runs) {
            boolean judge = judged.test(r) && (r.ok() || Run.FAILED.equals(r.status()));
            Run ref = judge ? referenceOf.apply(r) : null;
            out.add(r.toBuilder().gate(!judge ? null : evaluate(Subject.of(r), ref == null ? null : Subject.of(ref))).build());
        }
        return out;
    }

    /** Why this run's value of {@code metric} cannot be judged (invalid or seeded); null when it can. */
    private static Gate.Condition unusable(Condition c, Run run, String whose) {
        GateMetric m = c.metric();
        if (m.groundTruth() && Run.seeded(run)) {
            return new Gate.Condition(c.text(), Gate.SEEDED, null, null, m.id() + " of " + whose
                    + " is n/a: seeded (untrained) weights, give --weights for a real accuracy");
        }
        if (m.singleStream() && Stability.invalid(run)) {
            return new Gate.Condition(c.text(), Gate.INVALID, null, null, m.id() + " of " + whose
                    + " is from an invalid measurement (" + String.join("; ", Stability.brokenRules(run)) + ")");
        }
        return null;
    }

    private static Gate.Condition check(Condition c, Subject subject, Subject reference, boolean isReference) {
        Run run = subject.run();
        String metric = c.metric().id();
        if (!run.ok()) {
            return new Gate.Condition(c.text(), Gate.MISSING, null, null, "run " + run.status()
                    + (run.reason() == null ? "" : ": " + run.reason()));
        }
        if (c.metric().againstReference() && isReference) {
            return new Gate.Condition(c.text(), Gate.NOT_APPLICABLE, null, c.factor(), "this is the reference run");
        }
        Gate.Condition unusable = unusable(c, run, "this run");
        if (unusable != null) {
            return unusable;
        }
        Double value = c.metric().of(run, subject.server());
        if (value == null || value.isNaN()) {
            String why = c.metric().againstReference() ? metric + " not measured (no reference run to compare with)"
                    : metric + " not measured for this run";
            return new Gate.Condition(c.text(), Gate.MISSING, null, null, why);
        }
        double threshold = c.factor();
        String base = "";
        if (c.relative()) {
            if (reference == null) {
                return new Gate.Condition(c.text(), Gate.MISSING, value, null, "no reference run for *ref");
            }
            Gate.Condition refUnusable = reference.run().ok() ? unusable(c, reference.run(), "reference "
                    + reference.run().key()) : null;
            if (refUnusable != null) {
                return new Gate.Condition(c.text(), refUnusable.status(), value, null, refUnusable.reason());
            }
            Double ref = reference.run().ok() ? c.metric().of(reference.run(), reference.server()) : null;
            if (ref == null || ref.isNaN()) {
                return new Gate.Condition(c.text(), Gate.MISSING, value, null, "reference " + reference.run().key()
                        + " has no " + metric);
            }
            threshold = c.factor() * ref;
            base = " (" + num(c.factor()) + " x reference " + num(ref) + ")";
        }
        if (c.comparison().holds(value, threshold)) {
            return new Gate.Condition(c.text(), Gate.PASS, value, threshold, null);
        }
        return new Gate.Condition(c.text(), Gate.FAIL, value, threshold,
                metric + " " + num(value) + " " + c.comparison().violated() + " " + num(threshold) + base);
    }

    /** One cell for summary.csv and the console table: "pass", "fail: REASON; REASON", or "-" when not evaluated. */
    public static String summary(Gate gate) {
        if (gate == null) {
            return "-";
        }
        if (gate.passed()) {
            return "pass";
        }
        return "fail: " + gate.conditions().stream()
                .filter(c -> Gate.fails(c.status()))
                .map(c -> Gate.FAIL.equals(c.status()) ? c.reason() : c.condition() + " " + c.reason())
                .collect(Collectors.joining("; "));
    }

    /** Whether any of these gates failed (compare then exits {@value #EXIT_GATE_FAILED}). */
    public static boolean anyFailed(List<Gate> gates) {
        return gates.stream().anyMatch(g -> g != null && !g.passed());
    }

    public List<Condition> conditions() {
        return conditions;
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.6g", v).replaceAll("\\.?0+($|e)", "$1");
    }
}
