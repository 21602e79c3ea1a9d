package dev.segbench.results.settings;

import dev.segbench.results.UserException;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code --int8-fallback none|auto|LAYER,LAYER} and {@code --int8-target}: which convolutions an int8 graph keeps in
 * float.
 *
 * @param mode   none (every convolution but the classifier quantized), auto (the harness's fallback search) or list
 * @param layers for list: the Conv node names, as given
 * @param target for auto: the share of calibration-image labels int8 must agree with FP32 on (0..1)
 * @param speedRule for auto: also keep in float every convolution whose int8 form is not faster than its float form
 *                  on this machine ({@code auto}; {@code auto-agreement} turns it off where the profile proves noisy)
 */
public record Int8Fallback(Mode mode, List<String> layers, double target, boolean speedRule) {

    /** How the layers are chosen; results.json writes "none", "auto", "list" (as runs record their fallback). */
    public enum Mode {
        NONE, AUTO, LIST;

        @com.fasterxml.jackson.annotation.JsonValue
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        @com.fasterxml.jackson.annotation.JsonCreator
        public static Mode fromJson(String text) {
            return valueOf(text.strip().toUpperCase(Locale.ROOT));
        }
    }

    /**
     * {@code --int8-fallback} default: none, the fully quantized graph. auto costs a search on every compare that
     * calibrates (a ranking pass and about 15 int8 passes over the calibration images per model: 218-388 s on the
     * fixtures with 16 synthetic images, 2 loaded cores) and, to reach 99.8% there, kept 93-168 convolutions in
     * float, which took batch-1 p50 from 0.64-0.74x FP32's to 0.85-1.00x; asking for it keeps the int8 row
     * meaning one thing by default.
     */
    public static final String DEFAULT = "none";
    /** {@code --int8-target} default in percent: the 99.8% of the calibration images' labels. */
    public static final String DEFAULT_TARGET_PERCENT = "99.8";

    /** {@code --int8-fallback} value for auto without the speed rule: only the agreement search. */
    public static final String AUTO_AGREEMENT = "auto-agreement";

    public static final Int8Fallback NONE = new Int8Fallback(Mode.NONE, List.of(), 0.998);

    public Int8Fallback {
        layers = List.copyOf(layers);
    }

    /** With the speed rule wherever the mode is auto. */
    public Int8Fallback(Mode mode, List<String> layers, double target) {
        this(mode, layers, target, mode == Mode.AUTO);
    }

    /** The options, or a one-line {@link UserException} naming the bad one. */
    public static Int8Fallback parse(String value, String targetPercent) {
        double target;
        try {
            target = Double.parseDouble(targetPercent.strip()) / 100;
        } catch (NumberFormatException | NullPointerException e) {
            throw new UserException("--int8-target: '" + targetPercent + "' is not a percentage (e.g. 99.8)");
        }
        if (!(target > 0 && target <= 1)) {
            throw new UserException("--int8-target: " + targetPercent + " is not a percentage in (0, 100]");
        }
        String v = value == null ? "" : value.strip();
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "none" -> new Int8Fallback(Mode.NONE, List.of(), target);
            case "auto" -> new Int8Fallback(Mode.AUTO, List.of(), target, true);
            case AUTO_AGREEMENT -> new Int8Fallback(Mode.AUTO, List.of(), target, false);
            case "" -> throw new UserException("--int8-fallback: give none, auto, " + AUTO_AGREEMENT
                    + " or LAYER,LAYER (Conv node names)");
            default -> {
                List<String> names = Arrays.stream(v.split(",")).map(String::strip).toList();
                if (names.stream().anyMatch(String::isEmpty)) {
                    throw new UserException("--int8-fallback: '" + value + "' has an empty layer name; give none, auto"
                            + " or LAYER,LAYER");
                }
                yield new Int8Fallback(Mode.LIST, List.copyOf(new LinkedHashSet<>(names)), target);
            }
        };
    }

    /** For results and logs: "none", "auto", "auto-agreement", or the listed names. */
    public String describe() {
        return switch (mode) {
            case NONE -> "none";
            case AUTO -> speedRule ? "auto" : AUTO_AGREEMENT;
            case LIST -> String.join(",", layers);
        };
    }
}
