package dev.segbench.gputests;

import dev.segbench.api.Backend;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Every GPU backend against the CPU backend on the fixture checkpoints and the five VOC sample images, with the
 * reference README's tolerances: FP32 logits within 1e-4 of the largest |logit| (1e-3 with TF32 on, which rounds
 * matmul inputs to 10 mantissa bits), FP16 labels agreeing with FP32 on at least 99 % of the pixels. Prints one line per
 * model and image with the measured figures.
 */
@Tag("gpu")
class CpuAgreementTest {

    static Stream<Arguments> fp32Cases() {
        return Stream.of(Arguments.of(GpuBackend.CUDA, false, 1e-4), Arguments.of(GpuBackend.CUDA, true, 1e-3),
                Arguments.of(GpuBackend.TENSORRT, false, 1e-4), Arguments.of(GpuBackend.TENSORRT, true, 1e-3));
    }

    @ParameterizedTest(name = "{0} FP32, TF32 {1}: logits within {2} x max|logit| of the CPU backend")
    @MethodSource("fp32Cases")
    void fp32LogitsMatchTheCpuBackend(GpuBackend gpu, boolean tf32, double tolerance) throws Exception {
        List<String> failures = eachModelAndImage(gpu, Precision.FP32, tf32, (id, image, cpu, out) -> {
            double err = Compare.relativeError(out.values(), cpu.values());
            String line = String.format(Locale.ROOT, "%s %s fp32 tf32=%s %s: max |diff| / max|logit| = %.3g (limit %.0e)",
                    gpu, id, tf32, image.id(), err, tolerance);
            return err <= tolerance ? Check.pass(line) : Check.fail(line);
        });
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    @ParameterizedTest(name = "{0} FP16: labels agree with the CPU backend's FP32 labels on >= 99% of pixels")
    @EnumSource(GpuBackend.class)
    void fp16LabelsAgreeWithFp32(GpuBackend gpu) throws Exception {
        List<String> failures = eachModelAndImage(gpu, Precision.FP16, false, (id, image, cpu, half) -> {
            // measured at the logits' resolution; the README's 99 % is after upsampling, which differs only along class borders
            double agreement = Compare.argmaxAgreement(half, cpu);
            String line = String.format(Locale.ROOT, "%s %s fp16 %s: label agreement with CPU FP32 %.4f, max |diff| / "
                    + "max|logit| %.3g", gpu, id, image.id(), agreement, Compare.relativeError(half.values(), cpu.values()));
            return agreement >= 0.99 ? Check.pass(line) : Check.fail(line);
        });
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    /** A checked figure: the line to print, and whether it is within its limit. */
    record Check(String line, boolean ok) {
        static Check pass(String line) {
            return new Check(line, true);
        }

        static Check fail(String line) {
            return new Check(line, false);
        }
    }

    interface ImageCheck {
        Check check(String model, GpuFixtures.Image image, GpuFixtures.Logits cpu, GpuFixtures.Logits gpu);
    }

    /**
     * Runs every fixture model on every sample image on the GPU backend (one session per model) and checks each output
     * against the CPU backend's FP32 logits; prints every line and returns those out of their limit.
     */
    private static List<String> eachModelAndImage(GpuBackend gpu, Precision precision, boolean tf32, ImageCheck check)
            throws Exception {
        Backend backend = gpu.available();
        GpuFixtures fixtures = GpuFixtures.find();
        assumeFalse(fixtures.models().isEmpty(), "no fixture checkpoint here");
        List<String> failures = new ArrayList<>();
        for (String id : fixtures.models()) {
            ModelSource model = fixtures.model(id);
            try (InferenceSession s = backend.open(model, gpu.options(precision, tf32, null, Map.of()))) {
                assertFalse(s.artifact().labelsOut());
                for (GpuFixtures.Image image : fixtures.images()) {
                    GpuFixtures.Logits cpu = fixtures.cpuLogits(id, image);
                    GpuFixtures.Logits out = GpuFixtures.run(s, image.input(model.info().preprocessing()), image.shape());
                    assertArrayEquals(cpu.shape(), out.shape(), id + " " + image.id());
                    Check c = check.check(id, image, cpu, out);
                    System.out.println(c.line());
                    if (!c.ok()) {
                        failures.add(c.line());
                    }
                }
            }
        }
        return failures;
    }
}
