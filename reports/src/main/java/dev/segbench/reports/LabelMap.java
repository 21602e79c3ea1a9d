package dev.segbench.reports;

import dev.segbench.api.VocClasses;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/** A decoded label map: one class index (0..20, 255 = ignore) per pixel, row-major. */
public record LabelMap(int width, int height, int[] labels) {

    /**
     * Reads a VOC label PNG. Palette PNGs give the index directly; a grey PNG is taken as indices; an RGB PNG is
     * mapped back through the VOC palette (unknown colours become 255, ignore).
     */
    public static LabelMap read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such file");
        }
        BufferedImage image = ImageIO.read(file.toFile());
        if (image == null) {
            throw new IOException(file + ": not a readable image");
        }
        return of(image);
    }

    static LabelMap of(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] labels = new int[w * h];
        Raster raster = image.getRaster();
        boolean indexed = image.getColorModel() instanceof IndexColorModel;
        if (indexed || raster.getNumBands() == 1) {
            raster.getSamples(0, 0, w, h, 0, labels);
        } else {
            Map<Integer, Integer> byColour = paletteLookup();
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    labels[y * w + x] = byColour.getOrDefault(image.getRGB(x, y) & 0xFFFFFF, VocClasses.IGNORE);
                }
            }
        }
        return new LabelMap(w, h, labels);
    }

    private static Map<Integer, Integer> paletteLookup() {
        Map<Integer, Integer> byColour = new HashMap<>();
        int[] palette = VocClasses.palette();
        for (int i = 0; i < VocClasses.COUNT; i++) {
            byColour.put(palette[i], i);
        }
        byColour.put(palette[VocClasses.IGNORE], VocClasses.IGNORE);
        return byColour;
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
