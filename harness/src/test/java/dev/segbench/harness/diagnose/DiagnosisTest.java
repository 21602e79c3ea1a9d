package dev.segbench.harness.diagnose;

import ai.onnx.proto.OnnxMl;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The analysis behind diagnose on a hand-made graph: amplification, first divergence, its path, pooled errors. */
class DiagnosisTest {

    /** input -> Conv a -> Relu b -> Conv c -> Add d(b, c) -> Cast e -> Relu f: c is where error is created. */
    private static GraphView graph() throws Exception {
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder();
        g.addNode(node("Conv", "a", "input", "w1"));
        g.addNode(node("Relu", "b", "a"));
        g.addNode(node("Conv", "c", "b", "w2"));
        g.addNode(node("Add", "d", "b", "c"));
        g.addNode(node("Cast", "e", "d"));
        g.addNode(node("Relu", "f", "e"));
        return GraphView.parse(OnnxMl.ModelProto.newBuilder().setGraph(g).build().toByteArray());
    }

    private static OnnxMl.NodeProto node(String op, String out, String... in) {
        return OnnxMl.NodeProto.newBuilder().setOpType(op).setName(out).addAllInput(List.of(in)).addOutput(out).build();
    }

    /** Sums for a tensor of relative L2 error {@code rel}: reference (1, 0), candidate (1, rel). */
    private static TensorError.Sums sums(double rel) {
        return TensorError.Sums.ZERO.plus(new float[] {1, 0}, new float[] {1, (float) rel});
    }

    @Test
    void theLayerThatCreatesErrorIsTheFirstDivergenceWithItsPath() throws Exception {
        GraphView view = graph();
        // e (the Cast) is not captured: f's input is then d, behind it
        List<String> captured = List.of("a", "b", "c", "d", "f");
        DiagnoseJob.Captured ref = new DiagnoseJob.Captured(List.of("img"), captured, Map.of(), Map.of());
        DiagnoseJob.Captured cand = new DiagnoseJob.Captured(List.of("img"), captured, Map.of(
                "a", sums(1e-6), "b", sums(1e-6), "c", sums(0.05), "d", sums(0.04), "f", sums(0.04)), Map.of());
        Diagnosis.Pair p = Diagnosis.pair(view, "ref:fp32", "run:fp16", ref, cand, 0.01);
        assertEquals(5, p.shared());
        assertEquals("c", p.firstDivergence().tensor());
        assertEquals("Conv", p.firstDivergence().op());
        assertEquals(2, p.firstDivergence().depth());
        assertEquals(List.of("a", "b", "c"), p.path().stream().map(Diagnosis.PathStep::tensor).toList());
        Map<String, Diagnosis.TensorEntry> byName = new java.util.HashMap<>();
        p.tensors().forEach(t -> byName.put(t.tensor(), t));
        assertEquals(0.05 / 1e-6, byName.get("c").amplification(), 1e-3 * 0.05 / 1e-6, "c creates the error");
        assertEquals(0.8, byName.get("d").amplification(), 1e-4, "d reads b and c: 0.04 over c's 0.05");
        assertEquals(List.of("d"), byName.get("f").inputs(), "an uncaptured Cast is looked through");
        assertEquals(1e-6 / TensorError.NEGLIGIBLE, byName.get("a").amplification(), 1e-3, "exact inputs: over 1e-7");
        assertEquals("c", p.worst(1).getFirst().tensor());
    }

    @Test
    void noTensorAboveTheToleranceMeansNoDivergence() throws Exception {
        List<String> captured = List.of("a", "b");
        DiagnoseJob.Captured ref = new DiagnoseJob.Captured(List.of("img"), captured, Map.of(), Map.of());
        DiagnoseJob.Captured cand = new DiagnoseJob.Captured(List.of("img"), captured,
                Map.of("a", sums(1e-3), "b", sums(1e-3)), Map.of());
        Diagnosis.Pair p = Diagnosis.pair(graph(), "ref:fp32", "run:fp32", ref, cand, 0.01);
        assertNull(p.firstDivergence());
        assertTrue(p.path().isEmpty());
    }

    @Test
    void pooledSumsEqualTheErrorOfTheConcatenatedTensors() {
        float[] r1 = {1, -2, 3}, c1 = {1.1f, -2, 2.5f}, r2 = {0.5f, 4}, c2 = {0.4f, 4.2f};
        TensorError pooled = TensorError.Sums.ZERO.plus(r1, c1).plus(r2, c2).error();
        TensorError whole = TensorError.between(new float[] {1, -2, 3, 0.5f, 4}, new float[] {1.1f, -2, 2.5f, 0.4f, 4.2f});
        assertEquals(whole.relativeL2(), pooled.relativeL2(), 1e-12);
        assertEquals(whole.maxAbs(), pooled.maxAbs(), 1e-12);
        assertEquals(whole.cosine(), pooled.cosine(), 1e-12);
    }
}
