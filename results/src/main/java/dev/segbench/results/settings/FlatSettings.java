package dev.segbench.results.settings;

import com.fasterxml.jackson.databind.JsonNode;
import dev.segbench.api.CalibrationMethod;
import dev.segbench.api.DatasetException;
import dev.segbench.api.DatasetOptions;
import dev.segbench.api.DatasetSpec;
import dev.segbench.api.Precision;
import dev.segbench.api.WeightsSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the flat settings object of results schema 1-4 (one field per option, the plan's resolved backends and
 * reference among them) into the one {@link Settings} value, once, when such a file is read. What those files did not
 * record gets the defaults of the time: no weights files, the default seed, time limits, gallery and decode threads
 * (half of this machine's processors: the files do not say the writer's), isolation in-process when not recorded.
 */
public final class FlatSettings {

    private FlatSettings() {
    }

    /**
     * The settings {@code flat} describes; {@code out} is the folder the file was read from.
     *
     * @throws IllegalArgumentException (or {@link dev.segbench.results.UserException}) when a value cannot be read
     */
    public static Settings read(JsonNode flat, Path out) throws DatasetException {
        List<Precision> precisions = texts(flat.path("precisions")).stream().map(Precision::parse).toList();
        String reference = text(flat, "reference");
        String baseline = text(flat, "baseline");
        Settings.Selection selection = new Settings.Selection(texts(flat.path("models")), texts(flat.path("backends")),
                precisions, Map.of(), WeightsSpec.DEFAULT_SEED,
                reference == null ? null : Settings.Reference.parse(reference),
                baseline == null || baseline.equalsIgnoreCase("none") ? null : Settings.Reference.parseBaseline(baseline));
        DatasetOptions options = DatasetOptions.defaults().withLimit(flat.path("limit").asInt(0));
        String onBad = text(flat, "on_bad_sample");
        if (onBad != null) {
            options = options.withPolicy(DatasetOptions.BadSamplePolicy.valueOf(onBad.toUpperCase(Locale.ROOT)));
        }
        String shard = text(flat, "shard");
        // "2/3" is the shard the file evaluated; a merged file's "0/3+1/3" covers them all
        Shard evaluated = shard == null || shard.contains("+") || !shard.contains("/") ? Shard.ALL
                : Shard.parse(shard, Map.of());
        // --gallery's and --decode-threads' defaults were then what they are now
        Settings.Data data = new Settings.Data(text(flat, "dataset"), options, evaluated,
                Settings.Data.defaultDecodeThreads(), Settings.Data.DEFAULT_GALLERY);
        int height = flat.path("perf_height").asInt(512);
        int width = flat.path("perf_width").asInt(512);
        Settings.Performance performance = new Settings.Performance(ints(flat.path("batch_sizes")), true, height, width,
                flat.path("warmup_seconds").asDouble(), flat.path("min_duration_seconds").asDouble(),
                Math.max(1, flat.path("min_iterations").asInt(1)), flat.path("cv_threshold").asDouble(0.05),
                load(flat.path("load"), new OptionLists.Size(height, width)));
        Map<String, String> properties = new LinkedHashMap<>();
        flat.path("properties").properties().forEach(e -> properties.put(e.getKey(), e.getValue().asText()));
        String cacheDir = text(flat, "cache_dir");
        Settings.Session session = new Settings.Session(Math.max(0, flat.path("threads").asInt(0)), properties,
                cacheDir == null ? null : Path.of(cacheDir));
        Settings.Execution defaults = Settings.Execution.defaults();
        // isolation came with process-per-run runs: a file without it ran every run in one process
        String isolation = text(flat, "isolation");
        Settings.Execution execution = new Settings.Execution(isolation == null || "in-process".equals(isolation), false,
                defaults.runTimeoutSeconds(), defaults.stallTimeoutSeconds(), List.of());
        return new Settings(selection, data, performance, session, execution, out, calibration(flat.path("calibration")),
                new Settings.Recorded(null, texts(flat.path("backends")), reference, baseline,
                        shard == null ? Shard.ALL.toString() : shard, text(flat, "gate")));
    }

    private static LoadSettings load(JsonNode load, OptionLists.Size size) {
        if (load.isMissingNode() || load.isNull()) {
            return LoadSettings.defaults(size);
        }
        List<OptionLists.Size> sizes = texts(load.path("perf_sizes")).stream().map(t -> OptionLists.size("perf_sizes", t))
                .toList();
        JsonNode p99 = load.path("server_p99_ms");
        JsonNode qps = load.path("server_qps");
        List<Integer> inFlight = ints(load.path("in_flight"));
        List<String> scenarios = texts(load.path("scenarios"));
        return new LoadSettings(scenarios.isEmpty() ? Scenario.DEFAULT : Scenario.parseList("scenarios", String.join(",", scenarios)),
                sizes.isEmpty() ? List.of(size) : sizes, inFlight.isEmpty() ? List.of(1) : inFlight,
                Arrivals.parse("arrivals", load.path("arrivals").asText("poisson")), load.path("server_seed").asLong(1),
                p99.isNumber() ? p99.asDouble() : null, qps.isNumber() ? qps.asDouble() : null,
                Math.max(1, load.path("server_min_requests").asInt(LoadSettings.DEFAULT_SERVER_MIN_REQUESTS)),
                text(load, "offline_threads"), LoadSettings.defaultSearchBudgetSeconds(
                        Settings.Execution.DEFAULT_RUN_TIMEOUT_SECONDS, Math.max(1, sizes.size())),
                load.path("server_latency_percentile").asDouble(dev.segbench.results.Server.DEFAULT_PERCENTILE));
    }

    private static CalibrationRequest calibration(JsonNode c) throws DatasetException {
        if (c.isMissingNode() || c.isNull()) {
            return null;
        }
        String dataset = c.path("dataset").asText();
        DatasetOptions options = DatasetOptions.defaults();
        String split = text(c, "split");
        if (split != null) {
            options = options.with("split", split);
        }
        String cacheFile = text(c, "cache_file");
        JsonNode target = c.path("target");
        Int8Fallback fallback = Int8Fallback.parse(c.path("fallback").asText(Int8Fallback.DEFAULT),
                target.isNumber() ? Double.toString(100 * target.asDouble()) : Int8Fallback.DEFAULT_TARGET_PERCENT);
        return new CalibrationRequest(dataset, DatasetSpec.parse(dataset), options, Math.max(1, c.path("images").asInt(1)),
                CalibrationMethod.parse(c.path("method").asText("minmax")), null,
                cacheFile == null ? null : Path.of(cacheFile), 0, fallback);
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isMissingNode() || v.isNull() ? null : v.asText();
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return out;
    }

    private static List<Integer> ints(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asInt()));
        return out;
    }
}
