package dev.segbench.harness.cli;

import dev.segbench.results.UserException;
import dev.segbench.results.settings.Settings;
import picocli.CommandLine;

/**
 * The converter of every duration option of every command ({@code --warmup 2s}, {@code --min-duration 500ms},
 * {@code --run-timeout 5m}; a bare number is seconds), to seconds, so one syntax holds everywhere.
 */
public final class DurationConverter implements CommandLine.ITypeConverter<Double> {

    @Override
    public Double convert(String value) {
        try {
            return Settings.parseDurationSeconds("duration", value);
        } catch (UserException e) {
            throw new CommandLine.TypeConversionException("'" + value
                    + "' is not a duration (e.g. 500ms, 2s, 10m, 1h; a bare number is seconds)");
        }
    }
}
