package dev.segbench.harness.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.api.VocClasses;
import dev.segbench.api.io.LabelPng;
import dev.segbench.harness.CliProcess;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * libjpeg's own warning about a JPEG whose data stops early ("Corrupt JPEG data: premature end of data segment",
 * printed by native code straight to descriptor 2) goes to the logs, not to the console of a real segbench process.
 */
class NativeMessagesTest {

    private static final String LIBJPEG_WARNING = "Corrupt JPEG data: premature end of data segment";

    @TempDir
    Path tmp;

    @Test
    void libjpegWarningsGoToTheLogsNotTheConsole() throws Exception {
        Path voc = tmp.resolve("VOC2012");
        Files.createDirectories(voc.resolve("ImageSets/Segmentation"));
        Files.createDirectories(voc.resolve("JPEGImages"));
        Files.createDirectories(voc.resolve("SegmentationClass"));
        int w = 64;
        int h = 48;
        byte[] jpeg = noiseJpeg(w, h);
        // the entropy-coded data cut short, the end-of-image marker kept: libjpeg warns and fills the rest with grey
        byte[] cut = Arrays.copyOf(jpeg, jpeg.length * 6 / 10 + 2);
        cut[cut.length - 2] = (byte) 0xff;
        cut[cut.length - 1] = (byte) 0xd9;
        Files.write(voc.resolve("JPEGImages/a.jpg"), cut);
        Files.write(voc.resolve("JPEGImages/b.jpg"), jpeg);
        byte[] labels = LabelPng.encode(new byte[w * h], w, h, VocClasses.palette());
        Files.write(voc.resolve("SegmentationClass/a.png"), labels);
        Files.write(voc.resolve("SegmentationClass/b.png"), labels);
        Files.writeString(voc.resolve("ImageSets/Segmentation/val.txt"), "a\nb\n");
        Path out = tmp.resolve("out");

        CliProcess segbench = CliProcess.start(tmp.resolve("process"), Map.of(), List.of(), "compare", "--out",
                out.toString(), "--backends", "fake", "--models", "tiny", "--precisions", "fp32", "--reference", "fake:fp32",
                "--dataset", "voc:" + voc, "--gallery", "2", "--warmup", "0.01", "--min-duration", "0.01",
                "--min-iterations", "3", "--batch-sizes", "1", "--perf-size", "40x56", "--progress", "never");
        assertEquals(0, segbench.await(300), segbench.toString());

        assertFalse(segbench.err().contains(LIBJPEG_WARNING), "the console: " + segbench.err());
        assertTrue(segbench.err().contains("dataset voc2012/val: 2 of 2 samples"),
                "segbench's own messages still reach the console: " + segbench.err());
        String compareLog = Files.readString(out.resolve("logs").resolve(Runner.NATIVE_LOG));
        assertTrue(compareLog.contains(LIBJPEG_WARNING), "decoding the gallery's samples in the compare: " + compareLog);
        String runLog = Files.readString(out.resolve("logs/tiny.fake.fp32.log"));
        assertTrue(runLog.contains(LIBJPEG_WARNING), "the run's own decoding: " + runLog);
    }

    private static byte[] noiseJpeg(int w, int h) throws Exception {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        Random random = new Random(3);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(image, "jpg", bytes));
        return bytes.toByteArray();
    }
}
