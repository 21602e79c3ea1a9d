package dev.segbench.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.onnx.graph.OnnxImporter;
import dev.segbench.onnx.graph.TestGraphs;
import dev.segbench.onnx.graph.ShapeInference;
import dev.segbench.backend.cuda.plan.ExecutionPlan;
import dev.segbench.backend.cuda.plan.ExecutionPlanner;
import dev.segbench.backend.cuda.ref.ReferenceExecutor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Plans executed on the CPU (in one shared arena at the planned offsets) must agree with ONNX Runtime. */
class ReferenceExecutorTest {

    static ExecutionPlan plan(byte[] onnx, boolean fuse, long... shape) throws Exception {
        return ExecutionPlanner.plan(ShapeInference.infer(OnnxImporter.parse(onnx), shape), fuse);
    }

    private static void assertMatchesOrt(byte[] onnx, String output, double tolerance, long... shape) throws Exception {
        float[] input = OrtReference.randomInput(7, shape);
        float[] expected = OrtReference.run(onnx, input, shape);
        for (boolean fuse : new boolean[] {true, false}) {
            ExecutionPlan p = plan(onnx, fuse, shape);
            float[] actual = ReferenceExecutor.run(p, input).get(output);
            double err = OrtReference.relativeError(actual, expected);
            assertTrue(err <= tolerance, "fuse=" + fuse + " " + p.summary() + ": relative error " + err);
        }
    }

    @ParameterizedTest
    @CsvSource({"1,16,16", "2,13,21", "1,9,7"})
    void encoderBlockMatchesOnnxRuntime(long n, long h, long w) throws Exception {
        assertMatchesOrt(TestGraphs.mobileBlock(1), "logits", 1e-5, n, 3, h, w);
    }

    @ParameterizedTest
    @CsvSource({"1,16,16", "2,15,22", "1,33,17"})
    void decoderMatchesOnnxRuntime(long n, long h, long w) throws Exception {
        assertMatchesOrt(TestGraphs.decoder(2), "logits", 1e-5, n, 3, h, w);
    }

    @ParameterizedTest
    @CsvSource({"1,13,18", "2,20,17"})
    void torchvisionStyleHeadMatchesOnnxRuntime(long n, long h, long w) throws Exception {
        assertMatchesOrt(TestGraphs.segmentationHead(5), "logits", 1e-5, n, 3, h, w);
    }

    @ParameterizedTest
    @CsvSource({"1,13,18", "2,16,11"})
    void maxPoolsMatchOnnxRuntime(long n, long h, long w) throws Exception {
        assertMatchesOrt(TestGraphs.maxPools(), "logits", 0, n, 3, h, w);
    }

    /** torchvision's exports at a small non-square size (the Java convolutions are slow): every op they use, planned. */
    @ParameterizedTest
    @CsvSource({"lraspp,64,96", "deeplabv3,72,56"})
    void torchvisionModelsMatchOnnxRuntime(String model, long h, long w) throws Exception {
        byte[] onnx = java.nio.file.Files.readAllBytes(dev.segbench.testfixtures.TorchvisionModels.onnx(model));
        assertMatchesOrt(onnx, "logits", 1e-4, 1, 3, h, w);
    }

    @Test
    void resizeToSizesComputedFromTheInputShapeMatchesOnnxRuntime() throws Exception {
        byte[] onnx = TestGraphs.arithmeticResize();
        ExecutionPlan p = plan(onnx, true, 1, 3, 7, 12);
        float[] input = OrtReference.randomInput(4, 1, 3, 7, 12);
        double err = OrtReference.relativeError(ReferenceExecutor.run(p, input).get("logits"), OrtReference.run(onnx, input, 1, 3, 7, 12));
        assertTrue(err < 1e-6, "relative error " + err);
    }

    @Test
    void labelsOutMatchesOnnxRuntimeExactly() throws Exception {
        long[] shape = {2, 3, 14, 19};
        byte[] onnx = TestGraphs.labels(3);
        float[] input = OrtReference.randomInput(11, shape);
        float[] expected = OrtReference.run(onnx, input, shape);
        ExecutionPlan p = plan(onnx, true, shape);
        assertArrayEquals(new long[] {2, 14, 19}, p.slot("labels").shape());
        float[] actual = ReferenceExecutor.run(p, input).get("labels");
        // Exactly: these fixed inputs have no near-tie of the top two scores, so rounding differences between ONNX Runtime
        // and the executor cannot flip a label here; any differing label is a bug in the planner or the executor.
        assertArrayEquals(expected, actual);
    }

    @Test
    void fp16PlanStoresHalvesAndStaysCloseToFp32() throws Exception {
        long[] shape = {1, 3, 12, 10};
        byte[] onnx = TestGraphs.halfPrecision(4);
        ExecutionPlan p = plan(onnx, true, shape);
        assertEquals(dev.segbench.onnx.graph.ElemType.FLOAT16, p.slot(p.steps().get(1).output()).type());
        float[] input = OrtReference.randomInput(5, shape);
        float[] actual = ReferenceExecutor.run(p, input).get("logits");
        float[] expected = OrtReference.run(onnx, input, shape);
        double err = OrtReference.relativeError(actual, expected);
        assertTrue(err < 5e-3, "FP16 plan vs ONNX Runtime: relative error " + err);
    }
}
