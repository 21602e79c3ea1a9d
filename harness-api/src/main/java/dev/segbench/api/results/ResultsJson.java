package dev.segbench.api.results;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads and writes {@code results.json} (snake_case, pretty-printed, written atomically). */
public final class ResultsJson {

    public static final String FILE_NAME = "results.json";

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

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
            Results read = MAPPER.readValue(json, Results.class);
            if (read.schemaVersion() < Results.OLDEST_READABLE_SCHEMA || read.schemaVersion() > Results.SCHEMA_VERSION) {
                throw new IOException(origin + ": schema_version " + read.schemaVersion() + " is not supported (this segbench reads "
                        + Results.OLDEST_READABLE_SCHEMA + " to " + Results.SCHEMA_VERSION + ")");
            }
            // Older writers put the unstable verdict in text as well: drop it, once, here (Stability decides from fields).
            Results r = new Results(read.schemaVersion(), read.environment(), read.environments(), read.settings(),
                    read.runs().stream().map(Stability::withoutVerdictText).toList(), read.gallery(), read.warnings(),
                    read.classes());
            // Before schema 3 warnings were strings and readers derived the rest from the runs: convert once, here.
            return r.schemaVersion() >= Results.STRUCTURED_WARNINGS_SCHEMA ? r
                    : r.withWarnings(Warnings.upgrade(r.warnings(), r.runs(), r.settings()));
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(origin + ": not a segbench results file (" + e.getOriginalMessage() + ")", e);
        }
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
