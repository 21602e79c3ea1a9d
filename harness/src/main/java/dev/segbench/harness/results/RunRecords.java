package dev.segbench.harness.results;

import dev.segbench.api.io.AtomicFiles;
import dev.segbench.results.ResultsJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The folder {@code OUT/runs}: one {@link RunRecord} per finished run, written atomically and synced to disk as
 * soon as the run ends, so a crash or Ctrl-C loses at most the run in flight. It also holds the reference runs'
 * label files ({@code <run>.labels}) while runs that compare with them may still need them.
 */
public final class RunRecords {

    public static final String FOLDER = "runs";
    private static final String SUFFIX = ".json";

    private final Path dir;

    public RunRecords(Path out) {
        this.dir = out.resolve(FOLDER);
    }

    public Path dir() {
        return dir;
    }

    public Path file(String fileStem) {
        return dir.resolve(fileStem + SUFFIX);
    }

    /** Where a reference run's labels are kept. */
    public Path labels(String fileStem) {
        return dir.resolve(fileStem + ".labels");
    }

    /** Writes the record (atomically, fsynced). */
    public void write(String fileStem, RunRecord record) throws IOException {
        Files.createDirectories(dir);
        AtomicFiles.write(file(fileStem), ResultsJson.mapper().writeValueAsBytes(record));
    }

    /** The record, or null when there is none; an unreadable one throws with the file named. */
    public RunRecord read(String fileStem) throws IOException {
        Path f = file(fileStem);
        if (!Files.isRegularFile(f)) {
            return null;
        }
        try {
            com.fasterxml.jackson.databind.JsonNode tree = ResultsJson.mapper().readTree(f.toFile());
            if (tree.get("run") instanceof com.fasterxml.jackson.databind.node.ObjectNode run) {
                ResultsJson.perSizeOnly(run, 0, 0); // a record of an older segbench repeated its first size in the run
            }
            RunRecord r = ResultsJson.mapper().treeToValue(tree, RunRecord.class);
            if (r.schemaVersion() != RunRecord.SCHEMA_VERSION || r.run() == null || r.fingerprint() == null) {
                throw new IOException(f + ": not a run record of this segbench");
            }
            return r;
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(f + ": unreadable run record (" + e.getOriginalMessage() + ")", e);
        }
    }

    /** Every file in the folder (records, label files, leftovers). */
    public List<Path> files() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return new ArrayList<>(s.sorted().toList());
        }
    }

    /** Removes every record and label file: a compare without --resume starts afresh. Returns how many records went. */
    public int clear() throws IOException {
        int records = 0;
        for (Path f : files()) {
            if (f.getFileName().toString().endsWith(SUFFIX)) {
                records++;
            }
            Files.deleteIfExists(f);
        }
        return records;
    }
}
