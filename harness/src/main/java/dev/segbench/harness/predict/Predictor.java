package dev.segbench.harness.predict;

import dev.segbench.api.Backend;
import dev.segbench.api.BackendException;
import dev.segbench.api.HostTensor;
import dev.segbench.api.InferenceResult;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.ModelInfo;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.SessionOptions;
import dev.segbench.results.UserException;
import dev.segbench.harness.metrics.Segmentation;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** One image through one model on one backend: logits and the label map, for {@code segbench predict}. */
public final class Predictor {

    /** {@code logits} is {@code [classes, logitsHeight, logitsWidth]}, or null when the backend returned labels. */
    public record Prediction(int width, int height, byte[] labels, float[] logits, int classes, int logitsHeight,
                             int logitsWidth) {
    }

    private Predictor() {
    }

    public static Prediction predict(Backend backend, ModelSource model, Precision precision, int threads, Path image)
            throws IOException, BackendException {
        ImageRgb rgb = decode(image);
        ModelInfo info = model.info();
        SessionOptions options = new SessionOptions(precision, threads, new SessionOptions.ShapeProfile(1, 1, 1,
                1, rgb.height(), Math.max(rgb.height(), 1024), 1, rgb.width(), Math.max(rgb.width(), 1024)), null,
                java.util.Map.of());
        try (InferenceSession session = backend.open(model, options); Arena arena = Arena.ofConfined()) {
            HostTensor input = session.newInput(arena, 1, rgb.height(), rgb.width());
            Segmentation.preprocess(rgb.pixels(), rgb.width(), rgb.height(), info.preprocessing(), input.data(), 0);
            try (InferenceResult result = session.run(input)) {
                Segmentation.Output out;
                try {
                    out = Segmentation.output(result.output(), info.numClasses(), rgb.height(), rgb.width());
                } catch (IllegalStateException e) {
                    throw new IllegalStateException(backend.id() + ": " + e.getMessage(), e);
                }
                return new Prediction(rgb.width(), rgb.height(), out.labelsAt(rgb.height(), rgb.width()), out.logits(),
                        out.classes(), out.outH(), out.outW());
            }
        }
    }

    /** Interleaved RGB bytes of an image file. */
    public record ImageRgb(int width, int height, byte[] pixels) {
    }

    /** Decodes an image with javax.imageio (the reference JPEGs decode to the same pixels as with PIL). */
    public static ImageRgb decode(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new UserException(file + ": image file " + (Files.exists(file) ? "is not a regular file" : "does not exist"));
        }
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new UserException(file + ": cannot decode image (" + e.getMessage() + ")");
        }
        if (img == null) {
            throw new UserException(file + ": not an image format javax.imageio can read");
        }
        int w = img.getWidth();
        int h = img.getHeight();
        byte[] rgb = new byte[w * h * 3];
        if (img.getType() == BufferedImage.TYPE_3BYTE_BGR) {
            // Raster data elements are in band order (R, G, B) whatever the storage order.
            img.getRaster().getDataElements(0, 0, w, h, rgb);
        } else {
            int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
            for (int i = 0; i < argb.length; i++) {
                rgb[3 * i] = (byte) (argb[i] >> 16);
                rgb[3 * i + 1] = (byte) (argb[i] >> 8);
                rgb[3 * i + 2] = (byte) argb[i];
            }
        }
        return new ImageRgb(w, h, rgb);
    }
}
