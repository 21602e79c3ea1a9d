package dev.segbench.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.api.BadSampleException;
import dev.segbench.api.Dataset;
import dev.segbench.api.DatasetException;
import dev.segbench.api.DatasetOptions;
import dev.segbench.api.DatasetOptions.BadSamplePolicy;
import dev.segbench.api.Sample;
import dev.segbench.api.SkippedSample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Broken VOC trees built in a temp folder: each problem is a one-line message naming the file. */
class VocBadDataTest {

    private static final List<String> IDS = List.of("a_001", "b_002", "c_003");
    private static final String BROKEN = "b_002";

    @TempDir
    Path temp;

    interface Breakage {
        void apply(Path voc) throws IOException;
    }

    static Path image(Path voc) {
        return voc.resolve("JPEGImages/" + BROKEN + ".jpg");
    }

    static Path label(Path voc) {
        return voc.resolve("SegmentationClass/" + BROKEN + ".png");
    }

    static Stream<Arguments> perSampleProblems() {
        List<Arguments> cases = new ArrayList<>();
        add(cases, "missing image", voc -> Files.delete(image(voc)), "JPEGImages/b_002.jpg", "missing image file");
        add(cases, "missing label", voc -> Files.delete(label(voc)), "SegmentationClass/b_002.png", "missing label file");
        add(cases, "truncated JPEG", voc -> truncate(image(voc), 0.6), "JPEGImages/b_002.jpg", "truncated JPEG");
        add(cases, "corrupt JPEG", voc -> {
            byte[] garbage = new byte[600];
            new java.util.Random(7).nextBytes(garbage);
            garbage[0] = (byte) 0xff;
            garbage[1] = (byte) 0xd8;
            garbage[598] = (byte) 0xff;
            garbage[599] = (byte) 0xd9;
            Files.write(image(voc), garbage);
        }, "JPEGImages/b_002.jpg", "corrupt JPEG");
        add(cases, "not a JPEG", voc -> Files.writeString(image(voc), "hello"), "JPEGImages/b_002.jpg", "not a JPEG");
        add(cases, "truncated PNG", voc -> truncate(label(voc), 0.5), "SegmentationClass/b_002.png", "corrupt PNG");
        add(cases, "corrupt PNG", voc -> {
            byte[] bytes = Files.readAllBytes(label(voc));
            for (int i = 40; i < bytes.length - 20; i++) {
                bytes[i] = (byte) (bytes[i] ^ 0x5a);
            }
            Files.write(label(voc), bytes);
        }, "SegmentationClass/b_002.png", "PNG");
        add(cases, "RGB PNG label", voc -> Files.write(label(voc), TestImages.rgbPng(32, 24)),
                "SegmentationClass/b_002.png", "neither a palette nor an 8-bit grayscale");
        add(cases, "size mismatch", voc -> Files.write(label(voc), TestImages.palettePng(30, 24, TestImages.labels(30, 24, 3))),
                "SegmentationClass/b_002.png", "label is 30x24 but image b_002.jpg is 32x24");
        add(cases, "label value 21", voc -> Files.write(label(voc), TestImages.palettePng(32, 24, TestImages.labels(32, 24, 21))),
                "SegmentationClass/b_002.png", "label value 21 at x=9, y=7 is outside {0..20, 255}");
        add(cases, "label value 128", voc -> Files.write(label(voc), TestImages.palettePng(32, 24, TestImages.labels(32, 24, 128))),
                "SegmentationClass/b_002.png", "label value 128");
        add(cases, "image is a directory", voc -> {
            Files.delete(image(voc));
            Files.createDirectory(image(voc));
        }, "JPEGImages/b_002.jpg", "image file is not readable (it is a directory)");
        add(cases, "label is a directory", voc -> {
            Files.delete(label(voc));
            Files.createDirectory(label(voc));
        }, "SegmentationClass/b_002.png", "label file is not readable (it is a directory)");
        List<Arguments> withPolicies = new ArrayList<>();
        for (Arguments c : cases) {
            for (BadSamplePolicy policy : BadSamplePolicy.values()) {
                Object[] a = Arrays.copyOf(c.get(), 5);
                a[4] = policy;
                withPolicies.add(Arguments.of(a));
            }
        }
        return withPolicies.stream();
    }

    private static void add(List<Arguments> cases, String name, Breakage breakage, String file, String problem) {
        cases.add(Arguments.of(name, breakage, file, problem));
    }

    private static void truncate(Path file, double fraction) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, (int) (bytes.length * fraction)));
    }

    /**
     * Whatever the policy, load(i) of the broken sample throws a BadSampleException naming file and
     * problem in one line, and the other samples still load: the harness, not the provider, stops or skips.
     */
    @ParameterizedTest(name = "{0} ({4})")
    @MethodSource("perSampleProblems")
    void perSampleProblemIsABadSampleExceptionFromLoad(String name, Breakage breakage, String file, String problem,
                                                      BadSamplePolicy policy) throws Exception {
        Path voc = TestImages.vocTree(temp, IDS);
        breakage.apply(voc);
        try (Dataset dataset = new VocDatasetProvider().open(voc.toString(), DatasetOptions.defaults().withPolicy(policy))) {
            assertEquals(3, dataset.size(), "per-sample problems are not looked for at open");
            BadSampleException e = assertThrows(BadSampleException.class, () -> dataset.load(1));
            assertEquals(BROKEN, e.sampleId());
            String message = e.getMessage();
            assertFalse(message.contains("\n") || message.contains("\r"), "one line: " + message);
            assertTrue(message.startsWith(voc.resolve(file) + ": "), "names the file first: " + message);
            assertTrue(message.contains(problem), "says '" + problem + "': " + message);
            Sample first = dataset.load(0);
            Sample last = dataset.load(2);
            assertEquals("a_001", first.id());
            assertEquals("c_003", last.id());
        }
    }

    /** Phones append data after the JPEG's end marker (motion photos); the image itself is complete and must load. */
    @Test
    void jpegWithTrailingDataAfterTheImageLoads() throws Exception {
        Path voc = TestImages.vocTree(temp, IDS);
        byte[] jpeg = Files.readAllBytes(image(voc));
        byte[] withTrailer = Arrays.copyOf(jpeg, jpeg.length + 10_000); // zeros: no end marker in the last 4 KiB
        Files.write(image(voc), withTrailer);
        try (Dataset dataset = new VocDatasetProvider().open(voc.toString(), DatasetOptions.defaults())) {
            Sample sample = dataset.load(1);
            assertEquals(32, sample.width());
            assertTrue(Arrays.equals(ImageFiles.decodeJpeg(jpeg).pixels(), sample.rgb()), "same pixels as without the trailer");
        }
        Files.write(image(voc), Arrays.copyOf(withTrailer, jpeg.length * 6 / 10));
        try (Dataset dataset = new VocDatasetProvider().open(voc.toString(), DatasetOptions.defaults())) {
            BadSampleException e = assertThrows(BadSampleException.class, () -> dataset.load(1));
            assertTrue(e.getMessage().contains("truncated JPEG"), e.getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(BadSamplePolicy.class)
    void emptySplitIsAlwaysADatasetException(BadSamplePolicy policy) throws Exception {
        Path voc = TestImages.vocTree(temp, IDS);
        Files.writeString(voc.resolve("ImageSets/Segmentation/val.txt"), "\n  \n");
        DatasetException e = assertThrows(DatasetException.class,
                () -> new VocDatasetProvider().open(voc.toString(), DatasetOptions.defaults().withPolicy(policy)));
        assertEquals(voc.resolve("ImageSets/Segmentation/val.txt") + ": empty split (no image ids)", e.getMessage());
    }

    @Test
    void duplicateIdsFailAtOpenUnderFail() throws Exception {
        Path voc = TestImages.vocTree(temp, IDS);
        Files.writeString(voc.resolve("ImageSets/Segmentation/val.txt"), "a_001\nb_002\na_001\nc_003\n");
        DatasetException e = assertThrows(DatasetException.class,
                () -> new VocDatasetProvider().open(voc.toString(), DatasetOptions.defaults()));
        assertEquals(voc.resolve("ImageSets/Segmentation/val.txt") + ": line 3: duplicate id a_001 (first on line 1)",
                e.getMessage());
    }

    @Test
    void duplicateIdsAreDroppedAndListedUnderSkip() throws Exception {
        Path voc = TestImages.vocTree(temp, IDS);
        Files.writeString(voc.resolve("ImageSets/Segmentation/val.txt"), "a_001\nb_002\na_001\nc_003\nb_002\n");
        try (Dataset dataset = new VocDatasetProvider().open(voc.toString(),
                DatasetOptions.defaults().withPolicy(BadSamplePolicy.SKIP))) {
            assertEquals(3, dataset.size());
            assertEquals(List.of("a_001", "b_002", "c_003"),
                    List.of(dataset.sampleId(0), dataset.sampleId(1), dataset.sampleId(2)));
            List<SkippedSample> skipped = dataset.skippedAtOpen();
            assertEquals(2, skipped.size());
            assertEquals("a_001", skipped.get(0).id());
            assertTrue(skipped.get(0).reason().contains("line 3: duplicate id a_001"), skipped.get(0).reason());
            assertEquals("b_002", skipped.get(1).id());
            assertTrue(skipped.get(1).reason().startsWith(voc.resolve("ImageSets/Segmentation/val.txt").toString()));
        }
    }

    @Test
    void missingSplitFileAndWrongFolderAreDatasetExceptions() throws Exception {
        Path voc = TestImages.vocTree(temp, IDS);
        DatasetOptions train = new DatasetOptions(0, List.of(), BadSamplePolicy.FAIL, java.util.Map.of("split", "train"));
        DatasetException e = assertThrows(DatasetException.class, () -> new VocDatasetProvider().open(voc.toString(), train));
        assertEquals(voc.resolve("ImageSets/Segmentation/train.txt") + ": split file not found", e.getMessage());
        Path elsewhere = Files.createDirectory(temp.resolve("elsewhere"));
        DatasetException wrong = assertThrows(DatasetException.class,
                () -> new VocDatasetProvider().open(elsewhere.toString(), DatasetOptions.defaults()));
        assertTrue(wrong.getMessage().startsWith(elsewhere + ": not a VOCdevkit"), wrong.getMessage());
        assertThrows(DatasetException.class,
                () -> new VocDatasetProvider().open(temp.resolve("nope").toString(), DatasetOptions.defaults()));
    }

    @Test
    void locationMayBeVocdevkitVoc2012OrTheFetchFolder() throws Exception {
        Path voc = TestImages.vocTree(temp, IDS);
        for (Path location : List.of(voc, voc.getParent(), temp)) {
            try (Dataset dataset = new VocDatasetProvider().open(location.toString(), DatasetOptions.defaults())) {
                assertEquals(3, dataset.size(), location.toString());
            }
        }
    }

    @Test
    void augmentedLabelsReadGrayscaleAndPalettePngs() throws Exception {
        Path voc = TestImages.vocTree(temp, IDS);
        Path aug = Files.createDirectory(voc.resolve("SegmentationClassAug"));
        int[] gray = TestImages.labels(32, 24, 7);
        Files.write(aug.resolve("a_001.png"), TestImages.grayPng(32, 24, gray));
        int[] palette = TestImages.labels(32, 24, 15);
        Files.write(aug.resolve("b_002.png"), TestImages.palettePng(32, 24, palette));
        DatasetOptions options = new DatasetOptions(0, List.of(), BadSamplePolicy.FAIL, java.util.Map.of("aug-labels", "true"));
        try (Dataset dataset = new VocDatasetProvider().open(voc.toString(), options)) {
            assertTrue(dataset.name().contains("SegmentationClassAug"));
            assertLabels(gray, dataset.load(0));
            assertLabels(palette, dataset.load(1));
            BadSampleException missing = assertThrows(BadSampleException.class, () -> dataset.load(2));
            assertEquals(aug.resolve("c_003.png") + ": missing label file", missing.getMessage());
        }
    }

    private static void assertLabels(int[] expected, Sample sample) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], sample.labels()[i] & 0xff, sample.id() + " pixel " + i);
        }
    }
}
