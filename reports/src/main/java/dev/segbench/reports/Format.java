package dev.segbench.reports;

import java.util.Locale;

/** Number formatting for the report: fixed locale, a dash for missing values. */
final class Format {

    static final String MISSING = "—";

    private Format() {
    }

    static String percent(Double fraction) {
        return fraction == null || fraction.isNaN() ? MISSING : String.format(Locale.ROOT, "%.2f", 100 * fraction);
    }

    static String ms(Double ms) {
        if (ms == null || ms.isNaN()) {
            return MISSING;
        }
        double a = Math.abs(ms);
        return String.format(Locale.ROOT, a < 1 ? "%.3f" : a < 100 ? "%.2f" : "%.1f", ms);
    }

    /** A tail percentile in ms: null means too few samples support it (the one rule, {@code PercentileIntervals}). */
    static String tailMs(Double ms) {
        return ms == null ? dev.segbench.results.PercentileIntervals.TOO_FEW : ms(ms);
    }

    static String number(Double v, int decimals) {
        return v == null || v.isNaN() ? MISSING : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /** A metric value of unknown scale with about four significant digits. */
    static String value(double v) {
        if (Double.isNaN(v)) {
            return MISSING;
        }
        double a = Math.abs(v);
        return String.format(Locale.ROOT, a == 0 ? "%.0f" : a < 1 ? "%.4f" : a < 100 ? "%.3f" : "%.1f", v);
    }

    static String signedPercent(double relative) {
        if (Double.isInfinite(relative)) {
            return relative > 0 ? "+∞" : "−∞";
        }
        return String.format(Locale.ROOT, "%+.1f%%", 100 * relative);
    }

    static String bytes(long bytes) {
        return bytes <= 0 ? MISSING : String.format(Locale.ROOT, "%.1f GiB", bytes / (1024.0 * 1024 * 1024));
    }

    static String mebibytes(long bytes) {
        return bytes < 0 ? MISSING : String.format(Locale.ROOT, "%.0f MiB", bytes / (1024.0 * 1024));
    }

    static String orDash(Object o) {
        return o == null || o.toString().isBlank() ? MISSING : o.toString();
    }
}
