package dev.segbench.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.results.GalleryEntry;
import dev.segbench.results.Run;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GalleryTest {

    @TempDir
    Path dir;

    @Test
    void largePhotosAreDownscaledToJpegSmallOnesKeptAsIs() throws Exception {
        Random rnd = new Random(3);
        BufferedImage noisy = new BufferedImage(1000, 750, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 750; y++) {
            for (int x = 0; x < 1000; x++) {
                noisy.setRGB(x, y, rnd.nextInt(0x1000000));
            }
        }
        ImageIO.write(noisy, "png", dir.resolve("big.png").toFile());
        assertTrue(Files.size(dir.resolve("big.png")) > Gallery.MAX_PHOTO_BYTES, "fixture must be large");
        SampleResults.writePhoto(dir.resolve("small.png"), SampleResults.scene(3, 0, 0), rnd);
        List<Gallery.Row> rows = Gallery.rows(dir, List.of(new GalleryEntry("big", "big.png", null, null),
                new GalleryEntry("small", "small.png", null, null)), List.of(), new ArrayList<>());

        String big = rows.get(0).cells().getFirst().src();
        assertTrue(big.startsWith("data:image/jpeg;base64,"));
        BufferedImage decoded = ImageIO.read(new java.io.ByteArrayInputStream(
                java.util.Base64.getDecoder().decode(big.substring(big.indexOf(',') + 1))));
        assertEquals(Gallery.MAX_PHOTO_WIDTH, decoded.getWidth());
        assertEquals(480, decoded.getHeight());
        String small = rows.get(1).cells().getFirst().src();
        assertEquals(Gallery.dataUri("image/png", Files.readAllBytes(dir.resolve("small.png"))), small);
    }

    @Test
    void disagreementNeedsTwoPredictionsOfTheSameSize() throws Exception {
        Random rnd = new Random(4);
        Run a = SampleResults.run("arch0", "cpu", "fp32", rnd);
        Run b = SampleResults.run("arch0", "tensorrt", "fp16", rnd);
        SampleResults.writeLabels(dir.resolve("a.png"), SampleResults.scene(8, 0, 0));
        BufferedImage tiny = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
        ImageIO.write(tiny, "png", dir.resolve("b.png").toFile());
        List<String> problems = new ArrayList<>();

        Gallery.Row one = Gallery.rows(dir, List.of(new GalleryEntry("x", null, null, Map.of(a.key(), "a.png"))),
                List.of(a, b), problems).getFirst();
        Gallery.Row mismatched = Gallery.rows(dir, List.of(new GalleryEntry("y", null, null,
                Map.of(a.key(), "a.png", b.key(), "b.png"))), List.of(a, b), problems).getFirst();

        Gallery.Cell single = one.cells().getLast();
        assertTrue(single.disagreement());
        assertNull(single.src());
        assertTrue(single.problem().contains("at least two"));
        Gallery.Cell sizes = mismatched.cells().getLast();
        assertNull(sizes.src());
        assertTrue(sizes.problem().contains("differ in size"), sizes.problem());
        // predictions are shown in run order, whatever the map order
        assertEquals(List.of("Image", a.key(), b.key(), "Where arch0 runs disagree"),
                mismatched.cells().stream().map(Gallery.Cell::caption).toList());
        assertEquals(List.of(), problems);
    }

    @Test
    void disagreementIsComputedPerModelNeverAcrossModels() throws Exception {
        Random rnd = new Random(5);
        Run a0 = SampleResults.run("arch0", "cpu", "fp32", rnd);
        Run a1 = SampleResults.run("arch0", "tensorrt", "fp16", rnd);
        Run b0 = SampleResults.run("arch1", "cpu", "fp32", rnd);
        Run b1 = SampleResults.run("arch1", "tensorrt", "fp16", rnd);
        // arch0's two runs agree everywhere; arch1's differ from arch0's scene but agree with each other
        SampleResults.writeLabels(dir.resolve("a0.png"), SampleResults.scene(8, 0, 0));
        SampleResults.writeLabels(dir.resolve("a1.png"), SampleResults.scene(8, 0, 0));
        SampleResults.writeLabels(dir.resolve("b0.png"), SampleResults.scene(8, 1, 0));
        SampleResults.writeLabels(dir.resolve("b1.png"), SampleResults.scene(8, 1, 0));
        List<String> problems = new ArrayList<>();
        Gallery.Row row = Gallery.rows(dir, List.of(new GalleryEntry("z", null, null, Map.of(a0.key(), "a0.png",
                a1.key(), "a1.png", b0.key(), "b0.png", b1.key(), "b1.png"))), List.of(a0, a1, b0, b1), problems).getFirst();

        List<Gallery.Cell> maps = row.cells().stream().filter(Gallery.Cell::disagreement).toList();
        assertEquals(List.of("Where arch0 runs disagree", "Where arch1 runs disagree"),
                maps.stream().map(Gallery.Cell::caption).toList());
        for (Gallery.Cell cell : maps) {
            assertTrue(cell.detail().startsWith("0.00% of pixels differ across 2 runs"), cell.detail());
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void disagreementImageMarksDifferingPixelsAndFadesThePhoto() {
        int w = 3;
        int h = 2;
        BufferedImage photo = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        photo.setRGB(0, 0, 0x000000);
        photo.setRGB(1, 0, 0xFFFFFF);
        photo.setRGB(2, 0, 0x808080);
        photo.setRGB(0, 1, 0xFF0000);
        boolean[] differs = {false, false, false, false, true, true};
        BufferedImage img = Gallery.disagreementImage(w, h, differs, photo);
        int[] idx = img.getRaster().getPixels(0, 0, w, h, (int[]) null);
        // black -> (255 * 3 / 10) / 8 = 9, white -> 0, grey 128 -> (127 * 3 / 10) / 8 = 4, red (grey 76) -> 6, then magenta
        assertEquals(List.of(9, 0, 4, 6, 10, 10), java.util.Arrays.stream(idx).boxed().toList());
        int[] blank = Gallery.disagreementImage(w, h, differs, null).getRaster().getPixels(0, 0, w, h, (int[]) null);
        assertEquals(List.of(0, 0, 0, 0, 10, 10), java.util.Arrays.stream(blank).boxed().toList(), "white without a photo");
    }
}
