package dev.segbench.reports;

import dev.segbench.api.io.LabelPng;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A decoded label map: one class index (255 = ignore) per pixel, row-major. */
public record LabelMap(int width, int height, int[] labels) {

    /** Reads a label PNG ({@link LabelPng}'s rule); a missing or unreadable file is a one-line problem naming it. */
    public static LabelMap read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such file");
        }
        LabelPng.Labels decoded;
        try {
            decoded = LabelPng.decode(Files.readAllBytes(file));
        } catch (LabelPng.BadLabelPngException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
        int[] labels = new int[decoded.values().length];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = decoded.values()[i] & 0xff;
        }
        return new LabelMap(decoded.width(), decoded.height(), labels);
    }

    /** The pixels where the maps do not all carry the same label (the maps must share one size). */
    public static boolean[] disagreement(List<LabelMap> maps) {
        LabelMap first = maps.getFirst();
        boolean[] differs = new boolean[first.labels.length];
        for (LabelMap m : maps) {
            if (m.width != first.width || m.height != first.height) {
                throw new IllegalArgumentException("label maps differ in size: " + first.width + "x" + first.height
                        + " vs " + m.width + "x" + m.height);
            }
            for (int i = 0; i < differs.length; i++) {
                differs[i] |= m.labels[i] != first.labels[i];
            }
        }
        return differs;
    }
}
