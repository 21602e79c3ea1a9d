package dev.segbench.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.api.Dataset;
import dev.segbench.api.DatasetException;
import dev.segbench.api.DatasetOptions;
import dev.segbench.api.DatasetProvider;
import dev.segbench.api.Sample;
import dev.segbench.testfixtures.SharedFixtures;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The 5 real VOC val samples in ../shared, checked against independent javax.imageio reads. */
class VocSampleTest {

    private static final List<String> IDS = List.of("2007_006171", "2008_001513", "2008_005197", "2009_002584", "2010_004994");

    private Path devkit;
    private Path voc;

    @BeforeEach
    void fixtures() {
        devkit = SharedFixtures.vocSample("the tests on the 5 real VOC 2012 val samples").resolve("VOCdevkit");
        voc = devkit.resolve("VOC2012");
    }

    private static DatasetProvider provider(String scheme) {
        return ServiceLoader.load(DatasetProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.scheme().equals(scheme)).findFirst().orElseThrow();
    }

    @Test
    void loadsAllFiveInSplitOrderMatchingImageIo() throws Exception {
        try (Dataset dataset = provider("voc").open(devkit.toString(), DatasetOptions.defaults())) {
            assertEquals("voc2012/val", dataset.name());
            assertFalse(dataset.synthetic());
            assertEquals(5, dataset.size());
            List<String> splitOrder = Files.readAllLines(voc.resolve("ImageSets/Segmentation/val.txt")).stream()
                    .map(String::strip).filter(s -> !s.isEmpty()).toList();
            int differingPixels = 0;
            for (int i = 0; i < 5; i++) {
                String id = dataset.sampleId(i);
                assertEquals(splitOrder.get(i), id);
                Sample sample = dataset.load(i);
                assertEquals(id, sample.id());

                BufferedImage jpeg = ImageIO.read(voc.resolve("JPEGImages/" + id + ".jpg").toFile());
                assertEquals(jpeg.getWidth(), sample.width(), id + " width");
                assertEquals(jpeg.getHeight(), sample.height(), id + " height");
                int[] argb = jpeg.getRGB(0, 0, jpeg.getWidth(), jpeg.getHeight(), null, 0, jpeg.getWidth());
                for (int p = 0; p < argb.length; p++) {
                    int r = sample.rgb()[3 * p] & 0xff;
                    int g = sample.rgb()[3 * p + 1] & 0xff;
                    int b = sample.rgb()[3 * p + 2] & 0xff;
                    if (((r << 16) | (g << 8) | b) != (argb[p] & 0xffffff)) {
                        differingPixels++;
                    }
                }

                BufferedImage png = ImageIO.read(voc.resolve("SegmentationClass/" + id + ".png").toFile());
                assertTrue(png.getColorModel() instanceof IndexColorModel, id + " label is a palette PNG");
                int[] expected = png.getRaster().getSamples(0, 0, png.getWidth(), png.getHeight(), 0, (int[]) null);
                assertArrayEquals(histogram(expected), histogram(sample.labels()), id + " label histogram");
                int[] actual = new int[sample.labels().length];
                for (int p = 0; p < actual.length; p++) {
                    actual[p] = sample.labels()[p] & 0xff;
                }
                assertArrayEquals(expected, actual, id + " labels pixel by pixel");
                assertTrue(histogram(expected)[255] > 0, id + " has ignore (255) pixels, kept as 255");
            }
            assertEquals(0, differingPixels, "OpenCV and javax.imageio decode the JPEGs identically");
        }
    }

    @Test
    void sizesAreThoseOfTheFiles() throws Exception {
        try (Dataset dataset = provider("voc").open(voc.toString(), DatasetOptions.defaults())) {
            for (int i = 0; i < dataset.size(); i++) {
                Sample sample = dataset.load(i);
                BufferedImage png = ImageIO.read(voc.resolve("SegmentationClass/" + sample.id() + ".png").toFile());
                assertEquals(png.getWidth() + "x" + png.getHeight(), sample.width() + "x" + sample.height());
            }
            assertEquals("500x375", size(dataset, "2007_006171"));
            assertEquals("375x500", size(dataset, "2009_002584"));
            assertEquals("500x383", size(dataset, "2008_005197"));
        }
    }

    private static String size(Dataset dataset, String id) throws Exception {
        for (int i = 0; i < dataset.size(); i++) {
            if (dataset.sampleId(i).equals(id)) {
                Sample s = dataset.load(i);
                return s.width() + "x" + s.height();
            }
        }
        throw new AssertionError(id + " not found");
    }

    @Test
    void limitAndIdsSelectInTheRightOrder() throws Exception {
        DatasetProvider voc = provider("voc");
        try (Dataset limited = voc.open(devkit.toString(), DatasetOptions.defaults().withLimit(2))) {
            assertEquals(List.of(IDS.get(0), IDS.get(1)), List.of(limited.sampleId(0), limited.sampleId(1)));
            assertEquals(2, limited.size());
        }
        DatasetOptions byIds = new DatasetOptions(0, List.of("2010_004994", "2007_006171"), DatasetOptions.BadSamplePolicy.FAIL, java.util.Map.of());
        try (Dataset chosen = voc.open(devkit.toString(), byIds)) {
            assertEquals(2, chosen.size());
            assertEquals("2010_004994", chosen.sampleId(0));
            assertEquals("2010_004994", chosen.load(0).id());
        }
        DatasetOptions unknown = new DatasetOptions(0, List.of("2007_006171", "1999_000001"), DatasetOptions.BadSamplePolicy.FAIL, java.util.Map.of());
        DatasetException e = assertThrows(DatasetException.class, () -> voc.open(devkit.toString(), unknown));
        assertTrue(e.getMessage().contains("1999_000001"), e.getMessage());
    }

    @Test
    void parallelLoadsThroughThePrefetcherEqualSequentialLoads() throws Exception {
        try (Dataset dataset = provider("voc").open(devkit.toString(), DatasetOptions.defaults());
             OrderedPrefetcher<Sample> items = OrderedPrefetcher.of(dataset, 3, 2)) {
            int index = 0;
            while (items.hasNext()) {
                OrderedPrefetcher.Item<Sample> item = items.next();
                assertEquals(index, item.index());
                assertFalse(item.failed());
                Sample sequential = dataset.load(index);
                assertArrayEquals(sequential.rgb(), item.value().rgb());
                assertArrayEquals(sequential.labels(), item.value().labels());
                index++;
            }
            assertEquals(5, index);
        }
    }

    private static int[] histogram(int[] values) {
        int[] h = new int[256];
        for (int v : values) {
            h[v]++;
        }
        return h;
    }

    private static int[] histogram(byte[] values) {
        int[] h = new int[256];
        for (byte v : values) {
            h[v & 0xff]++;
        }
        return h;
    }

}
