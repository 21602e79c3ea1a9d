package dev.segbench.datasets;

import dev.segbench.api.Text;
import dev.segbench.api.io.ImageHeader;
import dev.segbench.api.io.LabelPng;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Reads VOC image and label files. Every problem is a {@link BadFileException} whose message is
 * one line (the caller prefixes the file). Thread-safe: no shared state.
 */
final class ImageFiles {

    private ImageFiles() {
    }

    /** A file is unusable; {@link #getMessage()} says why in a few words, without the file name. */
    public static final class BadFileException extends Exception {
        public BadFileException(String problem) {
            super(problem);
        }

        public BadFileException(String problem, Throwable cause) {
            super(problem, cause);
        }
    }

    /** Interleaved RGB pixels of a decoded image. */
    public record Rgb(int width, int height, byte[] pixels) {
    }

    /** Reads the whole file, turning the usual filesystem failures into one-line problems. */
    public static byte[] readFile(Path file, String what) throws BadFileException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new BadFileException("missing " + what + " file");
        } catch (AccessDeniedException e) {
            throw new BadFileException(what + " file is not readable (permission denied)");
        } catch (IOException e) {
            if (Files.isDirectory(file)) {
                throw new BadFileException(what + " file is not readable (it is a directory)");
            }
            throw new BadFileException(what + " file is not readable (" + Text.oneLine(e) + ")", e);
        }
    }

    /** How a user raises {@code maxPixels}, for the refusal message. */
    static final String RAISE_LIMIT = "raise the limit with the dataset option max-pixels, e.g. voc:DIR?max-pixels=200000000";

    /** {@link #decodeJpeg(byte[], long)} with {@link ImageHeader#DEFAULT_MAX_PIXELS}. */
    public static Rgb decodeJpeg(byte[] bytes) throws BadFileException {
        return decodeJpeg(bytes, ImageHeader.DEFAULT_MAX_PIXELS);
    }

    /**
     * Decodes a JPEG (or any format OpenCV reads) to RGB with OpenCV. EXIF orientation is ignored on
     * purpose: VOC labels are drawn on the stored pixel grid, and javax.imageio ignores it too. An image whose
     * header states more than {@code maxPixels} pixels is refused before anything is decoded.
     */
    public static Rgb decodeJpeg(byte[] bytes, long maxPixels) throws BadFileException {
        if (bytes.length == 0) {
            throw new BadFileException("empty JPEG file");
        }
        if (bytes.length < 4 || (bytes[0] & 0xff) != 0xff || (bytes[1] & 0xff) != 0xd8) {
            throw new BadFileException("not a JPEG file (no start-of-image marker)");
        }
        // libjpeg only warns on a premature end and fills the rest with grey, so look for the end marker ourselves.
        if (!hasEndOfImage(bytes)) {
            throw new BadFileException("truncated JPEG (no end-of-image marker)");
        }
        ImageHeader.Size size = ImageHeader.jpeg(bytes).orElse(null);
        if (size != null) {
            refuseAbove(size, maxPixels);
        }
        try (BytePointer data = new BytePointer(bytes);
             Mat encoded = new Mat(1, bytes.length, opencv_core.CV_8UC1, data);
             Mat bgr = opencv_imgcodecs.imdecode(encoded,
                     opencv_imgcodecs.IMREAD_COLOR | opencv_imgcodecs.IMREAD_IGNORE_ORIENTATION)) {
            if (bgr == null || bgr.empty()) {
                throw new BadFileException("corrupt JPEG (OpenCV could not decode it)");
            }
            try (Mat rgb = new Mat()) {
                opencv_imgproc.cvtColor(bgr, rgb, opencv_imgproc.COLOR_BGR2RGB);
                int width = rgb.cols();
                int height = rgb.rows();
                refuseAbove(new ImageHeader.Size(width, height), maxPixels); // a header the walk above did not find
                byte[] pixels = new byte[width * height * 3];
                if (rgb.isContinuous()) {
                    rgb.data().get(pixels);
                } else {
                    for (int y = 0; y < height; y++) {
                        rgb.ptr(y).get(pixels, y * width * 3, width * 3);
                    }
                }
                return new Rgb(width, height, pixels);
            }
        } catch (RuntimeException e) {
            // OpenCV reports decoder failures as cv::Exception mapped to RuntimeException.
            throw new BadFileException("corrupt JPEG (" + Text.oneLine(e) + ")", e);
        }
    }

    /** {@link #readLabelPng(byte[], long)} with {@link ImageHeader#DEFAULT_MAX_PIXELS}. */
    public static LabelPng.Labels readLabelPng(byte[] bytes) throws BadFileException {
        return readLabelPng(bytes, ImageHeader.DEFAULT_MAX_PIXELS);
    }

    /**
     * Reads a label PNG as class indices ({@link LabelPng}'s rule: palette indices or 8-bit grey values); one whose
     * header states more than {@code maxPixels} pixels is refused before anything is decoded.
     */
    public static LabelPng.Labels readLabelPng(byte[] bytes, long maxPixels) throws BadFileException {
        ImageHeader.Size size = ImageHeader.png(bytes).orElse(null);
        if (size != null) {
            refuseAbove(size, maxPixels);
        }
        try {
            return LabelPng.decode(bytes);
        } catch (LabelPng.BadLabelPngException e) {
            throw new BadFileException(e.getMessage(), e.getCause());
        }
    }

    /**
     * Refuses an image above the pixel limit, or one whose RGB pixels would not fit in one Java array (the limit
     * can be raised that far).
     */
    private static void refuseAbove(ImageHeader.Size size, long maxPixels) throws BadFileException {
        String problem = ImageHeader.tooLarge(size, maxPixels, RAISE_LIMIT).orElse(null);
        if (problem != null) {
            throw new BadFileException(problem);
        }
        if (size.pixels() * 3 > Integer.MAX_VALUE - 8) {
            throw new BadFileException("the image is " + size + ": too large to hold (its RGB pixels exceed 2 GiB)");
        }
    }

    /**
     * Whether the JPEG reaches its end-of-image marker FFD9: near the end of the file (it cannot occur inside
     * entropy-coded data), or, for files with trailing data after the image (phone "motion photos", padding),
     * by walking the marker segments. Hand-written because libjpeg only warns on a premature end.
     */
    static boolean hasEndOfImage(byte[] bytes) {
        int from = Math.max(2, bytes.length - 4096);
        for (int i = bytes.length - 2; i >= from; i--) {
            if ((bytes[i] & 0xff) == 0xff && (bytes[i + 1] & 0xff) == 0xd9) {
                return true;
            }
        }
        return markersReachEndOfImage(bytes);
    }

    /** Follows segment lengths (so EXIF thumbnails are skipped) and scan data from SOI to the first EOI. */
    private static boolean markersReachEndOfImage(byte[] bytes) {
        int i = 2;
        while (i + 1 < bytes.length) {
            if ((bytes[i] & 0xff) != 0xff) {
                i++; // stray byte where a marker belongs: libjpeg skips these too
                continue;
            }
            int marker = bytes[i + 1] & 0xff;
            if (marker == 0xd9) {
                return true;
            }
            if (marker == 0xff || marker == 0x00 || marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
                i += marker == 0xff ? 1 : 2; // fill byte, or a marker without a length
                continue;
            }
            if (i + 3 >= bytes.length) {
                return false;
            }
            i += 2 + ((bytes[i + 2] & 0xff) << 8 | (bytes[i + 3] & 0xff));
            if (marker == 0xda) {
                // entropy-coded data runs to the next marker that is not a stuffed FF00 or a restart marker
                while (i + 1 < bytes.length) {
                    int next = bytes[i + 1] & 0xff;
                    if ((bytes[i] & 0xff) == 0xff && next != 0x00 && (next < 0xd0 || next > 0xd7)) {
                        break;
                    }
                    i++;
                }
            }
        }
        return false;
    }
}
