package dev.segbench.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.api.BackendException;
import dev.segbench.onnx.graph.OnnxBuilder;
import dev.segbench.onnx.graph.OnnxImporter;
import dev.segbench.onnx.graph.TestGraphs;
import dev.segbench.backend.cuda.plan.Activation;
import dev.segbench.backend.cuda.plan.BufferAllocator;
import dev.segbench.backend.cuda.plan.ExecutionPlan;
import dev.segbench.backend.cuda.plan.PlanCache;
import dev.segbench.backend.cuda.plan.Step;
import dev.segbench.backend.cuda.ref.ReferenceExecutor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class ExecutionPlannerTest {

    private static ExecutionPlan plan(byte[] onnx, boolean fuse, long... shape) throws Exception {
        return ReferenceExecutorTest.plan(onnx, fuse, shape);
    }

    @Test
    void fusesBiasRelu6AndResidualIntoConvSteps() throws Exception {
        ExecutionPlan fused = plan(TestGraphs.mobileBlock(1), true, 1, 3, 16, 16);
        ExecutionPlan unfused = plan(TestGraphs.mobileBlock(1), false, 1, 3, 16, 16);
        List<Step.Conv> convs = fused.steps().stream().filter(s -> s instanceof Step.Conv).map(s -> (Step.Conv) s).toList();
        assertEquals(7, convs.size());
        assertEquals(7, fused.steps().size(), "every Clip and the Add are fused: " + fused.steps());
        assertEquals(5, convs.stream().filter(c -> c.activation().isRelu6()).count());
        Step.Conv projection = convs.stream().filter(c -> c.residual() != null).findFirst().orElseThrow();
        assertEquals(Activation.NONE, projection.activation());
        assertEquals(2, projection.nodes().size(), "Conv + Add");
        assertEquals(13, unfused.steps().size());
        // relu6 costs a clamp kernel after cuDNN's fused ReLU; fusion saves the Add and the separate Clip reads
        assertEquals(12, fused.launches());
        assertEquals(13, unfused.launches());
        assertTrue(fused.tensors().size() < unfused.tensors().size(), "fusion removes intermediate tensors");
        assertTrue(fused.arenaBytes() <= unfused.arenaBytes(), fused.arenaBytes() + " vs " + unfused.arenaBytes());
    }

    @Test
    void doesNotFuseWhenTheConvOutputHasTwoUsersOrIsAGraphOutput() throws Exception {
        OnnxBuilder b = new OnnxBuilder(9).input("input", 1, 3).output("out", 1, 4).output("c", 1, 4);
        b.nodeNamed("c", "Conv", List.of("input", b.floatInit(new long[] {3, 3, 1, 1}, 0.5f)), "kernel_shape", new long[] {1, 1});
        String relu = b.node("Relu", List.of("c"));
        String twice = b.node("Add", List.of(relu, relu));
        String conv2 = b.conv(twice, 3, 3, 1, 1, 0, 1, 1, true);
        String r = b.node("Relu", List.of(conv2));
        b.nodeNamed("out", "Add", List.of(r, conv2));
        ExecutionPlan p = plan(b.build(), true, 1, 3, 4, 4);
        assertEquals(6, p.steps().size(), p.steps().toString());
        assertTrue(p.steps().stream().filter(s -> s instanceof Step.Conv).allMatch(s -> ((Step.Conv) s).activation() == Activation.NONE
                && ((Step.Conv) s).residual() == null));
        float[] input = OrtReference.randomInput(3, 1, 3, 4, 4);
        double err = OrtReference.relativeError(ReferenceExecutor.run(p, input).get("out"),
                OrtReference.run(b.build(), input, 1, 3, 4, 4));
        assertTrue(err < 1e-6, "relative error " + err);
    }

    @Test
    void liveTensorsNeverShareMemoryAndReuseBeatsTheNaiveSum() throws Exception {
        for (byte[] onnx : List.of(TestGraphs.mobileBlock(1), TestGraphs.decoder(2), TestGraphs.labels(3))) {
            for (boolean fuse : new boolean[] {true, false}) {
                ExecutionPlan p = plan(onnx, fuse, 2, 3, 20, 24);
                assertNoLiveOverlap(new ArrayList<>(p.tensors().values()));
                assertTrue(p.arenaBytes() < p.naiveBytes(), p.summary());
                assertTrue(p.arenaBytes() >= maxLiveBytes(p), "peak can't be below the live lower bound");
                assertEquals(-1, p.slot(p.inputName()).firstStep());
                for (String out : p.outputNames()) {
                    assertEquals(p.steps().size(), p.slot(out).lastStep());
                }
            }
        }
    }

    private static long maxLiveBytes(ExecutionPlan p) {
        long best = 0;
        for (int i = -1; i <= p.steps().size(); i++) {
            long live = 0;
            for (ExecutionPlan.TensorSlot t : p.tensors().values()) {
                if (t.firstStep() <= i && i <= t.lastStep()) {
                    live += BufferAllocator.align(t.bytes());
                }
            }
            best = Math.max(best, live);
        }
        return best;
    }

    private static void assertNoLiveOverlap(List<ExecutionPlan.TensorSlot> slots) {
        for (int i = 0; i < slots.size(); i++) {
            for (int j = i + 1; j < slots.size(); j++) {
                ExecutionPlan.TensorSlot a = slots.get(i);
                ExecutionPlan.TensorSlot b = slots.get(j);
                boolean liveTogether = a.firstStep() <= b.lastStep() && b.firstStep() <= a.lastStep();
                boolean memoryOverlaps = a.offset() < b.offset() + b.bytes() && b.offset() < a.offset() + a.bytes();
                assertFalse(liveTogether && memoryOverlaps, a + " and " + b + " are live together in the same memory");
            }
        }
    }

    @Property(tries = 200)
    void allocatorNeverOverlapsLiveIntervals(@ForAll @Size(min = 1, max = 30) List<@IntRange(min = 1, max = 5000) Integer> sizes,
                                              @ForAll long seed) {
        Random r = new Random(seed);
        List<BufferAllocator.Interval> intervals = new ArrayList<>();
        for (int i = 0; i < sizes.size(); i++) {
            int first = r.nextInt(20) - 1;
            intervals.add(new BufferAllocator.Interval("t" + i, sizes.get(i), first, first + r.nextInt(6)));
        }
        List<BufferAllocator.Placement> placed = BufferAllocator.assign(intervals);
        assertEquals(intervals.size(), placed.size());
        for (BufferAllocator.Placement a : placed) {
            assertEquals(0, a.offset() % BufferAllocator.ALIGNMENT);
            for (BufferAllocator.Placement b : placed) {
                if (a != b && a.interval().overlapsInTime(b.interval())) {
                    assertTrue(a.end() <= b.offset() || b.end() <= a.offset(), a + " overlaps " + b);
                }
            }
        }
        long naive = intervals.stream().mapToLong(t -> BufferAllocator.align(t.bytes())).sum();
        assertTrue(BufferAllocator.peak(placed) <= naive);
    }

    @Test
    void aBrokenAllocationIsCaughtByTheReferenceRun() throws Exception {
        long[] shape = {1, 3, 16, 16};
        byte[] onnx = TestGraphs.mobileBlock(1);
        ExecutionPlan good = plan(onnx, true, shape);
        Map<String, ExecutionPlan.TensorSlot> collapsed = new HashMap<>();
        good.tensors().forEach((k, t) -> collapsed.put(k, new ExecutionPlan.TensorSlot(t.name(), t.type(), t.shape(), t.bytes(),
                t.firstStep(), t.lastStep(), 0)));
        long max = good.tensors().values().stream().mapToLong(ExecutionPlan.TensorSlot::bytes).max().orElseThrow();
        ExecutionPlan broken = new ExecutionPlan(good.graph(), good.steps(), collapsed, max, true);
        float[] input = OrtReference.randomInput(1, shape);
        float[] expected = OrtReference.run(onnx, input, shape);
        assertTrue(OrtReference.relativeError(ReferenceExecutor.run(good, input).get("logits"), expected) < 1e-5);
        assertTrue(OrtReference.relativeError(ReferenceExecutor.run(broken, input).get("logits"), expected) > 1e-2,
                "sharing one buffer for everything must corrupt the result, else the reference run proves nothing");
    }

    @Test
    void plansAreCachedPerInputShapeAndReplannedForNewShapes() throws Exception {
        List<ExecutionPlan> released = new ArrayList<>();
        PlanCache<ExecutionPlan> cache = new PlanCache<>(OnnxImporter.parse(TestGraphs.decoder(2)), true, 2, p -> p, released::add);
        ExecutionPlan a = cache.get(new long[] {1, 3, 16, 16}).plan();
        assertSame(a, cache.get(new long[] {1, 3, 16, 16}).plan());
        ExecutionPlan b = cache.get(new long[] {1, 3, 32, 20}).plan();
        assertNotSame(a, b);
        assertEquals(List.of(1L, 5L, 32L, 20L), java.util.Arrays.stream(b.slot("logits").shape()).boxed().toList());
        assertTrue(b.arenaBytes() > a.arenaBytes());
        assertEquals(2, cache.plansBuilt());
        cache.get(new long[] {2, 3, 8, 8});
        assertEquals(List.of(a), released, "least recently used plan is released beyond capacity");
        cache.clear();
        assertEquals(3, released.size());
    }

    @Test
    void anAddOfTwoConvolutionsFusesIntoOneOfThemOnly() throws Exception {
        OnnxBuilder b = new OnnxBuilder(4).input("input", 1, 3).output("logits", 1, 4);
        String low = b.conv("input", 3, 5, 1, 1, 0, 1, 1, true);
        String high = b.conv(b.node("Relu", List.of("input")), 3, 5, 3, 1, 1, 1, 1, true);
        b.nodeNamed("logits", "Add", List.of(low, high));
        ExecutionPlan p = plan(b.build(), true, 1, 3, 6, 7);
        List<Step.Conv> convs = p.steps().stream().filter(s -> s instanceof Step.Conv).map(s -> (Step.Conv) s).toList();
        assertEquals(2, convs.size(), p.summary());
        assertEquals(1, convs.stream().filter(c -> c.residual() != null).count(), p.summary());
        float[] input = OrtReference.randomInput(3, 1, 3, 6, 7);
        double err = OrtReference.relativeError(ReferenceExecutor.run(p, input).get("logits"),
                OrtReference.run(b.build(), input, 1, 3, 6, 7));
        assertTrue(err < 1e-5, "relative error " + err);
    }

    @Test
    void unsupportedOpsAndAttributesNameTheNode() throws Exception {
        OnnxBuilder b = new OnnxBuilder(1).input("input", 1, 3).output("logits", 1, 4);
        b.nodeNamed("logits", "Softplus", List.of("input"));
        BackendException e = assertThrows(BackendException.class, () -> plan(b.build(), true, 1, 3, 4, 4));
        assertEquals(BackendException.Code.UNSUPPORTED_OP, e.code());
        assertTrue(e.getMessage().contains("Softplus") && e.getMessage().contains("n_Softplus"), e.getMessage());

        OnnxBuilder nearest = new OnnxBuilder(1).input("input", 1, 3).output("logits", 1, 4);
        nearest.nodeNamed("logits", "Resize", List.of("input", "", nearest.floatInit(new long[] {4}, new float[] {1, 1, 2, 2})),
                "mode", "nearest");
        e = assertThrows(BackendException.class, () -> plan(nearest.build(), true, 1, 3, 4, 4));
        assertEquals(BackendException.Code.UNSUPPORTED_OP, e.code());
        assertTrue(e.getMessage().contains("'nearest'"), e.getMessage());

        e = assertThrows(BackendException.class, () -> plan(TestGraphs.mobileBlockAtOpset(11), true, 1, 3, 8, 8));
        assertEquals(BackendException.Code.UNSUPPORTED_OP, e.code());
        assertTrue(e.getMessage().contains("opset 11"), e.getMessage());
    }

    @Test
    void scalesBasedResizeAndSymbolicShapesAreResolvedPerInput() throws Exception {
        OnnxBuilder b = new OnnxBuilder(1).input("input", 1, 3).output("logits", 1, 4);
        b.nodeNamed("logits", "Resize", List.of("input", "", b.floatInit(new long[] {4}, new float[] {1, 1, 2, 0.5f})),
                "mode", "linear");
        ExecutionPlan p = plan(b.build(), true, 1, 3, 5, 9);
        assertEquals(List.of(1L, 3L, 10L, 4L), java.util.Arrays.stream(p.slot("logits").shape()).boxed().toList());
        float[] input = OrtReference.randomInput(2, 1, 3, 5, 9);
        double err = OrtReference.relativeError(ReferenceExecutor.run(p, input).get("logits"),
                OrtReference.run(b.build(), input, 1, 3, 5, 9));
        assertTrue(err < 1e-6, "relative error " + err);
    }
}
