package dev.segbench.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.segbench.api.BadSampleException;
import dev.segbench.api.Dataset;
import dev.segbench.api.DatasetException;
import dev.segbench.api.DatasetOptions;
import dev.segbench.api.io.ImageHeader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tiny files whose headers claim a huge image (decompression bombs) are refused from their headers, in one line
 * naming the file, before a decoder allocates the raster.
 */
class DecompressionBombTest {

    private static final List<String> IDS = List.of("a_001", "b_002");

    @TempDir
    Path temp;

    /** A valid 32x24 JPEG whose start-of-frame header is rewritten to say {@code width x height}. */
    static byte[] jpegClaiming(int width, int height) {
        byte[] b = TestImages.jpeg(32, 24);
        int i = 2;
        while (true) {
            int marker = b[i + 1] & 0xff;
            if (marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc) {
                ByteBuffer.wrap(b, i + 5, 4).putShort((short) height).putShort((short) width);
                return b;
            }
            i += 2 + ((b[i + 2] & 0xff) << 8 | (b[i + 3] & 0xff));
        }
    }

    /** A valid 32x24 palette PNG whose IHDR is rewritten to say {@code width x height} (its CRC recomputed). */
    static byte[] pngClaiming(int width, int height) {
        byte[] b = TestImages.palettePng(32, 24, TestImages.labels(32, 24, 1));
        ByteBuffer.wrap(b, 16, 8).putInt(width).putInt(height);
        CRC32 crc = new CRC32();
        crc.update(b, 12, 17); // "IHDR" and its 13 data bytes
        ByteBuffer.wrap(b, 29, 4).putInt((int) crc.getValue());
        return b;
    }

    @Test
    void headersAreReadFromTheFileFormats() {
        assertEquals(new ImageHeader.Size(32, 24), ImageHeader.jpeg(TestImages.jpeg(32, 24)).orElseThrow());
        assertEquals(new ImageHeader.Size(32, 24), ImageHeader.png(TestImages.palettePng(32, 24, new int[32 * 24])).orElseThrow());
        assertEquals(new ImageHeader.Size(30000, 29000), ImageHeader.jpeg(jpegClaiming(30000, 29000)).orElseThrow());
        assertEquals(new ImageHeader.Size(30000, 29000), ImageHeader.png(pngClaiming(30000, 29000)).orElseThrow());
        assertTrue(ImageHeader.jpeg("hello".getBytes(StandardCharsets.US_ASCII)).isEmpty());
    }

    @Test
    void jpegClaiming30000x30000IsRefusedInOneLineNamingTheFile() throws Exception {
        Path voc = TestImages.vocTree(temp, IDS);
        Path image = voc.resolve("JPEGImages/b_002.jpg");
        Files.write(image, jpegClaiming(30000, 30000));
        String message = refusal(voc, DatasetOptions.defaults());
        assertEquals(image + ": the header says 30000x30000 = 900,000,000 pixels, more than the limit of 89,478,485:"
                + " not decoded (a decompression bomb?); " + ImageFiles.RAISE_LIMIT, message);
    }

    @Test
    void labelPngClaiming30000x30000IsRefusedInOneLineNamingTheFile() throws Exception {
        Path voc = TestImages.vocTree(temp, IDS);
        Path label = voc.resolve("SegmentationClass/b_002.png");
        Files.write(label, pngClaiming(30000, 30000));
        String message = refusal(voc, DatasetOptions.defaults());
        assertTrue(message.startsWith(label + ": the header says 30000x30000 = 900,000,000 pixels"), message);
        assertFalse(message.contains("\n"), message);
    }

    /** The limit is a dataset option: raised, the same (small, real) image loads; lowered, it is refused. */
    @Test
    void maxPixelsOptionMovesTheLimit() throws Exception {
        Path voc = TestImages.vocTree(temp, IDS);
        String message = refusal(voc, DatasetOptions.defaults().with(VocDataset.MAX_PIXELS, "700"));
        assertTrue(message.contains("32x24 = 768 pixels, more than the limit of 700"), message);
        try (Dataset d = new VocDatasetProvider().open(voc.toString(), DatasetOptions.defaults().with(VocDataset.MAX_PIXELS, "768"))) {
            assertEquals(32, d.load(1).width());
        }
        DatasetException bad = assertThrows(DatasetException.class, () -> new VocDatasetProvider().open(voc.toString(),
                DatasetOptions.defaults().with(VocDataset.MAX_PIXELS, "lots")));
        assertEquals("voc: max-pixels=lots is not a positive whole number", bad.getMessage());
    }

    /**
     * A raised limit does not bring back the overflowed size of the old message ("corrupt JPEG (-1594967296)"):
     * an image whose RGB pixels cannot be one array is refused by size, still before decoding.
     */
    @Test
    void raisedLimitStillRefusesWhatCannotBeHeldWithItsRealSize() throws Exception {
        Path voc = TestImages.vocTree(temp, IDS);
        Files.write(voc.resolve("JPEGImages/b_002.jpg"), jpegClaiming(30000, 30000));
        String message = refusal(voc, DatasetOptions.defaults().with(VocDataset.MAX_PIXELS, "1000000000"));
        assertTrue(message.endsWith("b_002.jpg: the image is 30000x30000: too large to hold (its RGB pixels exceed 2 GiB)"),
                message);
    }

    /**
     * The refusal comes before decoding: loading a bomb just above the default limit (10000x9000) allocates almost
     * nothing, neither on the Java heap (javax.imageio's label raster would be 90 MB) nor natively (OpenCV's RGB
     * buffers would be 270 MB each), measured by this thread's allocated bytes and the process's peak resident set.
     */
    @Test
    void bombsAreRefusedBeforeAnythingIsDecoded() throws Exception {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "thread allocation counting is not supported by this JVM");
        assumeTrue(resetPeakResident(), "cannot reset the peak resident set (/proc/self/clear_refs, Linux 4.0+)");
        Path voc = TestImages.vocTree(temp, IDS);
        try (Dataset d = new VocDatasetProvider().open(voc.toString(), DatasetOptions.defaults())) {
            d.load(0); // decoders and their native libraries load before anything is measured
            d.load(1);
            Files.write(voc.resolve("JPEGImages/a_001.jpg"), jpegClaiming(10000, 9000));
            Files.write(voc.resolve("SegmentationClass/b_002.png"), pngClaiming(10000, 9000));
            long thread = Thread.currentThread().threadId();
            resetPeakResident();
            long residentBefore = status("VmRSS:");
            long allocatedBefore = threads.getThreadAllocatedBytes(thread);
            BadSampleException jpeg = assertThrows(BadSampleException.class, () -> d.load(0));
            BadSampleException png = assertThrows(BadSampleException.class, () -> d.load(1));
            long allocated = threads.getThreadAllocatedBytes(thread) - allocatedBefore;
            long peakGrowth = status("VmHWM:") - residentBefore;
            assertTrue(allocated < 10_000_000, "Java heap allocated while refusing: " + allocated + " bytes");
            assertTrue(peakGrowth < 100_000_000, "peak resident set grew by " + peakGrowth + " bytes while refusing");
            assertTrue(jpeg.getMessage().contains("10000x9000 = 90,000,000 pixels"), jpeg.getMessage());
            assertTrue(png.getMessage().contains("10000x9000 = 90,000,000 pixels"), png.getMessage());
        }
    }

    private static String refusal(Path voc, DatasetOptions options) throws Exception {
        try (Dataset d = new VocDatasetProvider().open(voc.toString(), options)) {
            String message = assertThrows(BadSampleException.class, () -> d.load(1)).getMessage();
            assertFalse(message.contains("\n") || message.contains("\r"), "one line: " + message);
            return message;
        }
    }

    private static boolean resetPeakResident() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5", StandardCharsets.US_ASCII);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static long status(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]) * 1024;
            }
        }
        throw new IOException("no " + field + " in /proc/self/status");
    }
}
