package dev.segbench.harness.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ConfusionMatrixPropertiesTest {

    /** A sample: truth with some ignore pixels, and a prediction. */
    record Pair(byte[] truth, byte[] predicted) {
    }

    @Provide
    Arbitrary<List<Pair>> samples() {
        Arbitrary<Pair> pair = Arbitraries.integers().between(1, 300).flatMap(n -> Combinators.combine(
                Arbitraries.integers().between(0, 21).map(v -> (byte) (v == 21 ? 255 : v)).array(byte[].class).ofSize(n),
                Arbitraries.integers().between(0, 20).map(Integer::byteValue).array(byte[].class).ofSize(n))
                .as(Pair::new));
        return pair.list().ofMinSize(1).ofMaxSize(12);
    }

    @Property(tries = 200)
    void predictionAgainstItselfHasMiouOne(@ForAll("samples") List<Pair> samples) {
        ConfusionMatrix m = new ConfusionMatrix(21);
        long counted = 0;
        for (Pair p : samples) {
            m.add(p.truth(), p.truth().clone());
            for (byte t : p.truth()) {
                counted += (t & 0xff) == 255 ? 0 : 1;
            }
        }
        if (counted == 0) {
            assertNull(m.toAccuracy());
            return;
        }
        assertEquals(1.0, m.meanIou(), 0.0);
        assertEquals(1.0, m.pixelAccuracy(), 0.0);
        assertEquals(1.0, m.meanClassAccuracy(), 0.0);
        assertEquals(1.0, m.frequencyWeightedIou(), 1e-12);
    }

    @Property(tries = 200)
    void ignoredPixelsNeverCount(@ForAll("samples") List<Pair> samples, @ForAll @IntRange(min = 0, max = 20) int other) {
        ConfusionMatrix a = new ConfusionMatrix(21);
        ConfusionMatrix b = new ConfusionMatrix(21);
        long expectedTotal = 0;
        for (Pair p : samples) {
            byte[] changed = p.predicted().clone();
            for (int i = 0; i < changed.length; i++) {
                if ((p.truth()[i] & 0xff) == 255) {
                    changed[i] = (byte) other;
                } else {
                    expectedTotal++;
                }
            }
            a.add(p.truth(), p.predicted());
            b.add(p.truth(), changed);
        }
        assertEquals(a, b);
        assertEquals(expectedTotal, a.total());
    }

    @Property(tries = 200)
    void orderOfSamplesDoesNotMatter(@ForAll("samples") List<Pair> samples, @ForAll long seed) {
        List<Pair> shuffled = new ArrayList<>(samples);
        Collections.shuffle(shuffled, new Random(seed));
        assertEquals(matrixOf(samples).toAccuracy() == null, matrixOf(shuffled).toAccuracy() == null);
        assertEquals(matrixOf(samples), matrixOf(shuffled));
    }

    @Property(tries = 200)
    void mergingShardsEqualsOneRun(@ForAll("samples") List<Pair> samples, @ForAll @IntRange(min = 1, max = 5) int shards) {
        ConfusionMatrix merged = new ConfusionMatrix(21);
        for (int s = 0; s < shards; s++) {
            ConfusionMatrix part = new ConfusionMatrix(21);
            for (int i = 0; i < samples.size(); i++) {
                if (i % shards == s) {
                    part.add(samples.get(i).truth(), samples.get(i).predicted());
                }
            }
            merged.add(ConfusionMatrix.of(part.toArray()));
        }
        ConfusionMatrix whole = matrixOf(samples);
        assertEquals(whole, merged);
        if (whole.total() > 0) {
            assertEquals(whole.toAccuracy().perClassIou(), merged.toAccuracy().perClassIou());
        }
    }

    private static ConfusionMatrix matrixOf(List<Pair> samples) {
        ConfusionMatrix m = new ConfusionMatrix(21);
        samples.forEach(p -> m.add(p.truth(), p.predicted()));
        return m;
    }

    @Test
    void metricsOfAHandComputedMatrix() {
        // truth:     0 0 0 1 1 2 | prediction: 0 0 1 1 1 1
        byte[] truth = {0, 0, 0, 1, 1, 2, (byte) 255};
        byte[] pred = {0, 0, 1, 1, 1, 1, 2};
        ConfusionMatrix m = new ConfusionMatrix(4);
        m.add(truth, pred);
        // class 0: tp 2, union 3; class 1: tp 2, union 4; class 2: tp 0, union 1; class 3: empty
        assertEquals(List.of(2 / 3.0, 0.5, 0.0), m.perClassIou().subList(0, 3));
        assertNull(m.perClassIou().get(3));
        assertEquals((2 / 3.0 + 0.5 + 0.0) / 3, m.meanIou(), 1e-12);
        assertEquals(4 / 6.0, m.pixelAccuracy(), 1e-12);
        assertEquals((2 / 3.0 + 1.0 + 0.0) / 3, m.meanClassAccuracy(), 1e-12);
        assertEquals(3 / 6.0 * 2 / 3.0 + 2 / 6.0 * 0.5 + 1 / 6.0 * 0.0, m.frequencyWeightedIou(), 1e-12);
        assertEquals(6, m.total());
    }
    @Test
    void anOutOfRangeLabelIsRefusedByAddMaskedAsByAdd() {
        ConfusionMatrix m = new ConfusionMatrix(21);
        byte[] ok = {0, 1, 2};
        byte[] bad = {0, 30, 2};
        assertThrows(IllegalArgumentException.class, () -> m.add(ok, bad), "add refuses a prediction of 30");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.addMasked(ok, bad, null, 255));
        assertEquals("predicted label 30 is not below 21", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.addMasked(bad, ok, null, 255), "a reference label of 30 too");
        // where the ground truth says ignore, nothing is compared, so nothing is refused either
        ConfusionMatrix masked = new ConfusionMatrix(21);
        masked.addMasked(ok, bad, new byte[] {0, (byte) 255, 2}, 255);
        assertEquals(2, masked.total());
    }
}
