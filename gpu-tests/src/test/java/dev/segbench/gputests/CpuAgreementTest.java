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
        Backend backend = gpu.available();
        GpuFixtures fixtures = GpuFixtures.find();
        assumeFalse(fixtures.models().isEmpty(), "no fixture checkpoint here");
        List<String> failures = new ArrayList<>();
        for (String id : fixtures.models()) {
            ModelSource model = fixtures.model(id);
            try (InferenceSession s = backend.open(model, gpu.options(Precision.FP32, tf32, null, Map.of()))) {
                for (GpuFixtures.Image image : fixtures.images()) {
                    GpuFixtures.Logits cpu = fixtures.cpuLogits(id, image);
                    GpuFixtures.Logits out = GpuFixtures.run(s, image.input(model.info().preprocessing()), image.shape());
                    assertArrayEquals(cpu.shape(), out.shape(), id + " " + image.id());
                    double err = Compare.relativeError(out.values(), cpu.values());
                    String line = String.format(Locale.ROOT, "%s %s fp32 tf32=%s %s: max |diff| / max|logit| = %.3g (limit %.0e)",
                            gpu, id, tf32, image.id(), err, tolerance);
                    System.out.println(line);
                    if (!(err <= tolerance)) {
                        failures.add(line);
                    }
                }
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    @ParameterizedTest(name = "{0} FP16: labels agree with the CPU backend's FP32 labels on >= 99% of pixels")
    @EnumSource(GpuBackend.class)
    void fp16LabelsAgreeWithFp32(GpuBackend gpu) throws Exception {
        Backend backend = gpu.available();
        GpuFixtures fixtures = GpuFixtures.find();
        assumeFalse(fixtures.models().isEmpty(), "no fixture checkpoint here");
        List<String> failures = new ArrayList<>();
        for (String id : fixtures.models()) {
            ModelSource model = fixtures.model(id);
            try (InferenceSession s = backend.open(model, gpu.options(Precision.FP16, false, null, Map.of()))) {
                assertFalse(s.artifact().labelsOut());
                for (GpuFixtures.Image image : fixtures.images()) {
                    GpuFixtures.Logits cpu = fixtures.cpuLogits(id, image);
                    GpuFixtures.Logits half = GpuFixtures.run(s, image.input(model.info().preprocessing()), image.shape());
                    assertArrayEquals(cpu.shape(), half.shape(), id + " " + image.id());
                    // at the logits' resolution: upsampling both the same way cannot add disagreement
                    double agreement = Compare.argmaxAgreement(half, cpu);
                    String line = String.format(Locale.ROOT, "%s %s fp16 %s: label agreement with CPU FP32 %.4f, max |diff| / "
                            + "max|logit| %.3g", gpu, id, image.id(), agreement, Compare.relativeError(half.values(), cpu.values()));
                    System.out.println(line);
                    if (!(agreement >= 0.99)) {
                        failures.add(line);
                    }
                }
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }
}
