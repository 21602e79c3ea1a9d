package dev.segbench.reports;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.api.VocClasses;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelMapAndParetoTest {

    @TempDir
    Path dir;

    @Test
    void aPalettePngDecodesToItsLabelsAndAnRgbOneIsRefusedInOneLine() throws IOException {
        int[] labels = SampleResults.scene(15, 2, 3);
        Path palette = dir.resolve("p.png");
        SampleResults.writeLabels(palette, labels);
        BufferedImage rgb = new BufferedImage(SampleResults.W, SampleResults.H, BufferedImage.TYPE_INT_RGB);
        int[] colours = VocClasses.palette();
        for (int i = 0; i < labels.length; i++) {
            rgb.setRGB(i % SampleResults.W, i / SampleResults.W, colours[labels[i]]);
        }
        Path rgbFile = dir.resolve("rgb.png");
        ImageIO.write(rgb, "png", rgbFile.toFile());

        assertArrayEquals(labels, LabelMap.read(palette).labels());
        // colours are not mapped back to classes (the palette is the dataset's): one rule with the datasets' reader
        IOException rgbRefused = assertThrows(IOException.class, () -> LabelMap.read(rgbFile));
        assertEquals(rgbFile + ": label PNG is neither a palette nor an 8-bit grayscale image (3 channels, 8 bits)",
                rgbRefused.getMessage());
        assertThrows(IOException.class, () -> LabelMap.read(dir.resolve("absent.png")));
    }

    @Test
    void disagreementMarksExactlyThePixelsThatDiffer() {
        LabelMap a = new LabelMap(3, 1, new int[] {0, 5, 7});
        LabelMap b = new LabelMap(3, 1, new int[] {0, 5, 8});
        LabelMap c = new LabelMap(3, 1, new int[] {1, 5, 7});
        boolean[] d = LabelMap.disagreement(List.of(a, b, c));
        assertTrue(d[0]);
        assertFalse(d[1]);
        assertTrue(d[2]);
        assertThrows(IllegalArgumentException.class,
                () -> LabelMap.disagreement(List.of(a, new LabelMap(1, 1, new int[] {0}))));
        BufferedImage map = Gallery.disagreementImage(3, 1, d, null);
        assertEquals(map.getRGB(0, 0), map.getRGB(2, 0));
        assertEquals(0xFFFFFF, map.getRGB(1, 0) & 0xFFFFFF);
    }

    @Test
    void paretoFrontKeepsOnlyUndominatedPointsByLatency() {
        Pareto.Point slowBest = new Pareto.Point("cpu", 40, 70.1);
        Pareto.Point fastGood = new Pareto.Point("trt-fp16", 0.6, 69.9);
        Pareto.Point dominated = new Pareto.Point("trt-fp32-slow", 50, 69.0);
        Pareto.Point middle = new Pareto.Point("trt-fp32", 1.1, 70.0);
        Pareto.Point dominatedFast = new Pareto.Point("worse-fast", 0.6, 60);
        assertEquals(List.of(fastGood, middle, slowBest),
                Pareto.front(List.of(slowBest, fastGood, dominated, middle, dominatedFast)));
        assertEquals(List.of(), Pareto.front(List.of()));
    }

    @Test
    void runsWithoutAFiniteMiouStayOffTheAccuracyLatencyChart() {
        dev.segbench.results.Run good = SampleResults.run("arch0", "cpu", "fp32", new java.util.Random(5));
        dev.segbench.results.Run nan = RegressionTest.withMiou(good, Double.NaN);
        assertEquals(null, Charts.accuracyVsLatency(List.of(nan)), "nothing plottable, no chart");
        Charts.Chart chart = Charts.accuracyVsLatency(List.of(nan, good));
        assertFalse(chart.svg().contains("NaN"), "a NaN point would break the axes");
    }
}
