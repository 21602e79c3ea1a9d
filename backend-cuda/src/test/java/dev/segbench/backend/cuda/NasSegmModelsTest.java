package dev.segbench.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelCatalog;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.WeightsSpec;
import dev.segbench.backend.cuda.plan.ExecutionPlan;
import dev.segbench.backend.cuda.plan.Step;
import dev.segbench.backend.cuda.ref.ReferenceExecutor;
import java.util.Optional;
import java.util.ServiceLoader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real NAS-segm graphs from the models module (seeded weights), planned with fusion and liveness and run on the
 * CPU reference executor, against ONNX Runtime on the same graph.
 */
class NasSegmModelsTest {

    private static Optional<ModelCatalog> catalog() {
        return ServiceLoader.load(ModelCatalog.class).stream().map(ServiceLoader.Provider::get)
                .filter(c -> c.name().equals("nas-segm")).findFirst();
    }

    private static ModelSource seeded(String id) throws Exception {
        Optional<ModelCatalog> c = catalog();
        assumeTrue(c.isPresent() && c.get().find(id).isPresent(),
                "the models jar with the nas-segm catalogue is not installed: NAS-segm graphs not checked");
        return c.get().load(id, WeightsSpec.seeded(3));
    }

    @ParameterizedTest
    @ValueSource(strings = {"arch0", "arch1", "arch2"})
    void fp32LogitsMatchOnnxRuntime(String id) throws Exception {
        ModelArtifact artifact = seeded(id).artifact(Precision.FP32, false);
        long[] shape = {1, 3, 64, 64};
        ExecutionPlan plan = ReferenceExecutorTest.plan(artifact.onnx(), true, shape);
        assertTrue(plan.arenaBytes() < plan.naiveBytes() / 2, plan.summary());
        assertTrue(plan.steps().stream().anyMatch(s -> s instanceof Step.Conv c && c.residual() != null),
                "MobileNet-v2 residual adds are fused into convolutions: " + plan.summary());
        float[] input = OrtReference.randomInput(9, shape);
        float[] expected = OrtReference.run(artifact.onnx(), input, shape);
        float[] actual = ReferenceExecutor.run(plan, input).get(ModelArtifact.LOGITS_NAME);
        double err = OrtReference.relativeError(actual, expected);
        assertTrue(plan.launches() < ReferenceExecutorTest.plan(artifact.onnx(), false, shape).launches(),
                "fusion must save launches: " + plan.summary());
        assertTrue(err <= 1e-4, id + " " + plan.summary() + ": relative error " + err);
    }

    @ParameterizedTest
    @ValueSource(strings = {"arch0", "arch2"})
    void fp16AndLabelsOutVariantsPlanAndRun(String id) throws Exception {
        ModelSource source = seeded(id);
        long[] shape = {1, 3, 32, 40};
        float[] input = OrtReference.randomInput(10, shape);
        ModelArtifact labels = source.artifact(Precision.FP32, true);
        ExecutionPlan lp = ReferenceExecutorTest.plan(labels.onnx(), true, shape);
        assertArrayEquals(new long[] {1, 32, 40}, lp.slot(ModelArtifact.LABELS_NAME).shape());
        float[] expectedLabels = OrtReference.run(labels.onnx(), input, shape);
        float[] actualLabels = ReferenceExecutor.run(lp, input).get(ModelArtifact.LABELS_NAME);
        int differing = 0;
        for (int i = 0; i < actualLabels.length; i++) {
            differing += actualLabels[i] != expectedLabels[i] ? 1 : 0;
        }
        assertTrue(differing <= actualLabels.length / 200, differing + " labels differ from ONNX Runtime");

        ModelArtifact half = source.artifact(Precision.FP16, false);
        ExecutionPlan hp = ReferenceExecutorTest.plan(half.onnx(), true, shape);
        float[] fp32 = OrtReference.run(source.artifact(Precision.FP32, false).onnx(), input, shape);
        float[] fp16 = ReferenceExecutor.run(hp, input).get(ModelArtifact.LOGITS_NAME);
        double err = OrtReference.relativeError(fp16, fp32);
        assertTrue(err < 5e-2, id + " FP16 plan vs FP32 ONNX Runtime: relative error " + err);
    }
}
