package dev.segbench.harness.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.api.Sample;
import dev.segbench.api.io.Npy;
import dev.segbench.harness.CliResult;
import dev.segbench.harness.fakes.FakeDatasets;
import dev.segbench.harness.results.GalleryWriter;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictAndReportTest {

    @TempDir
    Path tmp;

    @Test
    void predictWritesMaskAndLogits() throws Exception {
        Sample s = FakeDatasets.sample(3);
        Path image = tmp.resolve("in.png");
        Files.write(image, GalleryWriter.png(GalleryWriter.rgbImage(s.rgb(), s.width(), s.height())));
        Path mask = tmp.resolve("mask.png");
        Path logits = tmp.resolve("logits.npy");
        CliResult r = CliResult.run("predict", "--model", "tiny4", "--backend", "fake", "--image", image.toString(),
                "--out-mask", mask.toString(), "--out-logits", logits.toString());
        assertEquals(0, r.code(), r.toString());
        Npy.Array npy = Npy.read(logits);
        assertArrayEquals(new long[] {21, (s.height() + 3) / 4, (s.width() + 3) / 4}, npy.shape());
        // The fake logits are -|v/10 - c| of the red value at the cell's top-left pixel.
        int w4 = (s.width() + 3) / 4;
        int red = s.rgb()[3 * (4 * 2 * s.width() + 4 * 5)] & 0xff;
        assertEquals(-Math.abs(red / 10f - 7), npy.floats()[(7 * (int) npy.shape()[1] + 2) * w4 + 5], 1e-6);
        BufferedImage png = ImageIO.read(mask.toFile());
        assertEquals(s.width(), png.getWidth());
        assertEquals(s.height(), png.getHeight());
    }

    @Test
    void reportIsRewrittenFromResults() throws Exception {
        Path out = tmp.resolve("out");
        List<String> args = new ArrayList<>(List.of("compare", "--backends", "fake", "--models", "tiny", "--precisions", "fp32",
                "--dataset", "fake:2", "--out", out.toString()));
        args.addAll(List.of(CompareEndToEndTest.FAST));
        args.addAll(List.of("--reference", "fake:fp32"));
        assertEquals(0, CliResult.run(args.toArray(String[]::new)).code());
        Files.deleteIfExists(out.resolve("report.html"));
        CliResult r = CliResult.run("report", out.toString(), "--compare", out.toString(), "--threshold", "0.1");
        assertEquals(0, r.code(), r.toString());
        assertTrue(Files.size(out.resolve("report.html")) > 0);
        assertTrue(r.out().contains("report.html"), r.out());
    }
}
