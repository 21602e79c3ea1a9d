package dev.segbench.results;

import dev.segbench.results.settings.Settings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Builds the warnings of a results file: keeps each one once (the same code and text from several sources becomes
 * one warning concerning the union of their runs) and derives those that follow from the runs' states (skipped
 * backends, failed or unfinished runs, unstable or invalid measurements, skipped samples, run warnings).
 */
public final class Warnings {

    private final Map<String, Warning> byCodeAndText = new LinkedHashMap<>();

    public Warnings add(Warning w) {
        byCodeAndText.merge(w.code() + "\u0000" + w.text(), w, (old, added) -> old.withRuns(added.runs()));
        return this;
    }

    public Warnings addAll(List<Warning> ws) {
        ws.forEach(this::add);
        return this;
    }

    public List<Warning> list() {
        return List.copyOf(byCodeAndText.values());
    }

    /** Warnings the runs' own states call for; {@code settings} gives the CV threshold (may be null). */
    public static List<Warning> fromRuns(List<Run> runs, Settings settings) {
        Warnings w = new Warnings();
        if (runs.isEmpty()) {
            w.add(Warning.of(Warning.NO_RESULTS, Warning.DANGER, "the results contain no runs"));
        } else if (runs.stream().allMatch(Run::finished) && runs.stream().noneMatch(Run::ok)) {
            w.add(Warning.of(Warning.NO_RESULTS, Warning.DANGER, "every run was skipped or failed: there are no measurements"));
        }
        for (Map.Entry<String, List<Run>> g : notRunGroups(runs, Run.SKIPPED).entrySet()) {
            List<Run> group = g.getValue();
            w.add(new Warning(Warning.BACKEND_SKIPPED, Warning.WARN, keys(group), "backend " + group.getFirst().backend()
                    + " skipped (" + describe(group) + "): " + group.getFirst().reason()));
        }
        for (Map.Entry<String, List<Run>> g : notRunGroups(runs, Run.FAILED).entrySet()) {
            List<Run> group = g.getValue();
            w.add(new Warning(Warning.RUN_FAILED, Warning.DANGER, keys(group), "backend " + group.getFirst().backend()
                    + " failed (" + describe(group) + "): " + group.getFirst().reason()));
        }
        List<Run> unfinished = runs.stream().filter(r -> !r.finished()).toList();
        if (!unfinished.isEmpty()) {
            long interrupted = unfinished.stream().filter(r -> Run.INTERRUPTED.equals(r.status())).count();
            w.add(new Warning(Warning.UNFINISHED, Warning.DANGER, keys(unfinished), unfinished.size() + " of " + runs.size()
                    + " runs did not finish (" + interrupted + " interrupted, " + (unfinished.size() - interrupted)
                    + " pending): run the same compare with --resume to finish them; finished runs are reused"));
        }
        List<Run> unstable = new ArrayList<>();
        List<String> figures = new ArrayList<>();
        double threshold = Double.NaN;
        for (Run r : runs) {
            Stability.Unstable u = r.ok() ? Stability.unstable(r, settings) : null;
            if (u != null) {
                unstable.add(r);
                threshold = u.threshold();
                figures.add(r.key() + " CV " + percent(u.cv())
                        + (u.robustSpread() == null ? "" : ", (p90-p10)/p50 " + percent(u.robustSpread())));
            }
        }
        if (!unstable.isEmpty()) {
            w.add(new Warning(Warning.UNSTABLE, Warning.WARN, keys(unstable), "unstable batch-1 latency (CV above "
                    + percent(threshold) + "; busy or throttling machine?): " + String.join("; ", figures)
                    + ". The numbers stand; compare them with care or measure longer (--min-duration)"));
        }
        for (Run r : runs) {
            List<String> broken = Stability.brokenRules(r);
            if (r.ok() && Stability.invalid(r)) {
                w.add(new Warning(Warning.MEASUREMENT_INVALID, Warning.WARN, List.of(r.key()), r.key()
                        + ": performance measurement invalid: " + String.join("; ", broken)));
            }
        }
        for (Run r : runs) {
            for (Run.Skipped s : r.dataset() == null ? List.<Run.Skipped>of() : r.dataset().skipped()) {
                w.add(new Warning(Warning.SAMPLE_SKIPPED, Warning.WARN, List.of(r.key()), sampleSkipped(s.id(), s.reason())));
            }
        }
        for (Run r : runs) {
            Integer without = r.agreement() == null ? null : r.agreement().samplesWithoutReference();
            if (r.ok() && without != null && without > 0) {
                w.add(new Warning(Warning.AGREEMENT_INCOMPLETE, Warning.WARN, List.of(r.key()), r.key() + ": agreement "
                        + "leaves out " + without + " sample" + (without == 1 ? "" : "s") + " without reference labels "
                        + "(the reference run skipped them); it covers the others only"));
            }
        }
        for (Run r : runs) {
            List<String> late = new ArrayList<>();
            for (PerformanceAtSize p : r.ok() ? r.performance() : List.<PerformanceAtSize>of()) {
                for (Server.Trial t : p.server() == null ? List.<Server.Trial>of() : p.server().trials()) {
                    if (t.harnessLate()) {
                        late.add(String.format(Locale.ROOT, "%s at %.1f qps: wake-up lateness p99 %.3g ms vs latency "
                                + "p99 %.3g ms", p.size(), t.targetQps(), t.wakeLateMs().p99(), t.latencyMs().p99()));
                    }
                }
            }
            if (!late.isEmpty()) {
                w.add(new Warning(Warning.HARNESS_LATE, Warning.WARN, List.of(r.key()), r.key() + ": the harness woke "
                        + "late for arrivals by " + percent(Server.LATE_SHARE) + " or more of a server trial's p99 ("
                        + String.join("; ", late) + "): its own scheduling is inside those latencies (busy machine?)"));
            }
        }
        for (Run r : runs) {
            List<String> reasons = r.measurement() == null ? List.of() : r.measurement().reasons();
            // the performance pass repeats its measurement verdicts as run warnings: they are said above
            r.warnings().stream().filter(x -> !reasons.contains(x)).distinct()
                    .forEach(x -> w.add(new Warning(Warning.RUN_WARNING, Warning.WARN, List.of(r.key()), r.key() + ": " + x)));
        }
        return w.list();
    }

    /** Whether {@link #fromRuns} makes this kind of warning (so merged results derive it again rather than copy it). */
    public static boolean derivedFromRuns(Warning w) {
        return java.util.Set.of(Warning.NO_RESULTS, Warning.BACKEND_SKIPPED, Warning.RUN_FAILED, Warning.UNFINISHED,
                Warning.UNSTABLE, Warning.MEASUREMENT_INVALID, Warning.RUN_WARNING, Warning.AGREEMENT_INCOMPLETE,
                Warning.HARNESS_LATE).contains(w.code());
    }

    /** The text of a skipped-sample warning, the same whoever notices it (the dataset at open, or a run). */
    public static String sampleSkipped(String id, String reason) {
        return "sample " + id + " skipped: " + reason;
    }

    /**
     * The warnings of a results file written before schema 3, converted once on read: the run-derived ones plus
     * seeded weights and synthetic data from the runs' facts, and the old strings that none of these repeats.
     */
    public static List<Warning> upgrade(List<Warning> oldStrings, List<Run> runs, Settings settings) {
        Warnings w = new Warnings();
        Map<String, List<String>> seeded = new LinkedHashMap<>();
        Map<String, List<String>> synthetic = new LinkedHashMap<>();
        for (Run r : runs) {
            if (r.weights() != null && "seeded".equals(r.weights().kind())) {
                seeded.computeIfAbsent(r.model(), k -> new ArrayList<>()).add(r.key());
            }
            if (r.dataset() != null && r.dataset().synthetic()) {
                synthetic.computeIfAbsent(String.valueOf(r.dataset().name()), k -> new ArrayList<>()).add(r.key());
            }
        }
        if (!seeded.isEmpty()) {
            w.add(seededWeights(List.copyOf(seeded.keySet()), seeded.values().stream().flatMap(List::stream).toList()));
        }
        synthetic.forEach((name, keys) -> w.add(syntheticData(name, keys)));
        w.addAll(fromRuns(runs, settings));
        for (Warning old : oldStrings) {
            if (!repeatsDerived(old.text())) {
                w.add(old);
            }
        }
        return w.list();
    }

    /** Old strings the harness derived from the same facts as {@link #fromRuns} and the seeded/synthetic warnings. */
    private static boolean repeatsDerived(String s) {
        return s.contains(": untrained seeded weights") || s.matches("dataset .* is generated: .*")
                || s.matches("backend \\S+ skipped \\(.*") || s.matches("sample .* skipped: .*");
    }

    /** The warning for models that ran with seeded (untrained) weights. */
    public static Warning seededWeights(List<String> models, List<String> runKeys) {
        return new Warning(Warning.SEEDED_WEIGHTS, Warning.DANGER, runKeys, "untrained seeded weights for "
                + String.join(", ", models) + ": accuracy (mIoU, pixel accuracy, per-class IoU) is meaningless and shown "
                + "as n/a; speed and agreement still hold. Pass --weights MODEL=FILE for real accuracy");
    }

    /** The warning for a generated dataset. */
    public static Warning syntheticData(String dataset, List<String> runKeys) {
        return new Warning(Warning.SYNTHETIC_DATA, Warning.DANGER, runKeys, "dataset " + dataset
                + " is generated: accuracy says nothing about real images (give --dataset voc:DIR)");
    }

    private static Map<String, List<Run>> notRunGroups(List<Run> runs, String status) {
        return runs.stream().filter(r -> status.equals(r.status())).collect(Collectors.groupingBy(
                r -> r.backend() + "\u0000" + r.reason(), LinkedHashMap::new, Collectors.toList()));
    }

    private static List<String> keys(List<Run> runs) {
        return runs.stream().map(Run::key).toList();
    }

    private static String describe(List<Run> group) {
        return group.size() == 1 ? group.getFirst().key() : group.size() + " runs";
    }

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * fraction);
    }
}
