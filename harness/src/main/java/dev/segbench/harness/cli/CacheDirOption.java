package dev.segbench.harness.cli;

import java.nio.file.Path;

/** The cache folder (engines, calibration tables): {@code --cache-dir DIR}, 'none', or the XDG default. */
final class CacheDirOption {

    private CacheDirOption() {
    }

    /** {@code option} as given (null: $XDG_CACHE_HOME/segbench or ~/.cache/segbench; "none": no cache, null). */
    static Path resolve(String option) {
        if (option != null) {
            return option.equalsIgnoreCase("none") ? null : Path.of(option);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("segbench");
    }
}
