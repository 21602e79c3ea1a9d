package dev.segbench.harness.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.segbench.api.HostTensor;
import dev.segbench.api.Preprocessing;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class SegmentationTest {

    @Test
    void upsamplesTwoByTwoLikePytorchAlignCornersFalse() {
        // torch.nn.functional.interpolate([[1,2],[3,4]], size=(4,4), mode="bilinear", align_corners=False)
        float[] out = Segmentation.resizeBilinear(new float[] {1, 2, 3, 4}, 2, 2, 4, 4);
        assertArrayEquals(new float[] {
            1.0f, 1.25f, 1.75f, 2.0f,
            1.5f, 1.75f, 2.25f, 2.5f,
            2.5f, 2.75f, 3.25f, 3.5f,
            3.0f, 3.25f, 3.75f, 4.0f}, out, 1e-6f);
    }

    /** The half_pixel formula written out directly in double precision. */
    private static double direct(float[] in, int inH, int inW, int outH, int outW, int y, int x) {
        double sy = Math.max((y + 0.5) * inH / outH - 0.5, 0);
        double sx = Math.max((x + 0.5) * inW / outW - 0.5, 0);
        int y0 = Math.min((int) Math.floor(sy), inH - 1);
        int x0 = Math.min((int) Math.floor(sx), inW - 1);
        int y1 = Math.min(y0 + 1, inH - 1);
        int x1 = Math.min(x0 + 1, inW - 1);
        double wy = Math.min(sy - y0, 1);
        double wx = Math.min(sx - x0, 1);
        return (1 - wy) * ((1 - wx) * in[y0 * inW + x0] + wx * in[y0 * inW + x1])
                + wy * ((1 - wx) * in[y1 * inW + x0] + wx * in[y1 * inW + x1]);
    }

    @Property(tries = 60)
    void matchesTheDirectFormula(@ForAll @IntRange(min = 1, max = 20) int inH, @ForAll @IntRange(min = 1, max = 20) int inW,
                                 @ForAll @IntRange(min = 1, max = 70) int outH, @ForAll @IntRange(min = 1, max = 70) int outW,
                                 @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] in = new float[inH * inW];
        for (int i = 0; i < in.length; i++) {
            in[i] = (float) (r.nextDouble() * 40 - 20);
        }
        float[] out = Segmentation.resizeBilinear(in, inH, inW, outH, outW);
        for (int y = 0; y < outH; y++) {
            for (int x = 0; x < outW; x++) {
                assertEquals(direct(in, inH, inW, outH, outW, y, x), out[y * outW + x], 2e-4,
                        "at " + y + "," + x);
            }
        }
    }

    @Property(tries = 40)
    void labelsAreTheArgmaxOfTheUpsampledLogitsFirstMaxWinning(@ForAll @IntRange(min = 1, max = 12) int inH,
            @ForAll @IntRange(min = 1, max = 12) int inW, @ForAll @IntRange(min = 1, max = 50) int outH,
            @ForAll @IntRange(min = 1, max = 50) int outW, @ForAll long seed) {
        int classes = 5;
        SplittableRandom r = new SplittableRandom(seed);
        float[] logits = new float[classes * inH * inW];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = r.nextInt(4); // few distinct values, so ties are common
        }
        byte[] labels = Segmentation.labels(logits, classes, inH, inW, outH, outW);
        float[][] planes = new float[classes][];
        for (int c = 0; c < classes; c++) {
            float[] plane = java.util.Arrays.copyOfRange(logits, c * inH * inW, (c + 1) * inH * inW);
            planes[c] = Segmentation.resizeBilinear(plane, inH, inW, outH, outW);
        }
        for (int i = 0; i < outH * outW; i++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (planes[c][i] > planes[best][i]) {
                    best = c;
                }
            }
            assertEquals(best, labels[i], "pixel " + i);
        }
    }

    @Test
    void preprocessesInterleavedRgbIntoNormalisedPlanes() {
        byte[] rgb = {(byte) 255, 0, 10, 20, 30, (byte) 128};
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(6 * 4L);
            Segmentation.preprocess(rgb, 2, 1, Preprocessing.IMAGENET, seg, 0);
            float[] got = seg.toArray(HostTensor.FLOAT);
            float[] m = Preprocessing.IMAGENET.mean();
            float[] s = Preprocessing.IMAGENET.std();
            float k = 1f / 255f;
            assertArrayEquals(new float[] {
                (255 * k - m[0]) / s[0], (20 * k - m[0]) / s[0],
                (0 * k - m[1]) / s[1], (30 * k - m[1]) / s[1],
                (10 * k - m[2]) / s[2], (128 * k - m[2]) / s[2]}, got, 1e-6f);
        }
    }
}
