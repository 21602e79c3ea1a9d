package dev.segbench.harness.calibration;

import dev.segbench.results.settings.CalibrationRequest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.api.Backend;
import dev.segbench.api.CalibrationMethod;
import dev.segbench.api.CalibrationTable;
import dev.segbench.api.DatasetOptions;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Progress;
import dev.segbench.api.WeightsSpec;
import dev.segbench.api.io.CalibrationFile;
import dev.segbench.harness.Real;
import dev.segbench.results.UserException;
import dev.segbench.harness.plugins.Plugins;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Calibration with the real cpu backend and models on small synthetic images: cache, import/export, bad input. */
class CalibratorTest {

    /** Small synthetic images keep a calibration pass around a second. */
    private static final DatasetOptions SMALL = new DatasetOptions(0, List.of(), DatasetOptions.BadSamplePolicy.FAIL, java.util.Map.of("size", "48x40"));

    private static Plugins plugins;
    private static Backend cpu;
    private static ModelSource arch1;

    @TempDir
    Path tmp;

    private final List<String> log = new ArrayList<>();
    private final AtomicInteger passes = new AtomicInteger();

    @BeforeAll
    static void load() throws Exception {
        plugins = Real.plugins();
        cpu = Real.cpu(plugins);
        arch1 = plugins.catalogFor("arch1").orElseThrow().load("arch1", WeightsSpec.seeded(5));
    }

    @AfterAll
    static void close() {
        plugins.close();
    }

    private Calibrator calibrator() {
        Progress counting = new Progress() {
            @Override
            public void start(String task, long total, String unit) {
                passes.incrementAndGet();
            }

            @Override
            public void advance(long delta) {
            }

            @Override
            public void done() {
            }
        };
        return new Calibrator(plugins::datasetProvider, cpu, counting, log::add);
    }

    private CalibrationRequest request(CalibrationMethod method, Path cacheDir, Path file) {
        return CalibrationRequests.of("synthetic:3", null, "synthetic", SMALL, 64, method, cacheDir, file, 2);
    }

    @Test
    void aSecondRunReusesTheCacheWithoutACalibrationPass() throws Exception {
        Path cache = tmp.resolve("cache");
        CalibrationTable first = calibrator().calibrate(arch1, request(CalibrationMethod.PERCENTILE, cache, null));
        assertEquals(1, passes.get());
        assertEquals(3, first.key().imageIds().size());
        assertEquals("synthetic(seed=2, 48x40)", first.key().dataset(), "another seed than the evaluated one (1)");
        assertEquals(arch1.int8().orElseThrow().graphVersion(), first.key().graphVersion());
        log.clear();
        CalibrationTable second = calibrator().calibrate(arch1, request(CalibrationMethod.PERCENTILE, cache, null));
        assertEquals(1, passes.get(), "no second calibration pass");
        assertEquals(first, second);
        Path entry = new CalibrationCache(cache, null, s -> { }).entry(first.key());
        assertTrue(log.stream().anyMatch(l -> l.startsWith("calibration cache hit: " + entry + ", no calibration pass")),
                log.toString());
        // another method is another key: calibrated again, kept beside the first
        calibrator().calibrate(arch1, request(CalibrationMethod.MINMAX, cache, null));
        assertEquals(2, passes.get());
        try (var files = Files.list(cache.resolve(CalibrationCache.FOLDER))) {
            assertEquals(2, files.count());
        }
    }

    @Test
    void aCorruptCacheFileIsRejectedInOneLineAndRecomputed() throws Exception {
        Path cache = tmp.resolve("cache");
        CalibrationTable first = calibrator().calibrate(arch1, request(CalibrationMethod.MINMAX, cache, null));
        Path entry = new CalibrationCache(cache, null, s -> { }).entry(first.key());
        Files.writeString(entry, "{\"format\": \"segbench-calibration/1\", \"tables\": [{\"model\": ");
        log.clear();
        CalibrationTable again = calibrator().calibrate(arch1, request(CalibrationMethod.MINMAX, cache, null));
        assertEquals(2, passes.get(), "recomputed");
        assertEquals(first, again, "the same images give the same table");
        List<String> rejected = log.stream().filter(l -> l.startsWith("calibration cache rejected")).toList();
        assertEquals(1, rejected.size(), log.toString());
        assertTrue(rejected.getFirst().contains(entry.toString()) && rejected.getFirst().contains("invalid JSON"),
                rejected.getFirst());
        assertEquals(List.of(again), CalibrationFile.read(entry), "the rewritten entry is whole");
    }

    @Test
    void theUserFileIsExportedImportedAndAMismatchedTableInItIsReplaced() throws Exception {
        Path file = tmp.resolve("calibration.json");
        CalibrationTable other = CalibrationTable.of(new CalibrationTable.Key("arch0", "w", "d", List.of("i"),
                CalibrationMethod.ENTROPY, "g"), java.util.Map.of("input", new CalibrationTable.Range(-1f, 1f)));
        CalibrationFile.write(file, List.of(other));
        CalibrationTable made = calibrator().calibrate(arch1, request(CalibrationMethod.MINMAX, null, file));
        assertEquals(List.of(other, made), CalibrationFile.read(file), "exported beside arch0's table");
        log.clear();
        // no cache dir at all: only the user's file can supply it
        assertEquals(made, calibrator().calibrate(arch1, request(CalibrationMethod.MINMAX, null, file)));
        assertEquals(1, passes.get());
        assertTrue(log.stream().anyMatch(l -> l.startsWith("calibration cache hit: " + file + ", no calibration pass")),
                log.toString());
        log.clear();
        // asked for another method: the file's arch1 table does not match, is rejected in one line, and replaced
        CalibrationTable percentile = calibrator().calibrate(arch1, request(CalibrationMethod.PERCENTILE, null, file));
        assertEquals(2, passes.get());
        assertTrue(log.stream().anyMatch(l -> l.equals("calibration cache rejected: " + file
                + " was made for method minmax, not percentile; calibrating again")), log.toString());
        assertEquals(List.of(other, percentile), CalibrationFile.read(file));
    }

    @Test
    void defaultsNeverCalibrateOnTheEvaluatedImages() {
        CalibrationRequest voc = CalibrationRequests.of(null, null, "voc:/data/VOCdevkit", DatasetOptions.defaults(), 64,
                CalibrationMethod.ENTROPY, null, null, 0);
        assertEquals("voc:/data/VOCdevkit", voc.dataset());
        assertEquals("train", voc.datasetOptions().parameter("split", null), "the evaluated split is val");
        CalibrationRequest synthetic = CalibrationRequests.of(null, null, "synthetic:8", DatasetOptions.defaults(), 16,
                CalibrationMethod.ENTROPY, null, null, 0);
        assertEquals("synthetic:8", synthetic.dataset());
        assertEquals("2", synthetic.datasetOptions().parameter("seed", null), "seed 1 (the default) + 1");
        assertEquals("synthetic:16", CalibrationRequests.of(null, null, "synthetic", DatasetOptions.defaults(), 16,
                CalibrationMethod.ENTROPY, null, null, 0).dataset(), "a bare synthetic draws the asked-for count");
        assertEquals(64, CalibrationRequest.DEFAULT_IMAGES);
        assertEquals(CalibrationMethod.parse(CalibrationRequest.DEFAULT_METHOD_ID), CalibrationRequest.DEFAULT_METHOD);
        assertEquals("val", CalibrationRequests.of("voc:/x", "val", "synthetic", DatasetOptions.defaults(), 5,
                CalibrationMethod.MINMAX, null, null, 0).datasetOptions().parameter("split", null), "--calibration-split");
    }

    @Test
    void imagesAreSpreadEvenlyOverTheSet() {
        assertEquals(List.of(0, 25, 50, 75), java.util.Arrays.stream(Calibrator.spread(100, 4)).boxed().toList());
        assertEquals(List.of(0, 1, 2), java.util.Arrays.stream(Calibrator.spread(3, 64)).boxed().toList());
    }

    @Test
    void badInputIsOneLine() throws Exception {
        UserException zero = assertThrows(UserException.class, () -> CalibrationRequests.of("synthetic:3", null,
                "synthetic", SMALL, 0, CalibrationMethod.MINMAX, null, null, 0));
        assertEquals("--calibration-images: must be at least 1, got 0", zero.getMessage());

        Path voc = vocTree(tmp.resolve("empty"), List.of());
        UserException empty = assertThrows(UserException.class, () -> calibrator().calibrate(arch1,
                CalibrationRequests.of("voc:" + voc, null, "voc:" + voc, DatasetOptions.defaults(), 4,
                        CalibrationMethod.MINMAX, null, null, 2)));
        assertTrue(empty.getMessage().startsWith("--calibration voc:" + voc + ": ") && empty.getMessage().contains("empty"),
                empty.getMessage());

        Path broken = vocTree(tmp.resolve("broken"), List.of("a", "b"));
        Files.write(broken.resolve("VOC2012/JPEGImages/b.jpg"), new byte[] {1, 2, 3});
        UserException unreadable = assertThrows(UserException.class, () -> calibrator().calibrate(arch1,
                CalibrationRequests.of("voc:" + broken, null, "voc:" + broken, DatasetOptions.defaults(), 4,
                        CalibrationMethod.MINMAX, null, null, 2)));
        assertTrue(unreadable.getMessage().contains("unreadable calibration image") && unreadable.getMessage().contains("b.jpg"),
                unreadable.getMessage());
        for (UserException e : List.of(zero, empty, unreadable)) {
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
            assertFalse(e.getMessage().contains("Exception"), e.getMessage());
        }
    }

    /** A VOCdevkit with these ids in its train split (48x40 images, label files present). */
    static Path vocTree(Path root, List<String> ids) throws Exception {
        Path voc = root.resolve("VOCdevkit/VOC2012");
        Files.createDirectories(voc.resolve("ImageSets/Segmentation"));
        Files.createDirectories(voc.resolve("JPEGImages"));
        Files.createDirectories(voc.resolve("SegmentationClass"));
        for (String id : ids) {
            BufferedImage rgb = new BufferedImage(48, 40, BufferedImage.TYPE_INT_RGB);
            rgb.setRGB(3, 4, 0x336699);
            ImageIO.write(rgb, "jpg", voc.resolve("JPEGImages/" + id + ".jpg").toFile());
            ImageIO.write(new BufferedImage(48, 40, BufferedImage.TYPE_BYTE_GRAY), "png",
                    voc.resolve("SegmentationClass/" + id + ".png").toFile());
        }
        Files.writeString(voc.resolve("ImageSets/Segmentation/train.txt"), String.join("\n", ids) + (ids.isEmpty() ? "" : "\n"));
        return root.resolve("VOCdevkit");
    }
}
