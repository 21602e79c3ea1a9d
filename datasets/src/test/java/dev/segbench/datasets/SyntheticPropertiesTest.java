package dev.segbench.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.api.Dataset;
import dev.segbench.api.DatasetException;
import dev.segbench.api.DatasetOptions;
import dev.segbench.api.Sample;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class SyntheticPropertiesTest {

    @Property(tries = 60)
    void labelsAreVocClassesOrIgnore(@ForAll long seed, @ForAll @IntRange(min = 0, max = 1_000_000) int index,
                                     @ForAll @IntRange(min = 8, max = 96) int width,
                                     @ForAll @IntRange(min = 8, max = 96) int height) {
        Sample sample = SyntheticScenes.draw(seed, index, width, height);
        assertEquals(width, sample.width());
        assertEquals(height, sample.height());
        for (byte b : sample.labels()) {
            int v = b & 0xff;
            assertTrue(v <= 20 || v == 255, "label " + v);
        }
    }

    @Property(tries = 40)
    void sameSeedAndIndexRedrawIdentically(@ForAll long seed, @ForAll @IntRange(min = 0, max = 1_000_000) int index) {
        Sample first = SyntheticScenes.draw(seed, index, 48, 40);
        Sample again = SyntheticScenes.draw(seed, index, 48, 40);
        assertArrayEquals(first.rgb(), again.rgb());
        assertArrayEquals(first.labels(), again.labels());
        assertEquals(first.id(), again.id());
    }

    @Property(tries = 40)
    void differentSeedsOrIndicesDiffer(@ForAll long seed, @ForAll @IntRange(min = 0, max = 1_000_000) int index) {
        Sample base = SyntheticScenes.draw(seed, index, 48, 40);
        Sample otherSeed = SyntheticScenes.draw(seed + 1, index, 48, 40);
        Sample otherIndex = SyntheticScenes.draw(seed, index + 1, 48, 40);
        assertFalse(Arrays.equals(base.rgb(), otherSeed.rgb()), "seed " + seed + " vs " + (seed + 1));
        assertFalse(Arrays.equals(base.rgb(), otherIndex.rgb()), "index " + index + " vs " + (index + 1));
    }

    @Example
    void scenesHaveObjectsAndVocStyleBorders() {
        int withObjects = 0;
        int withBorders = 0;
        for (int i = 0; i < 20; i++) {
            int[] histogram = new int[256];
            for (byte b : SyntheticScenes.draw(3, i, 128, 96).labels()) {
                histogram[b & 0xff]++;
            }
            int objectPixels = Arrays.stream(histogram, 1, 21).sum();
            withObjects += objectPixels > 0 ? 1 : 0;
            withBorders += histogram[255] > 0 ? 1 : 0;
        }
        assertTrue(withObjects >= 18, withObjects + " of 20 scenes have objects");
        assertTrue(withBorders >= 18, withBorders + " of 20 scenes have 255 borders");
    }

    @Example
    void borderBandSurroundsARegionChange() {
        byte[] labels = new byte[10 * 10];
        for (int y = 0; y < 10; y++) {
            for (int x = 5; x < 10; x++) {
                labels[y * 10 + x] = 4;
            }
        }
        SyntheticScenes.markBoundaries(labels, 10, 10, 2);
        for (int y = 0; y < 10; y++) {
            assertEquals(0, labels[y * 10 + 2], "left of the band");
            assertEquals((byte) 255, labels[y * 10 + 3]);
            assertEquals((byte) 255, labels[y * 10 + 6]);
            assertEquals(4, labels[y * 10 + 7], "right of the band");
        }
    }

    @Example
    void providerParsesCountSizeSeedLimitAndIds() throws Exception {
        SyntheticDatasetProvider provider = new SyntheticDatasetProvider();
        try (Dataset defaults = provider.open("", DatasetOptions.defaults())) {
            assertEquals(SyntheticDatasetProvider.DEFAULT_COUNT, defaults.size());
            assertTrue(defaults.synthetic());
            assertEquals("synthetic(seed=1, 512x512)", defaults.name());
            Sample s = defaults.load(3);
            assertEquals(512, s.width());
            assertEquals("synthetic-000003", s.id());
            assertEquals(defaults.sampleId(3), s.id());
        }
        DatasetOptions small = new DatasetOptions(0, List.of(), DatasetOptions.BadSamplePolicy.FAIL, java.util.Map.of("seed", "9", "size", "64x32"));
        try (Dataset big = provider.open("100000", small)) {
            assertEquals(100_000, big.size());
            Sample last = big.load(99_999);
            assertEquals(64, last.width());
            assertEquals(32, last.height());
            assertArrayEquals(SyntheticScenes.draw(9, 99_999, 64, 32).labels(), last.labels());
        }
        try (Dataset limited = provider.open("100", small.withLimit(5))) {
            assertEquals(5, limited.size());
        }
        DatasetOptions ids = new DatasetOptions(0, List.of("synthetic-000042", "synthetic-000007"), DatasetOptions.BadSamplePolicy.FAIL, java.util.Map.of("seed", "9", "size", "64x32"));
        try (Dataset chosen = provider.open("100", ids)) {
            assertEquals(2, chosen.size());
            assertEquals("synthetic-000042", chosen.load(0).id());
            assertArrayEquals(SyntheticScenes.draw(9, 7, 64, 32).rgb(), chosen.load(1).rgb());
        }
        DatasetOptions unknown = new DatasetOptions(0, List.of("synthetic-000100"), DatasetOptions.BadSamplePolicy.FAIL, java.util.Map.of("seed", "9", "size", "64x32"));
        DatasetException e = assertThrows(DatasetException.class, () -> provider.open("100", unknown));
        assertTrue(e.getMessage().contains("synthetic-000100"), e.getMessage());
        assertThrows(DatasetException.class, () -> provider.open("many", small));
        assertThrows(DatasetException.class, () -> provider.open("0", small));
    }
}
