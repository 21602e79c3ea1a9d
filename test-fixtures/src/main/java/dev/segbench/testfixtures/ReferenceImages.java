package dev.segbench.testfixtures;

import dev.segbench.api.Preprocessing;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * The sample JPEGs as network inputs, decoded with javax.imageio (the reference JPEGs decode to the same pixels as
 * with PIL) and normalised as the runner does: {@code (pixel * scale - mean) / std}, NCHW with N = 1.
 */
public final class ReferenceImages {

    private ReferenceImages() {
    }

    /** One decoded, normalised image. */
    public record Input(int height, int width, float[] nchw) {
    }

    public static Input load(Path jpeg, Preprocessing p) throws IOException {
        BufferedImage img = ImageIO.read(jpeg.toFile());
        if (img == null) {
            throw new IOException(jpeg + ": not an image javax.imageio can read");
        }
        int h = img.getHeight();
        int w = img.getWidth();
        float[] mean = p.mean();
        float[] std = p.std();
        float[] x = new float[3 * h * w];
        for (int y = 0; y < h; y++) {
            for (int c = 0; c < w; c++) {
                int rgb = img.getRGB(c, y);
                int[] channel = {(rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff};
                for (int k = 0; k < 3; k++) {
                    x[(k * h + y) * w + c] = (channel[k] * p.scale() - mean[k]) / std[k];
                }
            }
        }
        return new Input(h, w, x);
    }
}
