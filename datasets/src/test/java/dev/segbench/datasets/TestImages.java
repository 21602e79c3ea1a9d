package dev.segbench.datasets;

import dev.segbench.api.VocClasses;
import dev.segbench.api.io.LabelPng;
import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/** Builds small VOC trees with javax.imageio-written files, for the bad-data tests. */
final class TestImages {

    private TestImages() {
    }

    static byte[] jpeg(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, (x * 255 / width) << 16 | (y * 255 / height) << 8 | 0x40);
            }
        }
        return encode(image, "jpg");
    }

    /** A VOC-style 8-bit palette PNG whose indices are {@code values}. */
    static byte[] palettePng(int width, int height, int[] values) {
        byte[] labels = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            labels[i] = (byte) values[i];
        }
        try {
            return LabelPng.encode(labels, width, height, VocClasses.palette());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static byte[] grayPng(int width, int height, int[] values) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster raster = image.getRaster();
        raster.setSamples(0, 0, width, height, 0, values);
        return encode(image, "png");
    }

    static byte[] rgbPng(int width, int height) {
        return encode(new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB), "png");
    }

    /** Labels: background with a 255 band and an object of class {@code cls}. */
    static int[] labels(int width, int height, int cls) {
        int[] v = new int[width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                boolean inner = x > width / 4 && x < 3 * width / 4 && y > height / 4 && y < 3 * height / 4;
                boolean band = x >= width / 4 - 1 && x <= 3 * width / 4 + 1 && y >= height / 4 - 1 && y <= 3 * height / 4 + 1;
                v[y * width + x] = inner ? cls : band ? 255 : 0;
            }
        }
        return v;
    }

    /** A VOC2012 folder with these ids (each 32x24, valid) and split file "val". */
    static Path vocTree(Path root, List<String> ids) {
        try {
            Path voc = root.resolve("VOCdevkit").resolve("VOC2012");
            Files.createDirectories(voc.resolve("ImageSets/Segmentation"));
            Files.createDirectories(voc.resolve("JPEGImages"));
            Files.createDirectories(voc.resolve("SegmentationClass"));
            int cls = 1;
            for (String id : ids) {
                Files.write(voc.resolve("JPEGImages/" + id + ".jpg"), jpeg(32, 24));
                Files.write(voc.resolve("SegmentationClass/" + id + ".png"), palettePng(32, 24, labels(32, 24, cls++)));
            }
            Files.writeString(voc.resolve("ImageSets/Segmentation/val.txt"), String.join("\n", ids) + "\n");
            return voc;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] encode(BufferedImage image, String format) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no " + format + " writer");
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
