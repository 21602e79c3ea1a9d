package dev.segbench.results;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.segbench.api.io.AtomicFiles;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import dev.segbench.results.settings.FlatSettings;

/** Reads and writes {@code results.json} (snake_case, pretty-printed, written atomically). */
public final class ResultsJson {

    public static final String FILE_NAME = "results.json";

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .registerModule(asUsersWriteThem());

    /**
     * Paths as given (Jackson writes file: URIs) and the API's enums by the ids users type ("fp32", "minmax", "skip"),
     * as runs record theirs; reading takes either spelling, so files and child jobs of earlier builds still read.
     */
    private static com.fasterxml.jackson.databind.module.SimpleModule asUsersWriteThem() {
        var module = new com.fasterxml.jackson.databind.module.SimpleModule("segbench-as-typed");
        text(module, Path.class, Path::toString,
                t -> t.startsWith("file:") ? Path.of(java.net.URI.create(t)) : Path.of(t)); // Jackson's own form read too
        text(module, dev.segbench.api.Precision.class, dev.segbench.api.Precision::id, dev.segbench.api.Precision::parse);
        text(module, dev.segbench.api.CalibrationMethod.class, dev.segbench.api.CalibrationMethod::id,
                dev.segbench.api.CalibrationMethod::parse);
        text(module, dev.segbench.api.DatasetOptions.BadSamplePolicy.class,
                p -> p.name().toLowerCase(java.util.Locale.ROOT),
                t -> dev.segbench.api.DatasetOptions.BadSamplePolicy.valueOf(t.strip().toUpperCase(java.util.Locale.ROOT)));
        return module;
    }

    /** A type written as one JSON string. */
    private static <T> void text(com.fasterxml.jackson.databind.module.SimpleModule module, Class<T> type,
                                 java.util.function.Function<T, String> write, java.util.function.Function<String, T> read) {
        module.addSerializer(type, new com.fasterxml.jackson.databind.ser.std.StdSerializer<T>(type) {
            @Override
            public void serialize(T value, com.fasterxml.jackson.core.JsonGenerator gen,
                                  com.fasterxml.jackson.databind.SerializerProvider provider) throws IOException {
                gen.writeString(write.apply(value));
            }
        });
        module.addDeserializer(type, new com.fasterxml.jackson.databind.deser.std.StdDeserializer<T>(type) {
            @Override
            public T deserialize(com.fasterxml.jackson.core.JsonParser p,
                                 com.fasterxml.jackson.databind.DeserializationContext ctx) throws IOException {
                String t = p.getValueAsString();
                try {
                    return read.apply(t);
                } catch (RuntimeException e) {
                    return type.cast(ctx.handleWeirdStringValue(type, t, e.getMessage()));
                }
            }
        });
    }

    private ResultsJson() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static byte[] toBytes(Results results) {
        try {
            return MAPPER.writeValueAsBytes(results);
        } catch (IOException e) {
            throw new IllegalStateException("results cannot be serialised", e);
        }
    }

    public static Results fromBytes(byte[] json, String origin) throws IOException {
        try {
            com.fasterxml.jackson.databind.JsonNode tree = MAPPER.readTree(json);
            if (!(tree instanceof com.fasterxml.jackson.databind.node.ObjectNode file)) {
                throw new IOException(origin + ": not a segbench results file (not a JSON object)");
            }
            int schema = file.path("schema_version").asInt(0);
            // first: a newer file fails on its version, not on a value this build does not know
            if (schema < Results.OLDEST_READABLE_SCHEMA || schema > Results.SCHEMA_VERSION) {
                throw new IOException(origin + ": schema_version " + file.path("schema_version").asText("(none)")
                        + " is not supported (this segbench reads " + Results.OLDEST_READABLE_SCHEMA + " to "
                        + Results.SCHEMA_VERSION + ")");
            }
            if (schema < Results.PER_SIZE_ONLY_SCHEMA) {
                perSizeOnly(file);
            }
            String unreadSettings = null;
            if (file.path("settings").isObject() && !file.path("settings").has("selection")) {
                try {
                    file.set("settings", settingsOfOlderSchema(file.path("settings"), origin));
                } catch (IllegalArgumentException e) {
                    // the measurements still read; the report says "not recorded" and the warning says why
                    file.remove("settings");
                    unreadSettings = e.getMessage();
                }
            }
            Results read = MAPPER.treeToValue(tree, Results.class);
            // Older writers put the unstable verdict in text as well: drop it, once, here (Stability decides from fields).
            Results r = new Results(read.schemaVersion(), read.environment(), read.environments(), read.settings(),
                    read.runs().stream().map(Stability::withoutVerdictText).toList(), read.gallery(), read.warnings(),
                    read.classes());
            // Before schema 3 warnings were strings and readers derived the rest from the runs: convert once, here.
            Results upgraded = r.schemaVersion() >= Results.STRUCTURED_WARNINGS_SCHEMA ? r
                    : r.withWarnings(Warnings.upgrade(r.warnings(), r.runs(), r.settings()));
            return unreadSettings == null ? upgraded : upgraded.withWarnings(new Warnings().addAll(upgraded.warnings())
                    .add(Warning.of(Warning.NOTE, Warning.WARN, "settings not read: " + unreadSettings)).list());
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(origin + ": not a segbench results file (" + e.getOriginalMessage() + ")", e);
        }
    }

    /** Schema 4 and before (a settings object without {@code selection}): the flat settings object becomes the one settings value ({@link FlatSettings}). */
    private static com.fasterxml.jackson.databind.JsonNode settingsOfOlderSchema(com.fasterxml.jackson.databind.JsonNode flat,
                                                                                String origin) {
        Path file = Path.of(origin);
        Path dir = file.getParent() == null ? Path.of(".") : file.getParent();
        try {
            return MAPPER.valueToTree(FlatSettings.read(flat, dir));
        } catch (RuntimeException | dev.segbench.api.DatasetException e) {
            throw new IllegalArgumentException("the flat settings of schema " + (Results.ONE_SETTINGS_SCHEMA - 1)
                    + " or before do not make one settings value (" + e.getMessage() + ")", e);
        }
    }

    /** The run fields that schema 3 and before repeated from (or, before sizes, kept instead of) the first size. */
    private static final java.util.List<String> FIRST_SIZE_FIELDS = java.util.List.of("latency_ms", "latency_histogram",
            "measurement", "throughput", "device_timings_ms");

    /**
     * Schema 3 and before: each run's top-level summary moves into its first performance size, where schema 4 keeps
     * it (the size's own values win; a run without sizes gets one, of the settings' performance size), so a run reads
     * the same through {@link Run}'s accessors. Done once, here, on the JSON tree.
     */
    private static void perSizeOnly(com.fasterxml.jackson.databind.node.ObjectNode file) {
        for (com.fasterxml.jackson.databind.JsonNode node : file.path("runs")) {
            if (node instanceof com.fasterxml.jackson.databind.node.ObjectNode run) {
                perSizeOnly(run, file.path("settings").path("perf_height").asInt(0),
                        file.path("settings").path("perf_width").asInt(0));
            }
        }
    }

    /**
     * One run's JSON of schema 3 and before made schema 4's (see above); {@code height} x {@code width} is the size a
     * run without sizes gets. Also for the run records {@code --resume} reads from an older segbench's output.
     */
    public static void perSizeOnly(com.fasterxml.jackson.databind.node.ObjectNode run, int height, int width) {
        if (FIRST_SIZE_FIELDS.stream().noneMatch(f -> present(run.get(f)))) {
            FIRST_SIZE_FIELDS.forEach(run::remove);
            return;
        }
        com.fasterxml.jackson.databind.node.ArrayNode sizes = run.path("performance").isArray()
                ? (com.fasterxml.jackson.databind.node.ArrayNode) run.get("performance") : run.putArray("performance");
        com.fasterxml.jackson.databind.node.ObjectNode first;
        if (sizes.isEmpty() || !sizes.get(0).isObject()) {
            first = sizes.insertObject(0);
            first.put("height", height);
            first.put("width", width);
        } else {
            first = (com.fasterxml.jackson.databind.node.ObjectNode) sizes.get(0);
        }
        for (String f : FIRST_SIZE_FIELDS) {
            com.fasterxml.jackson.databind.JsonNode value = run.remove(f);
            if (present(value) && !present(first.get(f))) {
                first.set(f, value);
            }
        }
    }

    /** A value that says something: not absent, null or an empty list. */
    private static boolean present(com.fasterxml.jackson.databind.JsonNode value) {
        return value != null && !value.isNull() && !(value.isArray() && value.isEmpty());
    }

    /** Reads {@code DIR/results.json} or the file itself. */
    public static Results read(Path dirOrFile) throws IOException {
        Path file = Files.isDirectory(dirOrFile) ? dirOrFile.resolve(FILE_NAME) : dirOrFile;
        try {
            return fromBytes(Files.readAllBytes(file), file.toString());
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": no such file", e);
        }
    }

    public static void write(Path dir, Results results) throws IOException {
        AtomicFiles.write(dir.resolve(FILE_NAME), toBytes(results));
    }
}
