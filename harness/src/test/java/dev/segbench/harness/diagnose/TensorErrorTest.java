package dev.segbench.harness.diagnose;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link TensorError#between}'s three measures on tensors worked out by hand, edge cases included. */
class TensorErrorTest {

    private static void assertError(double rel, double maxAbs, double cosine, float[] reference, float[] candidate) {
        TensorError e = TensorError.between(reference, candidate);
        assertEquals(rel, e.relativeL2(), 1e-12, "relative L2");
        assertEquals(maxAbs, e.maxAbs(), 1e-12, "max abs");
        assertEquals(cosine, e.cosine(), 1e-12, "cosine");
    }

    @Test
    void equalTensorsHaveNoError() {
        assertError(0, 0, 1, new float[] {3, 4}, new float[] {3, 4});
    }

    @Test
    void measuresOfTensorsWorkedOutByHand() {
        assertError(1, 4, 0, new float[] {3, 4}, new float[] {0, 0});             // all lost
        assertError(Math.sqrt(2), 1, 0, new float[] {1, 0}, new float[] {0, 1});  // orthogonal
        assertError(1, 1, 1, new float[] {1, 0}, new float[] {2, 0});             // twice as large, same direction
        assertError(2, 4, -1, new float[] {1, 2}, new float[] {-1, -2});          // sign flipped
        assertError(0.5 / 5, 0.5, (3 * 3 + 4 * 3.5) / (5 * Math.sqrt(9 + 3.5 * 3.5)),
                new float[] {3, 4}, new float[] {3, 3.5f});
    }

    @Test
    void allZeroReferenceGivesNoErrorWhenMatchedAndInfiniteOtherwise() {
        assertError(0, 0, 1, new float[] {0, 0}, new float[] {0, 0});
        assertError(Double.POSITIVE_INFINITY, 1, 0, new float[] {0, 0}, new float[] {1, 0});
    }

    @Test
    void tensorsOfDifferentLengthsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TensorError.between(new float[] {1, 2}, new float[] {1}));
        assertEquals("tensors of 2 and 1 elements", e.getMessage());
    }

    @Test
    void sumsPoolSeveralImagesAsOneTensorOfThemAll() {
        float[] r1 = {0.25f, -1.5f, 3, 7}, c1 = {0.3f, -1.25f, 2.5f, 7.125f};
        float[] r2 = {-4, 0.5f}, c2 = {-3, 0.75f};
        TensorError pooled = TensorError.Sums.ZERO.plus(r1, c1).plus(r2, c2).error();
        TensorError whole = TensorError.between(new float[] {0.25f, -1.5f, 3, 7, -4, 0.5f},
                new float[] {0.3f, -1.25f, 2.5f, 7.125f, -3, 0.75f});
        assertEquals(whole.relativeL2(), pooled.relativeL2(), 1e-15);
        assertEquals(whole.cosine(), pooled.cosine(), 1e-15);
        assertEquals(1.0, pooled.maxAbs(), "the largest difference of either image");
        // not the mean of the two images' errors: pooling weights each element, not each image
        double meanOfImages = (TensorError.between(r1, c1).relativeL2() + TensorError.between(r2, c2).relativeL2()) / 2;
        assertEquals(false, Math.abs(meanOfImages - pooled.relativeL2()) < 1e-6, meanOfImages + " vs " + pooled.relativeL2());
    }
}
