package dev.segbench.testfixtures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The condition that the fixture tests skip on fires without fixtures, and only then. */
class SharedFixturesTest {

    @TempDir
    Path tmp;

    @Test
    void noFolderOrAnIncompleteOneIsNoFixtures() throws Exception {
        assertTrue(SharedFixtures.at(null).isEmpty());
        assertTrue(SharedFixtures.at("/nonexistent/segbench-shared").isEmpty());
        Files.createDirectories(tmp.resolve("data/nas-segm-reference"));
        assertTrue(SharedFixtures.at(tmp.toString()).isEmpty(), "the VOC sample is missing");
    }

    @Test
    void aFolderWithBothPartsIsFound() throws Exception {
        Files.createDirectories(tmp.resolve("data/nas-segm-reference"));
        Files.createDirectories(tmp.resolve("data/voc2012-sample"));
        assertEquals(Optional.of(tmp), SharedFixtures.at(tmp.toString()));
    }

    @Test
    void relativeErrorScalesByTheReferenceAndCountsNanAsInfinite() {
        assertEquals(0.25, FloatArrays.relativeError(new float[] {1, 2.5f}, new float[] {1, 2}), 1e-12);
        assertEquals(Double.POSITIVE_INFINITY, FloatArrays.relativeError(new float[] {Float.NaN}, new float[] {1}));
    }
}
