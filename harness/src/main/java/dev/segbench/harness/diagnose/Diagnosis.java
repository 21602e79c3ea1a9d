package dev.segbench.harness.diagnose;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@code segbench diagnose} found, as diagnose.json holds it: per pair of runs (the reference and each other
 * run) every tensor both captured, in graph order, with its error against the reference, the error its op received
 * and the amplification, and the first tensor whose error passes the tolerance with the graph path that leads to it.
 */
public record Diagnosis(String format, String model, String weights, String dataset, List<String> images,
                        double tolerance, String reference, List<RunEntry> runs, List<Pair> pairs) {

    public static final String FORMAT = "segbench-diagnose/1";
    public static final String FILE_NAME = "diagnose.json";

    /** One run: ok with how many tensors it captured, or failed with why (its child's ending, in one line). */
    public record RunEntry(String run, String status, String reason, int captured) {
    }

    /**
     * One tensor of a pair. {@code inputRelativeL2}: the largest relative error among the compared tensors its op
     * read (0 where it read only the graph input and weights). Non-finite values are null.
     */
    public record TensorEntry(String tensor, String op, int depth, Double relativeL2, Double maxAbs, Double cosine,
                              Double inputRelativeL2, Double amplification, List<String> inputs) {
    }

    /** A step of the path to the first divergence: the tensor, its op and its error. */
    public record PathStep(String tensor, String op, Double relativeL2) {
    }

    /** The first tensor, in graph order, whose relative L2 error passes the tolerance. */
    public record Divergence(String tensor, String op, int depth, Double relativeL2, Double amplification) {
    }

    /**
     * One run against the reference. {@code firstDivergence} is null where no tensor passes the tolerance;
     * {@code mismatched} names tensors left out because their shapes differ.
     */
    public record Pair(String reference, String candidate, int shared, Divergence firstDivergence, List<PathStep> path,
                       List<TensorEntry> tensors, Map<String, String> mismatched) {

        /**
         * The tensors that create the most error: ranked by amplification, among those whose error is at least 1% of
         * the pair's largest (so that layers at rounding noise do not crowd the list), at most {@code n}.
         */
        public List<TensorEntry> worst(int n) {
            double largest = tensors.stream().map(TensorEntry::relativeL2).filter(java.util.Objects::nonNull)
                    .mapToDouble(Double::doubleValue).max().orElse(0);
            return tensors.stream()
                    .filter(t -> t.relativeL2() != null && t.relativeL2() >= 0.01 * largest && t.amplification() != null)
                    .sorted(Comparator.comparing(TensorEntry::amplification).reversed()).limit(n).toList();
        }
    }

    /**
     * The pair of {@code candidate} against the reference, over the tensors the view orders that both captured and
     * the candidate has error sums for.
     */
    public static Pair pair(GraphView view, String reference, String candidate, DiagnoseJob.Captured ref,
                            DiagnoseJob.Captured cand, double tolerance) {
        Set<String> refNames = new LinkedHashSet<>(ref.captured());
        Set<String> compared = new LinkedHashSet<>();
        for (String t : view.tensors()) {
            if (refNames.contains(t) && cand.sums().containsKey(t)) {
                compared.add(t);
            }
        }
        List<String> order = view.tensors();
        List<TensorEntry> entries = new ArrayList<>();
        Map<String, TensorError> errors = new java.util.HashMap<>();
        Divergence first = null;
        for (String t : compared) {
            TensorError e = cand.sums().get(t).error();
            errors.put(t, e);
            Set<String> inputs = view.comparedInputs(t, compared);
            double in = inputs.stream().mapToDouble(i -> errors.get(i).relativeL2()).max().orElse(0);
            double amp = e.amplification(in);
            int depth = order.indexOf(t);
            entries.add(new TensorEntry(t, view.op(t), depth, finite(e.relativeL2()), finite(e.maxAbs()),
                    finite(e.cosine()), finite(in), finite(amp), List.copyOf(inputs)));
            if (first == null && !(e.relativeL2() <= tolerance)) { // NaN and infinity pass it too
                first = new Divergence(t, view.op(t), depth, finite(e.relativeL2()), finite(amp));
            }
        }
        List<PathStep> path = first == null ? List.of() : path(view, first.tensor(), compared, errors);
        return new Pair(reference, candidate, compared.size(), first, path, entries, cand.mismatched());
    }

    /**
     * The graph path from the input to {@code end}: from {@code end} back through, at each op, the input that carried
     * the most error (the latest in graph order on ties), until an op that read only the graph input and weights.
     */
    static List<PathStep> path(GraphView view, String end, Set<String> compared, Map<String, TensorError> errors) {
        List<PathStep> steps = new ArrayList<>();
        List<String> order = view.tensors();
        String t = end;
        while (t != null) {
            steps.add(new PathStep(t, view.op(t), finite(errors.get(t).relativeL2())));
            String next = null;
            for (String i : view.comparedInputs(t, compared)) {
                if (next == null || errors.get(i).relativeL2() > errors.get(next).relativeL2()
                        || (errors.get(i).relativeL2() == errors.get(next).relativeL2() && order.indexOf(i) > order.indexOf(next))) {
                    next = i;
                }
            }
            t = next;
        }
        return List.copyOf(steps.reversed());
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
