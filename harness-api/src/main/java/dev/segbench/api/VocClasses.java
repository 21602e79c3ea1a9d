package dev.segbench.api;

import java.util.List;

/** The 21 PASCAL VOC classes in label order and the standard VOC colour palette. */
public final class VocClasses {

    public static final List<String> NAMES = List.of("background", "aeroplane", "bicycle", "bird", "boat",
            "bottle", "bus", "car", "cat", "chair", "cow", "diningtable", "dog", "horse", "motorbike", "person",
            "pottedplant", "sheep", "sofa", "train", "tvmonitor");

    public static final int COUNT = 21;
    public static final int IGNORE = 255;

    private VocClasses() {
    }

    /**
     * RGB colour of a label in the VOC palette: bit k of the label sets bit (7 - k/3) of the channel k%3
     * (the devkit's bitget construction); 255 (ignore) is the palette's cream (224, 224, 192).
     */
    public static int[] color(int label) {
        if (label == IGNORE) {
            return new int[] {224, 224, 192};
        }
        int r = 0;
        int g = 0;
        int b = 0;
        int c = label;
        for (int j = 0; j < 8; j++) {
            r |= ((c) & 1) << (7 - j);
            g |= ((c >> 1) & 1) << (7 - j);
            b |= ((c >> 2) & 1) << (7 - j);
            c >>= 3;
        }
        return new int[] {r, g, b};
    }

    /** The full 256-entry palette as packed 0xRRGGBB values. */
    public static int[] palette() {
        int[] p = new int[256];
        for (int i = 0; i < 256; i++) {
            int[] c = color(i);
            p[i] = (c[0] << 16) | (c[1] << 8) | c[2];
        }
        return p;
    }
}
