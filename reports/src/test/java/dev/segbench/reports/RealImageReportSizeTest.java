package dev.segbench.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.api.VocClasses;
import dev.segbench.api.io.LabelPng;
import dev.segbench.results.GalleryEntry;
import dev.segbench.results.ResultsJson;
import dev.segbench.results.Run;
import dev.segbench.testfixtures.SharedFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The 5 MB acceptance bound with VOC-sized pictures (the structure test uses thumbnails): 3 models x 2 backends x
 * 2 precisions, 6 gallery rows built from the real sample JPEGs and labels.
 */
class RealImageReportSizeTest {

    @TempDir
    Path dir;

    @Test
    void fullGridWithSixVocImagesStaysUnderFiveMegabytes() throws IOException {
        Path voc = SharedFixtures.vocSample("VOC-sized report size check").resolve("VOCdevkit/VOC2012");
        List<String> ids;
        try (var files = Files.list(voc.resolve("JPEGImages"))) {
            ids = files.map(p -> p.getFileName().toString().replace(".jpg", "")).sorted().toList();
        }
        List<Run> runs = SampleResults.fullGrid(7);
        Path g = Files.createDirectories(dir.resolve("gallery"));
        List<GalleryEntry> gallery = new ArrayList<>();
        for (int row = 0; row < 6; row++) {
            String id = ids.get(row % ids.size());
            String name = id + "-" + row;
            Files.copy(voc.resolve("JPEGImages/" + id + ".jpg"), g.resolve(name + ".jpg"));
            Files.copy(voc.resolve("SegmentationClass/" + id + ".png"), g.resolve(name + "-label.png"));
            LabelMap truth = LabelMap.read(g.resolve(name + "-label.png"));
            Map<String, String> predictions = new LinkedHashMap<>();
            for (int r = 0; r < runs.size(); r++) {
                String file = name + "-" + runs.get(r).key().replace('/', '_') + ".png";
                writePalettePng(g.resolve(file), truth.width(), truth.height(), shifted(truth, r % 4));
                predictions.put(runs.get(r).key(), "gallery/" + file);
            }
            gallery.add(new GalleryEntry(name, "gallery/" + name + ".jpg", "gallery/" + name + "-label.png", predictions));
        }
        ResultsJson.write(dir, SampleResults.results(runs, gallery, List.of()));

        Path report = HtmlReport.write(dir);

        long size = Files.size(report);
        System.out.println("report.html with a VOC-sized gallery: " + size + " bytes");
        assertTrue(size < 5_000_000, "report is " + size + " bytes");
        String html = Files.readString(report);
        assertEquals(6 * (2 + runs.size() + SampleResults.MODELS.size()), html.split("<img ", -1).length - 1,
                "every picture is in the file");
    }

    /** A prediction like a real one: the ground truth moved right by {@code shift} pixels, ignore drawn as background. */
    private static int[] shifted(LabelMap truth, int shift) {
        int w = truth.width();
        int[] out = new int[truth.labels().length];
        for (int y = 0; y < truth.height(); y++) {
            for (int x = 0; x < w; x++) {
                int v = truth.labels()[y * w + Math.max(0, x - shift)];
                out[y * w + x] = v == 255 ? 0 : v;
            }
        }
        return out;
    }

    static void writePalettePng(Path file, int width, int height, int[] labels) throws IOException {
        byte[] values = new byte[labels.length];
        for (int i = 0; i < labels.length; i++) {
            values[i] = (byte) labels[i];
        }
        Files.write(file, LabelPng.encode(values, width, height, VocClasses.palette()));
    }
}
