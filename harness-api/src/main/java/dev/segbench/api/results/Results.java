package dev.segbench.api.results;

import java.util.List;

/**
 * The content of {@code OUT/results.json}: what ran, where, with which settings, and what came out.
 * Written by the harness, read by reports and by {@code segbench merge}; field names are snake_case on disk.
 */
public record Results(int schemaVersion, Environment environment, Settings settings, List<Run> runs,
                      List<GalleryEntry> gallery, List<String> warnings) {

    public static final int SCHEMA_VERSION = 1;

    public Results {
        runs = runs == null ? List.of() : List.copyOf(runs);
        gallery = gallery == null ? List.of() : List.copyOf(gallery);
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }
}
