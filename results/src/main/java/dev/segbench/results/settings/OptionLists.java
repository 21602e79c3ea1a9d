package dev.segbench.results.settings;

import dev.segbench.results.UserException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Parsing of the list and number options of the performance scenarios ({@code --batch-sizes 1,3,6,12},
 * {@code --in-flight 1,2,4}, {@code --perf-size 384x384,512x512}, {@code --server-qps}): every mistake is one line
 * that names the option and the bad entry.
 */
public final class OptionLists {

    /** Largest side of a performance input. */
    public static final int MAX_SIDE = 8192;

    private OptionLists() {
    }

    /** An input size {@code HxW}. */
    public record Size(int height, int width) {
        @Override
        public String toString() {
            return height + "x" + width;
        }
    }

    /** The comma-separated entries of {@code text}, trimmed; refuses an empty list or an empty entry. */
    public static List<String> items(String option, String text, String what) {
        if (text == null || text.isBlank()) {
            throw new UserException(option + ": give at least one " + what);
        }
        List<String> out = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            String item = part.trim();
            if (item.isEmpty()) {
                throw new UserException(option + ": empty entry in '" + text + "'");
            }
            out.add(item);
        }
        return out;
    }

    /** Whole numbers in 1..max, distinct and ascending ({@code --batch-sizes}, {@code --in-flight}). */
    public static List<Integer> positiveInts(String option, String text, int max) {
        TreeSet<Integer> out = new TreeSet<>();
        for (String item : items(option, text, "whole number (e.g. 1,2,4)")) {
            int value;
            try {
                value = Integer.parseInt(item);
            } catch (NumberFormatException e) {
                throw new UserException(option + ": '" + item + "' is not a whole number");
            }
            if (value < 1 || value > max) {
                throw new UserException(option + ": " + value + " is not in 1.." + max);
            }
            out.add(value);
        }
        return List.copyOf(out);
    }

    /** Input sizes {@code HxW}, distinct, in the order given ({@code --perf-size 384x384,512x512}). */
    public static List<Size> sizes(String option, String text) {
        List<Size> out = new ArrayList<>();
        for (String item : items(option, text, "size (e.g. 512x512)")) {
            Size size = size(option, item);
            if (!out.contains(size)) {
                out.add(size);
            }
        }
        return List.copyOf(out);
    }

    /** One {@code HxW} with both sides in 1..{@value #MAX_SIDE}. */
    public static Size size(String option, String item) {
        String[] parts = item.trim().toLowerCase(Locale.ROOT).split("x", -1);
        if (parts.length == 2) {
            try {
                int h = Integer.parseInt(parts[0].trim());
                int w = Integer.parseInt(parts[1].trim());
                if (h < 1 || w < 1 || h > MAX_SIDE || w > MAX_SIDE) {
                    throw new UserException(option + ": " + item.trim() + " is not in 1x1.." + MAX_SIDE + "x" + MAX_SIDE);
                }
                return new Size(h, w);
            } catch (NumberFormatException e) {
                // fall through to the message below
            }
        }
        throw new UserException(option + ": '" + item.trim() + "' is not HxW (e.g. 512x512)");
    }

    /** A finite number above zero ({@code --server-qps}, {@code --server-p99-ms}). */
    public static double positive(String option, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new UserException(option + ": must be a number > 0 (got " + format(value) + ")");
        }
        return value;
    }

    /** {@link #positive(String, double)} of a number given as text. */
    public static double positive(String option, String text) {
        try {
            return positive(option, Double.parseDouble(text.trim()));
        } catch (NumberFormatException | NullPointerException e) {
            throw new UserException(option + ": '" + text + "' is not a number");
        }
    }

    private static String format(double v) {
        return v == Math.rint(v) && !Double.isInfinite(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
