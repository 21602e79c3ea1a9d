package dev.segbench.api;

/**
 * One decoded image. {@code rgb} is interleaved RGB bytes, row-major, {@code height * width * 3};
 * {@code labels} is one class index per pixel ({@code 255} = ignore), or null when there is no ground truth.
 */
public record Sample(String id, int width, int height, byte[] rgb, byte[] labels) {

    public static final int IGNORE = 255;

    public Sample {
        if (rgb.length != width * height * 3) {
            throw new IllegalArgumentException(id + ": rgb has " + rgb.length + " bytes, expected " + width * height * 3);
        }
        if (labels != null && labels.length != width * height) {
            throw new IllegalArgumentException(id + ": labels have " + labels.length + " bytes, expected " + width * height);
        }
    }

    public boolean hasLabels() {
        return labels != null;
    }
}
