package dev.segbench.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtSession;
import dev.segbench.api.CalibrationMethod;
import dev.segbench.api.Int8Activations;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelSource;
import dev.segbench.api.ModelException;
import dev.segbench.api.Precision;
import dev.segbench.api.WeightsSpec;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Any genotype of the search space builds a graph that ORT loads and runs at any small size. */
class RandomGenotypePropertyTest {

    @Provide
    Arbitrary<Genotype> genotypes() {
        Arbitrary<Integer> op = Arbitraries.integers().between(0, Genotype.OP_COUNT - 1);
        Arbitrary<Genotype.Block> block1 = block(1, op);
        Arbitrary<Genotype.Block> block2 = block(2, op);
        Arbitrary<Genotype.Block> block3 = block(3, op);
        // connection k reads any of x[0 .. 3+k]
        Arbitrary<List<Genotype.Connection>> connections = Combinators.combine(
                index(3), index(3), index(4), index(4), index(5), index(5))
                .as((i0, j0, i1, j1, i2, j2) -> List.of(new Genotype.Connection(i0, j0),
                        new Genotype.Connection(i1, j1), new Genotype.Connection(i2, j2)));
        return Combinators.combine(op, block1, block2, block3, connections)
                .as((op0, b1, b2, b3, conns) -> {
                    try {
                        return Genotype.of(op0, List.of(b1, b2, b3), conns);
                    } catch (ModelException e) {
                        throw new AssertionError("generator made an invalid genotype: " + e.getMessage(), e);
                    }
                });
    }

    private static Arbitrary<Integer> index(int max) {
        return Arbitraries.integers().between(0, max);
    }

    /** Block m reads any of f[0 .. 3m-2]. */
    private static Arbitrary<Genotype.Block> block(int m, Arbitrary<Integer> op) {
        return Combinators.combine(index(3 * m - 2), index(3 * m - 2), op, op).as(Genotype.Block::new);
    }

    @Property(tries = 15)
    void randomGenotypeRunsAtRandomSizes(@ForAll("genotypes") Genotype genotype,
                                         @ForAll @IntRange(min = 17, max = 80) int height,
                                         @ForAll @IntRange(min = 17, max = 80) int width,
                                         @ForAll @IntRange(min = 1, max = 2) int batch,
                                         @ForAll Precision precision, @ForAll boolean labelsOut,
                                         @ForAll @IntRange(min = 0, max = 1000) int seed) throws Exception {
        NasSegmModel model = new NasSegmModel("random", genotype, null);
        ModelSource source = NasSegmCatalog.load(model, WeightsSpec.seeded(seed));
        // int8: calibrated on two random images of another size, so the table does not depend on the size run here
        ModelArtifact artifact = precision == Precision.INT8
                ? source.int8().orElseThrow().artifact(Calibrations.random(source, CalibrationMethod.PERCENTILE, 2, 48, 40,
                        seed), seed % 2 == 0 ? Int8Activations.ASYMMETRIC_UINT8 : Int8Activations.SYMMETRIC_INT8, labelsOut)
                : source.artifact(precision, labelsOut);
        float[] input = new float[batch * 3 * height * width];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) random.nextGaussian();
        }
        int s = genotype.outputStride();
        try (OrtSession session = Fixtures.open(artifact)) {
            Fixtures.Output out = Fixtures.run(session, input, batch, 3, height, width);
            long[] shape = out.shape();
            if (labelsOut) {
                assertArrayEquals(new long[] {batch, height, width}, shape);
                for (byte label : out.bytes()) {
                    assertTrue(label >= 0 && label < 21, "label " + label);
                }
            } else {
                assertArrayEquals(new long[] {batch, 21, (height + s - 1) / s, (width + s - 1) / s}, shape,
                        genotype + " at " + height + "x" + width);
                for (float v : out.floats()) {
                    assertTrue(Float.isFinite(v), genotype + " gives " + v);
                }
            }
        }
        assertTrue(List.of(4, 8, 16, 32).contains(s), "stride " + s + " is an encoder stride");
    }
}
