package dev.segbench.results;

import dev.segbench.results.settings.Settings;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Whether a run's batch-1 latency measurement is unstable (high spread) as opposed to invalid (a measurement rule
 * broken: too short, too few iterations, no warm-up). A high CV alone never makes a run invalid, like trtexec's
 * warning and unlike LoadGen's INVALID, which is for broken rules.
 *
 * <p>The performance step records the verdict ({@code measurement.unstable}, with its CV, robust spread and
 * threshold); for results written before it did, {@link #unstable} derives it from the recorded CV against the
 * settings' threshold.
 */
public final class Stability {

    /**
     * The performance pass's CV verdict as older files wrote it in text ("... CV 7.3% > 5.0% ..."): a measurement reason
     * before schema 3, a run warning until the verdict was only {@code measurement.unstable}. Matched only by
     * {@link #withoutVerdictText} when such a file is read; no decision reads warning text.
     */
    private static final Pattern LEGACY_CV_VERDICT = Pattern.compile("\\bCV\\b");

    private Stability() {
    }

    /** An unstable measurement: the CV and the robust spread (p90-p10)/p50 (null where the CDF lacks p10). */
    public record Unstable(double cv, double threshold, Double robustSpread) {
    }

    /** The run's instability, or null when its latency is stable (or was not measured). */
    public static Unstable unstable(Run run, Settings settings) {
        Run.Measurement m = run.measurement();
        if (m != null && m.unstable() != null) {
            return !m.unstable() ? null : new Unstable(m.cv() == null ? Double.NaN : m.cv(),
                    m.cvThreshold() == null ? Double.NaN : m.cvThreshold(), m.robustSpread());
        }
        Run.Latency l = run.latencyMs();
        double threshold = settings == null ? Double.NaN : settings.performance().cvThreshold();
        if (l == null || !(threshold > 0)) {
            return null;
        }
        double cv = l.cv() != null ? l.cv() : l.mean() > 0 ? l.stddev() / l.mean() : Double.NaN;
        return cv > threshold ? new Unstable(cv, threshold, robustSpread(l)) : null;
    }

    /** (p90 - p10) / p50 from the recorded CDF, or null without a p10 point. */
    public static Double robustSpread(Run.Latency l) {
        if (l.cdf() == null || !(l.p50() > 0)) {
            return null;
        }
        for (double[] point : l.cdf()) {
            if (point.length == 2 && point[0] == 10.0) {
                return (l.p90() - point[1]) / l.p50();
            }
        }
        return null;
    }

    /** The measurement rules the run broke (a CV verdict is not one); empty when it has none or no measurement. */
    public static List<String> brokenRules(Run run) {
        Run.Measurement m = run.measurement();
        List<String> out = new java.util.ArrayList<>(m == null ? List.of()
                : m.reasons());
        // each offline cell has its own verdict by the same rules; a reason the single-stream already gave is said once
        for (PerformanceAtSize p : run.performance()) {
            for (InFlightThroughput t : p.throughput()) {
                if (t.measurement() != null && !t.measurement().valid()) {
                    t.measurement().reasons().stream().filter(r -> !out.contains(r))
                            .forEach(r -> out.add("offline " + p.size() + " " + t.configuration() + ": " + r));
                }
            }
        }
        return List.copyOf(out);
    }

    /** Whether a measurement (single-stream, or an offline cell) broke a rule: the only thing that makes it invalid. */
    public static boolean invalid(Run run) {
        return !brokenRules(run).isEmpty();
    }

    /**
     * A run read from a file, without the CV verdict's text that older writers put among its measurement reasons and
     * warnings: a high CV is no broken rule, and {@link #unstable} states it (from {@code measurement.unstable}, or
     * from the recorded CV where a file predates that field). Runs written since are returned as they are.
     */
    public static Run withoutVerdictText(Run run) {
        Run.Measurement m = run.measurement();
        boolean inReasons = m != null && m.reasons().stream().anyMatch(LEGACY_CV_VERDICT.asPredicate());
        boolean inWarnings = run.warnings().stream().anyMatch(LEGACY_CV_VERDICT.asPredicate());
        if (!inReasons && !inWarnings) {
            return run;
        }
        Run.Builder b = run.toBuilder().warnings(run.warnings().stream().filter(LEGACY_CV_VERDICT.asPredicate().negate()).toList());
        if (inReasons) {
            b.measurement(new Run.Measurement(m.valid(), m.reasons().stream().filter(LEGACY_CV_VERDICT.asPredicate().negate())
                    .toList(), m.warmupSeconds(), m.durationSeconds(), m.iterations(), m.unstable(), m.cv(),
                    m.robustSpread(), m.cvThreshold()));
        }
        return b.build();
    }
}
