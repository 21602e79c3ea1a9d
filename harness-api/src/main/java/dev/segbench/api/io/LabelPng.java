package dev.segbench.api.io;

import dev.segbench.api.Text;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Label maps as PNG files, the one rule for reading and writing them everywhere: a label image holds one class
 * index per pixel, as the raw indices of a palette PNG (VOC's SegmentationClass, and what segbench writes) or the
 * grey values of an 8-bit grayscale PNG (SBD's SegmentationClassAug); colours are not mapped back to classes, so an
 * RGB PNG is refused. javax.imageio is used because it keeps the index raster of palette images (OpenCV expands
 * palettes to colours).
 */
public final class LabelPng {

    private LabelPng() {
    }

    /** One class index per pixel, row-major (255: not scored). */
    public record Labels(int width, int height, byte[] values) {
    }

    /** The bytes are no label PNG; the message says why in a few words, without the file name. */
    public static final class BadLabelPngException extends IOException {
        public BadLabelPngException(String problem) {
            super(problem);
        }

        public BadLabelPngException(String problem, Throwable cause) {
            super(problem, cause);
        }
    }

    /** Reads a label PNG. */
    public static Labels decode(byte[] bytes) throws BadLabelPngException {
        if (bytes.length == 0) {
            throw new BadLabelPngException("empty PNG file");
        }
        if (bytes.length < 8 || (bytes[0] & 0xff) != 0x89 || bytes[1] != 'P' || bytes[2] != 'N' || bytes[3] != 'G') {
            throw new BadLabelPngException("not a PNG file (bad signature)");
        }
        BufferedImage image;
        try {
            image = readWithImageIo(bytes);
        } catch (IOException | RuntimeException e) {
            throw new BadLabelPngException("truncated or corrupt PNG (" + Text.oneLine(e) + ")", e);
        }
        if (image == null) {
            throw new BadLabelPngException("corrupt PNG (javax.imageio could not decode it)");
        }
        Raster raster = image.getRaster();
        boolean indexed = image.getColorModel() instanceof IndexColorModel;
        boolean gray = !indexed && raster.getNumBands() == 1 && raster.getSampleModel().getSampleSize(0) == 8;
        if (!indexed && !gray) {
            throw new BadLabelPngException("label PNG is neither a palette nor an 8-bit grayscale image ("
                    + raster.getNumBands() + " channels, " + raster.getSampleModel().getSampleSize(0) + " bits)");
        }
        int width = image.getWidth();
        int height = image.getHeight();
        int[] samples = raster.getSamples(0, 0, width, height, 0, (int[]) null);
        byte[] values = new byte[samples.length];
        for (int i = 0; i < samples.length; i++) {
            values[i] = (byte) samples[i];
        }
        return new Labels(width, height, values);
    }

    /** An 8-bit palette image whose pixel values are the labels, coloured by {@code palette} (256 packed 0xRRGGBB). */
    public static BufferedImage image(byte[] labels, int width, int height, int[] palette) {
        return image(labels, width, height, colours(palette));
    }

    /** {@link #image(byte[], int, int, int[])} with a colour model made once by {@link #colours}. */
    public static BufferedImage image(byte[] labels, int width, int height, IndexColorModel colours) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_INDEXED, colours);
        img.getRaster().setDataElements(0, 0, width, height, labels);
        return img;
    }

    /** The PNG bytes of {@link #image(byte[], int, int, int[])}. */
    public static byte[] encode(byte[] labels, int width, int height, int[] palette) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        if (!ImageIO.write(image(labels, width, height, palette), "png", bytes)) {
            throw new IOException("no PNG writer available");
        }
        return bytes.toByteArray();
    }

    /** A 256-entry colour model of packed 0xRRGGBB values. */
    public static IndexColorModel colours(int[] palette) {
        if (palette.length != 256) {
            throw new IllegalArgumentException("a palette has 256 entries, not " + palette.length);
        }
        byte[] r = new byte[256];
        byte[] g = new byte[256];
        byte[] b = new byte[256];
        for (int i = 0; i < 256; i++) {
            r[i] = (byte) (palette[i] >> 16);
            g[i] = (byte) (palette[i] >> 8);
            b[i] = (byte) palette[i];
        }
        return new IndexColorModel(8, 256, r, g, b);
    }

    /** In-memory stream: ImageIO.read(InputStream) would otherwise spill each file into a temp-file cache. */
    private static BufferedImage readWithImageIo(byte[] bytes) throws IOException {
        MemoryCacheImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes));
        BufferedImage image = ImageIO.read(in); // closes the stream itself unless it returns null
        if (image == null) {
            in.close();
        }
        return image;
    }
}
