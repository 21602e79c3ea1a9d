package dev.segbench.results.settings;

import dev.segbench.api.DatasetOptions;
import dev.segbench.api.Precision;
import dev.segbench.api.ModelException;
import dev.segbench.api.ModelSpec;
import dev.segbench.results.UserException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The one settings value of a {@code compare}: parsed and validated once (like LoadGen's TestSettings), handed to
 * each run's child process as it is, and recorded verbatim in results.json (so what a run used and what the file says
 * cannot drift apart through a converter). Grouped by concern so a new group is one more component:
 * <ul>
 *   <li>{@link Selection}: which runs (models, backends, precisions, weights, reference);</li>
 *   <li>{@link Data}: which samples (dataset, options, shard) and how they are fed;</li>
 *   <li>{@link Performance}: the performance pass (sizes, warm-up, duration rules, the load scenarios);</li>
 *   <li>{@link Session}: what a backend session gets (threads, properties, engine cache);</li>
 *   <li>{@link Execution}: how runs execute (own process or not, time limits, resume);</li>
 *   <li>{@code calibration}: how int8 runs get their calibration table (null when no int8 run is asked for);</li>
 *   <li>{@link Recorded}: what only the results need: the command line as given (from the start) and what the plan
 *       made of the options (once it has run; null where settings are made in code).</li>
 * </ul>
 * Every component is plain data (it travels as JSON). Changing one group is {@code withX}, never a positional copy of
 * the others.
 */
public record Settings(Selection selection, Data data, Performance performance, Session session,
                       Execution execution, Path out, CalibrationRequest calibration, Recorded recorded) {

    public static final String DEFAULT_DATASET = "synthetic:8";
    public static final int CPU_DEFAULT_MAX_BATCH = 8;

    public Settings {
        require(selection != null && data != null && performance != null && session != null && execution != null,
                "run settings are incomplete");
        require(out != null, "--out: give a results folder");
    }

    /** Settings of a compare as parsed, before the plan resolves anything. */
    public Settings(Selection selection, Data data, Performance performance, Session session, Execution execution,
                    Path out, CalibrationRequest calibration) {
        this(selection, data, performance, session, execution, out, calibration, null);
    }

    /** Settings of a compare without int8 calibration. */
    public Settings(Selection selection, Data data, Performance performance, Session session, Execution execution,
                    Path out) {
        this(selection, data, performance, session, execution, out, null, null);
    }

    /**
     * What only the results need, recorded beside the settings the runs got.
     *
     * @param commandLine the compare's arguments exactly as given (null in files written before it)
     * @param backends    the backends the plan ran (every available one when {@code --backends} was not given)
     * @param reference   the reference run the plan chose, "backend:precision", or "none" ({@code --reference none})
     * @param baseline    the run speed-ups are measured against (the reference, "none" included, unless
     *                    {@code --baseline})
     * @param shard       the shard(s) these results cover, "all", "2/3" or merged "1/3+2/3"
     * @param gate        the {@code --gate} conditions as given (null: none)
     */
    public record Recorded(List<String> commandLine, List<String> backends, String reference, String baseline,
                           String shard, String gate) {
        public Recorded {
            commandLine = commandLine == null ? null : List.copyOf(commandLine);
            backends = backends == null ? List.of() : List.copyOf(backends);
        }

        public Recorded withShard(String newShard) {
            return new Recorded(commandLine, backends, reference, baseline, newShard, gate);
        }
    }

    /** The same settings with what the results record beside them. */
    public Settings withRecorded(Recorded value) {
        return new Settings(selection, data, performance, session, execution, out, calibration, value);
    }

    /** The same settings written to another folder (a merge's {@code --out}). */
    public Settings withOut(Path value) {
        return new Settings(selection, data, performance, session, execution, value, calibration, recorded);
    }

    /** The same settings with another calibration request. */
    public Settings withCalibration(CalibrationRequest value) {
        return new Settings(selection, data, performance, session, execution, out, value, recorded);
    }

    /** The same settings recorded as covering {@code shards} ("1/3+2/3" after a merge). */
    public Settings withShard(String shards) {
        Recorded r = recorded != null ? recorded : new Recorded(null, selection.backends(), null, null, null, null);
        return withRecorded(r.withShard(shards));
    }

    /** The backends the runs were planned on (as given when the plan's answer is not recorded). */
    public List<String> backendsRun() {
        return recorded != null && !recorded.backends().isEmpty() ? recorded.backends() : selection.backends();
    }

    /**
     * Whether the user selected runs of {@code backend} at {@code precision} (a run of another pair ran only as some
     * model's reference): what the gate judges, in a compare and in a merge alike.
     */
    public boolean selects(String backend, String precision) {
        return (backendsRun().isEmpty() || backendsRun().contains(backend)) && precisionIds().contains(precision);
    }

    /** The precisions asked for, by id ("fp32"), as runs record theirs. */
    public List<String> precisionIds() {
        return selection.precisions().stream().map(Precision::id).toList();
    }

    /** The reference recorded for these results ("cpu:fp32" or "none"), or null where nothing was recorded. */
    public String reference() {
        return recorded == null ? null : recorded.reference();
    }

    /** The speed-up baseline recorded for these results (as {@link #reference()}), or null where nothing was recorded. */
    public String baseline() {
        return recorded == null ? null : recorded.baseline();
    }

    /** The shard(s) these results cover ("all" when not sharded). */
    public String shard() {
        return recorded != null && recorded.shard() != null ? recorded.shard() : data.shard().toString();
    }

    /** The {@code --gate} conditions as given, or null. */
    public String gate() {
        return recorded == null ? null : recorded.gate();
    }

    /**
     * Which runs: every model on every backend and precision.
     *
     * @param backends  backend ids; empty = every backend found
     * @param models    the models as the user names them: catalogue ids or specs ({@link #modelIds()})
     * @param weights   checkpoint per model id; models not listed get seeded weights
     * @param seed      seed of the seeded weights
     * @param reference the run agreement is measured against; null = none
     * @param baseline  the run speed-ups are measured against ({@code --baseline}); null = the reference
     */
    public record Selection(List<String> models, List<String> backends, List<Precision> precisions,
                            Map<String, Path> weights, long seed, Reference reference, Reference baseline) {

        /** A selection whose speed-ups are measured against the reference. */
        public Selection(List<String> models, List<String> backends, List<Precision> precisions,
                         Map<String, Path> weights, long seed, Reference reference) {
            this(models, backends, precisions, weights, seed, reference, null);
        }

        public Selection {
            models = List.copyOf(models);
            backends = List.copyOf(backends);
            precisions = List.copyOf(precisions);
            weights = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(weights)); // sorted: the same JSON every run
            require(!models.isEmpty(), "--models: give at least one model");
            require(!precisions.isEmpty(), "--precisions: give at least one precision");
            for (String model : weights.keySet()) {
                require(ids(models).contains(model), "--weights: model '" + model + "' is not among --models " + models);
            }
            List<String> ids = ids(models);
            require(new java.util.HashSet<>(ids).size() == ids.size(), "--models: two models have the same id in " + models
                    + " (give a model spec its own id with ?name=)");
        }

        /**
         * Refuses a weights file that is not there. Not in the constructor: recorded settings are read back on
         * machines that never had the files.
         */
        public Selection requireWeightFiles() {
            for (Map.Entry<String, Path> w : weights.entrySet()) {
                if (!Files.isRegularFile(w.getValue())) {
                    throw new UserException(w.getValue() + ": weights file for " + w.getKey()
                            + (Files.exists(w.getValue()) ? " is not a regular file" : " does not exist"));
                }
            }
            return this;
        }

        /** The model ids runs are keyed by, in {@link #models()}' order. */
        public List<String> modelIds() {
            return ids(models);
        }

        private static List<String> ids(List<String> models) {
            return models.stream().map(Selection::modelId).toList();
        }

        /** The id runs of a model entry are keyed by: a spec's {@code name=} (or its file name), else the entry. */
        public static String modelId(String entry) {
            try {
                return ModelSpec.parse(entry).map(ModelSpec::id).orElse(entry.strip());
            } catch (ModelException e) {
                throw new UserException(e.getMessage());
            }
        }

        /** The model as the user named it whose id is {@code modelId}. */
        public String modelEntry(String modelId) {
            return models.stream().filter(m -> modelId(m).equals(modelId)).findFirst()
                    .orElseThrow(() -> new IllegalStateException("model " + modelId + " is not among " + models));
        }
    }

    /**
     * Which samples and how they reach the model.
     *
     * @param dataset       {@code scheme[:location]}
     * @param decodeThreads threads decoding and preprocessing ahead of inference
     * @param galleryCount  how many leading samples get gallery images
     */
    public record Data(String dataset, DatasetOptions options, Shard shard, int decodeThreads, int galleryCount) {

        /** {@code --gallery}'s default. */
        public static final int DEFAULT_GALLERY = 6;

        /** {@code --decode-threads}' default: half of this machine's processors, at least one. */
        public static int defaultDecodeThreads() {
            return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        }

        public Data {
            require(dataset != null && !dataset.isBlank(), "--dataset: give scheme[:location]");
            require(decodeThreads >= 1, "--decode-threads: must be >= 1");
            require(galleryCount >= 0, "--gallery: must be >= 0");
        }
    }

    /**
     * The performance pass.
     *
     * @param batchSizesGiven false when {@code batchSizes} is the default: CPU backends then stop at batch
     *                        {@value #CPU_DEFAULT_MAX_BATCH} so a default compare stays short on small machines
     * @param height          the first performance input size's height ({@code load.perfSizes()} has them all)
     * @param load            the scenarios (single-stream, offline, server), sizes, in-flight and server settings
     */
    public record Performance(List<Integer> batchSizes, boolean batchSizesGiven, int height, int width,
                              double warmupSeconds, double minDurationSeconds, int minIterations, double cvThreshold,
                              LoadSettings load) {
        public Performance {
            if (load == null) {
                load = LoadSettings.defaults(new OptionLists.Size(height, width));
            }
            batchSizes = List.copyOf(batchSizes);
            require(!batchSizes.isEmpty(), "--batch-sizes: give at least one batch size");
            for (int b : batchSizes) {
                require(b >= 1 && b <= 1024, "--batch-sizes: " + b + " is not in 1..1024");
            }
            require(height >= 1 && width >= 1 && height <= 8192 && width <= 8192,
                    "--perf-size: " + height + "x" + width + " is not in 1x1..8192x8192");
            require(warmupSeconds >= 0, "--warmup: must be >= 0 seconds");
            require(minDurationSeconds >= 0, "--min-duration: must be >= 0 seconds");
            require(minIterations >= 1, "--min-iterations: must be >= 1");
            require(cvThreshold > 0, "--cv-threshold: must be > 0");
            require(load.perfSizes().getFirst().height() == height && load.perfSizes().getFirst().width() == width,
                    "--perf-size: the first size must be " + height + "x" + width);
        }

        /** Today's single-stream and offline scenarios at one size. */
        public Performance(List<Integer> batchSizes, boolean batchSizesGiven, int height, int width,
                           double warmupSeconds, double minDurationSeconds, int minIterations, double cvThreshold) {
            this(batchSizes, batchSizesGiven, height, width, warmupSeconds, minDurationSeconds, minIterations, cvThreshold,
                    null);
        }

        /** The throughput batch sizes for a backend: all given ones, or by default up to 8 off the GPU. */
        public List<Integer> batchSizesFor(boolean gpu) {
            if (batchSizesGiven || gpu) {
                return batchSizes;
            }
            List<Integer> small = batchSizes.stream().filter(b -> b <= CPU_DEFAULT_MAX_BATCH).toList();
            return small.isEmpty() ? List.of(1) : small;
        }
    }

    /**
     * What each backend session is opened with.
     *
     * @param threads    intra-op threads (0 = backend default)
     * @param properties backend-specific session properties ("tensorrt.opt-level" = "3")
     * @param cacheDir   where backends may cache compiled engines (null = no cache)
     */
    public record Session(int threads, Map<String, String> properties, Path cacheDir) {
        public Session {
            properties = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(properties)); // sorted, as above
            require(threads >= 0, "--threads: must be >= 0 (0 = backend default)");
        }
    }

    /**
     * How runs execute.
     *
     * @param inProcess           run every backend inside this JVM (debugging) instead of one child JVM per run
     * @param resume              reuse the finished runs recorded in OUT/runs whose fingerprints match
     * @param runTimeoutSeconds   a run's child is killed after this long
     * @param stallTimeoutSeconds ... or after this long without progress during its passes
     * @param childJvmOptions     extra JVM options for the children, after the parent's own
     */
    public record Execution(boolean inProcess, boolean resume, double runTimeoutSeconds, double stallTimeoutSeconds,
                            List<String> childJvmOptions) {
        public static final double DEFAULT_RUN_TIMEOUT_SECONDS = 60 * 60;
        public static final double DEFAULT_STALL_TIMEOUT_SECONDS = 10 * 60;

        public Execution {
            childJvmOptions = List.copyOf(childJvmOptions);
            require(runTimeoutSeconds > 0, "--run-timeout: must be > 0");
            require(stallTimeoutSeconds > 0, "--stall-timeout: must be > 0");
        }

        public static Execution defaults() {
            return new Execution(false, false, DEFAULT_RUN_TIMEOUT_SECONDS, DEFAULT_STALL_TIMEOUT_SECONDS, List.of());
        }
    }

    static void require(boolean ok, String message) {
        if (!ok) {
            throw new UserException(message);
        }
    }

    /**
     * {@code backend:precision}; a null backend means "the available backend of lowest {@code rank()}", which
     * the plan resolves.
     */
    public record Reference(String backend, Precision precision) {

        /** The default: the lowest-rank available backend, fp32. */
        public static Reference auto() {
            return new Reference(null, Precision.FP32);
        }

        public boolean isAuto() {
            return backend == null;
        }

        /** {@code --baseline}'s {@code backend:precision} (no auto, no none). */
        public static Reference parseBaseline(String text) {
            String[] parts = text.trim().split(":");
            if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                throw new UserException("--baseline: '" + text + "' is not BACKEND:PRECISION (e.g. cpu:fp32)");
            }
            try {
                return new Reference(parts[0].trim(), Precision.parse(parts[1].trim()));
            } catch (IllegalArgumentException e) {
                throw new UserException("--baseline: " + e.getMessage());
            }
        }

        /** {@code auto}, {@code none} (null) or {@code backend:precision}. */
        public static Reference parse(String text) {
            String t = text.trim();
            if (t.equalsIgnoreCase("none")) {
                return null;
            }
            if (t.equalsIgnoreCase("auto")) {
                return auto();
            }
            String[] parts = t.split(":");
            if (parts.length != 2 || parts[0].isBlank()) {
                throw new UserException("--reference: '" + text + "' is not auto, none or backend:precision (e.g. cpu:fp32)");
            }
            try {
                return new Reference(parts[0].trim(), Precision.parse(parts[1]));
            } catch (IllegalArgumentException e) {
                throw new UserException("--reference: " + e.getMessage());
            }
        }

        @Override
        public String toString() {
            return (backend == null ? "auto" : backend) + ":" + precision.id();
        }
    }

    private static final java.util.regex.Pattern DURATION =
            java.util.regex.Pattern.compile("([0-9]*\\.?[0-9]+(?:e[+-]?[0-9]+)?)\\s*(ms|s|m|min|h)?");

    /**
     * Parses a duration, the one syntax of every duration option: a number with a unit, {@code ms}, {@code s},
     * {@code m} (or {@code min}) or {@code h} ({@code 500ms}, {@code 90s}, {@code 10m}, {@code 1.5h}); a bare number
     * is seconds. Zero is a duration (no warm-up); whether an option takes it is the option's rule.
     */
    public static double parseDurationSeconds(String option, String text) {
        java.util.regex.Matcher m = DURATION.matcher(text == null ? "" : text.trim().toLowerCase(Locale.ROOT));
        if (m.matches()) {
            double unit = switch (m.group(2) == null ? "s" : m.group(2)) {
                case "ms" -> 1e-3;
                case "m", "min" -> 60;
                case "h" -> 3600;
                default -> 1;
            };
            double v = Double.parseDouble(m.group(1)) * unit;
            if (Double.isFinite(v)) {
                return v;
            }
        }
        throw new UserException(option + ": '" + text + "' is not a duration (e.g. 500ms, 2s, 10m, 1h; a bare number is seconds)");
    }

    /** A duration for messages: "45 s", "10 min", "1.5 h". */
    public static String formatDuration(double seconds) {
        if (seconds >= 3600 && seconds % 360 == 0) {
            return trim(seconds / 3600) + " h";
        }
        if (seconds >= 60 && seconds % 6 == 0) {
            return trim(seconds / 60) + " min";
        }
        return trim(seconds) + " s";
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }

    @Override
    public String toString() {
        return "models=" + selection.models() + " backends=" + (selection.backends().isEmpty() ? "all" : selection.backends())
                + " precisions=" + selection.precisions().stream().map(Precision::id).collect(Collectors.joining(","))
                + " dataset=" + data.dataset();
    }
}
