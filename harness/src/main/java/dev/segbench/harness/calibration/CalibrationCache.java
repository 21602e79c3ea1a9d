package dev.segbench.harness.calibration;

import dev.segbench.api.CalibrationTable;
import dev.segbench.api.io.CalibrationFile;
import dev.segbench.results.UserException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where calibration tables are kept, like TensorRT's calibration cache: one file per table under
 * {@code CACHE/calibration/}, named by model, method and key digest, and optionally a user's file
 * ({@code --calibration-cache}) holding one table per model, read first and written back after a calibration.
 * A file that cannot be read, is corrupt or was made for another key is rejected with one log line, never used.
 */
final class CalibrationCache {

    static final String FOLDER = "calibration";

    private final Path dir;
    private final Path userFile;
    private final Consumer<String> log;

    CalibrationCache(Path cacheDir, Path userFile, Consumer<String> log) {
        this.dir = cacheDir == null ? null : cacheDir.resolve(FOLDER);
        this.userFile = userFile;
        this.log = log;
    }

    /** The cache file for {@code key} (null without a cache dir). */
    Path entry(CalibrationTable.Key key) {
        return dir == null ? null : dir.resolve(key.modelId() + "-" + key.method().id() + "-"
                + key.sha256().substring(0, 16) + ".json");
    }

    /** A table for exactly {@code key}: from the user's file first, then the cache dir. */
    Optional<Hit> find(CalibrationTable.Key key) {
        if (userFile != null) {
            Optional<CalibrationTable> t = lookUp(userFile, key, true);
            if (t.isPresent()) {
                return Optional.of(new Hit(t.get(), userFile));
            }
        }
        Path entry = entry(key);
        if (entry != null) {
            Optional<CalibrationTable> t = lookUp(entry, key, false);
            if (t.isPresent()) {
                return Optional.of(new Hit(t.get(), entry));
            }
        }
        return Optional.empty();
    }

    record Hit(CalibrationTable table, Path file) {
    }

    private Optional<CalibrationTable> lookUp(Path file, CalibrationTable.Key key, boolean user) {
        List<CalibrationTable> tables;
        try {
            tables = CalibrationFile.read(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            log.accept("calibration cache rejected: " + oneLine(e, file) + "; calibrating again");
            return Optional.empty();
        }
        Optional<CalibrationTable> same = tables.stream().filter(t -> t.key().modelId().equals(key.modelId())).findFirst();
        if (same.isEmpty()) {
            if (!user) {
                log.accept("calibration cache rejected: " + file + " holds no table for " + key.modelId()
                        + "; calibrating again");
            }
            return Optional.empty();
        }
        String difference = key.difference(same.get().key());
        if (difference != null) {
            log.accept("calibration cache rejected: " + file + " was made for " + difference + "; calibrating again");
            return Optional.empty();
        }
        return same;
    }

    /** Stores a new table under the cache dir and in the user's file (replacing that model's table there). */
    void store(CalibrationTable table) {
        Path entry = entry(table.key());
        if (entry != null) {
            try {
                CalibrationFile.write(entry, List.of(table));
            } catch (IOException e) {
                // the table is in hand; a cache that cannot be written costs the next run a calibration, no more
                log.accept("calibration cache not written: " + oneLine(e, entry));
            }
        }
        if (userFile != null) {
            List<CalibrationTable> tables = new ArrayList<>();
            try {
                tables.addAll(CalibrationFile.read(userFile));
            } catch (IOException e) {
                // missing, or rejected above: it is replaced by a file holding this table
            }
            tables.removeIf(t -> t.key().modelId().equals(table.key().modelId()));
            tables.add(table);
            try {
                CalibrationFile.write(userFile, tables);
                log.accept("calibration table for " + table.key().modelId() + " written to " + userFile);
            } catch (IOException e) {
                throw new UserException("--calibration-cache: cannot write " + oneLine(e, userFile), e);
            }
        }
    }

    /** An I/O failure as one line naming the file, without exception class names. */
    static String oneLine(IOException e, Path file) {
        if (e instanceof CalibrationFile.BadCalibrationFileException) {
            return e.getMessage();
        }
        String reason = e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                : e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null ? fse.getReason()
                : e.getMessage() == null ? "cannot be read" : e.getMessage();
        String text = reason.toLowerCase(Locale.ROOT).contains(file.toString().toLowerCase(Locale.ROOT)) ? reason
                : file + ": " + reason;
        return text.strip().lines().findFirst().orElse(text);
    }

    static boolean exists(Path file) {
        return file != null && Files.exists(file);
    }
}
