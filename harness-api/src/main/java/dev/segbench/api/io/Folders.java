package dev.segbench.api.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Deleting folder trees (the JDK has no recursive delete). Links are deleted, never followed. */
public final class Folders {

    private Folders() {
    }

    /** Deletes {@code dir} and everything under it; the first file that cannot be deleted stops it with the error. */
    public static void deleteTree(Path dir) throws IOException {
        for (Path p : deepestFirst(dir)) {
            Files.deleteIfExists(p);
        }
    }

    /**
     * Deletes what it can of {@code dir} and everything under it, for temporary folders whose clean-up must never
     * hide the error or result that matters: a file that cannot be deleted is skipped.
     */
    public static void deleteQuietly(Path dir) {
        List<Path> all;
        try {
            all = deepestFirst(dir);
        } catch (IOException e) {
            return; // gone while being listed
        }
        for (Path p : all) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // the rest is still deleted; the folder stays if it is not empty
            }
        }
    }

    private static List<Path> deepestFirst(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.sorted(Comparator.reverseOrder()).toList();
        }
    }
}
