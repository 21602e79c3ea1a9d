package dev.segbench.results;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One thing the results must tell their reader, decided once by the harness and rendered as is by the console and
 * the report. {@code code} says what kind of problem it is (one of the constants below; plugins and future steps
 * may add codes), {@code severity} is {@link #DANGER} (numbers are misleading) or {@link #WARN}, {@code runs} are
 * the keys of the runs it concerns (empty: the whole compare) and {@code text} is the one line shown to the user.
 */
public record Warning(String code, String severity, List<String> runs, String text) {

    public static final String DANGER = "danger";
    public static final String WARN = "warn";

    public static final String SEEDED_WEIGHTS = "seeded-weights";
    public static final String SYNTHETIC_DATA = "synthetic-data";
    public static final String BACKEND_SKIPPED = "backend-skipped";
    public static final String RUN_FAILED = "run-failed";
    public static final String UNFINISHED = "unfinished";
    public static final String NO_RESULTS = "no-results";
    public static final String UNSTABLE = "unstable";
    public static final String MEASUREMENT_INVALID = "measurement-invalid";
    public static final String RUN_WARNING = "run-warning";
    public static final String SAMPLE_SKIPPED = "sample-skipped";
    public static final String REFERENCE = "reference";
    public static final String PLUGIN = "plugin";
    public static final String MERGE = "merge";
    public static final String CALIBRATION_OVERLAP = "calibration-overlap";
    /** Agreement left out samples that had no reference labels. */
    public static final String AGREEMENT_INCOMPLETE = "agreement-incomplete";
    /** The harness's own wake-up lateness is a noticeable share of a server trial's p99. */
    public static final String HARNESS_LATE = "harness-late";
    /** A warning without a code: the strings of results written before schema 3, and free-form notes. */
    public static final String NOTE = "note";

    @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
    public Warning(@JsonProperty("code") String code, @JsonProperty("severity") String severity,
                   @JsonProperty("runs") List<String> runs, @JsonProperty("text") String text) {
        this.code = code == null ? NOTE : code;
        this.severity = DANGER.equals(severity) ? DANGER : WARN;
        this.runs = runs == null ? List.of() : List.copyOf(runs);
        this.text = text == null ? "" : text;
    }

    /** A warning of the whole compare. */
    public static Warning of(String code, String severity, String text) {
        return new Warning(code, severity, List.of(), text);
    }

    /** A plain string warning, as results before schema 3 stored them. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static Warning note(String text) {
        return new Warning(NOTE, WARN, List.of(), text);
    }

    public boolean danger() {
        return DANGER.equals(severity);
    }

    /** The same warning concerning {@code more} runs as well (for one warning raised by several sources). */
    Warning withRuns(List<String> more) {
        List<String> all = new java.util.ArrayList<>(runs);
        more.stream().filter(k -> !all.contains(k)).forEach(all::add);
        return new Warning(code, severity, all, text);
    }
}
