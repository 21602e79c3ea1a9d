package dev.segbench.api.io;

import java.util.Locale;
import java.util.Optional;

/**
 * An image's size as its file header states it, read before anything is decoded, so that a file whose header
 * promises billions of pixels (a decompression bomb: a few bytes that decode to gigabytes) is refused before a
 * decoder allocates its raster. Hand-written because these are two fixed file-format facts (PNG's IHDR, JPEG's
 * start-of-frame segment) and neither OpenCV nor javax.imageio offers a header-only size read for both.
 */
public final class ImageHeader {

    /**
     * Pixels an image may have unless the user raises the limit: Pillow's decompression-bomb threshold
     * ({@code Image.MAX_IMAGE_PIXELS}, 2^30 / 4 / 3, about 89 M pixels, e.g. 9459x9459), so that every image a
     * Pillow-based training or inference pipeline opens without a warning opens here too. A VOC image has about
     * 0.19 M pixels.
     */
    public static final long DEFAULT_MAX_PIXELS = (1L << 30) / 4 / 3;

    private ImageHeader() {
    }

    /** Width and height from a header. */
    public record Size(int width, int height) {
        public long pixels() {
            return (long) width * height;
        }

        @Override
        public String toString() {
            return width + "x" + height;
        }
    }

    /**
     * The one-line problem when {@code size} has more than {@code maxPixels} pixels ({@code raiseWith}: how the user
     * raises the limit), or empty.
     */
    public static Optional<String> tooLarge(Size size, long maxPixels, String raiseWith) {
        if (size.pixels() <= maxPixels) {
            return Optional.empty();
        }
        return Optional.of(String.format(Locale.ROOT, "the header says %s = %,d pixels, more than the limit of %,d:"
                + " not decoded (a decompression bomb?); %s", size, size.pixels(), maxPixels, raiseWith));
    }

    /** The size in a PNG's IHDR chunk (always the first chunk: signature, length, "IHDR", width, height). */
    public static Optional<Size> png(byte[] bytes) {
        if (bytes.length < 24 || bytes[12] != 'I' || bytes[13] != 'H' || bytes[14] != 'D' || bytes[15] != 'R') {
            return Optional.empty();
        }
        return size(readInt(bytes, 16), readInt(bytes, 20)); // 4-byte unsigned, at most 2^31-1 by the spec
    }

    /**
     * The size in a JPEG's start-of-frame segment (SOF0..SOF15 but DHT, JPG and DAC, which share the range): the
     * marker segments are walked from the start-of-image marker by their lengths until the first frame header.
     */
    public static Optional<Size> jpeg(byte[] bytes) {
        int i = 2;
        while (i + 3 < bytes.length) {
            if ((bytes[i] & 0xff) != 0xff) {
                return Optional.empty();
            }
            int marker = bytes[i + 1] & 0xff;
            if (marker == 0xff) {
                i++; // fill byte
                continue;
            }
            if (marker == 0xda || marker == 0xd9) {
                return Optional.empty(); // scan data or end of image before any frame header
            }
            if (marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc) {
                // length(2) precision(1) height(2) width(2)
                return i + 8 < bytes.length ? size(readShort(bytes, i + 7), readShort(bytes, i + 5)) : Optional.empty();
            }
            i += 2 + readShort(bytes, i + 2);
        }
        return Optional.empty();
    }

    private static Optional<Size> size(long width, long height) {
        return width > 0 && height > 0 && width <= Integer.MAX_VALUE && height <= Integer.MAX_VALUE
                ? Optional.of(new Size((int) width, (int) height)) : Optional.empty();
    }

    private static long readInt(byte[] b, int at) {
        return (long) (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }

    private static int readShort(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }
}
