package dev.segbench.harness.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.results.Gate;
import dev.segbench.results.Run;
import dev.segbench.results.Server;
import dev.segbench.results.UserException;
import java.util.List;
import org.junit.jupiter.api.Test;

class GateTest {

    static Run run(String backend, String precision, double miou, Double agreement, double p99) {
        return Run.builder("arch1", backend, precision).status(Run.OK)
                .accuracy(new Run.Accuracy(miou, 0.9, 0.8, 0.85, List.of(), null))
                .agreement(agreement == null ? null : new Run.Agreement("cpu:fp32", agreement, 0.97, null))
                .latencyMs(new Run.Latency(p99 / 2, p99 * 0.8, p99 * 0.9, p99, p99 * 1.5, p99 / 2, 1, 100, 1.0, 0.01, List.of()))
                .throughput(List.of(new Run.Throughput(1, 50), new Run.Throughput(8, 140))).build();
    }

    static final GateEvaluator.Subject REF = GateEvaluator.Subject.of(run("cpu", "fp32", 0.625, null, 100));

    static String parseError(String gate) {
        String m = assertThrows(UserException.class, () -> GateParser.parse(gate)).getMessage();
        assertEquals(1, m.lines().count());
        return m;
    }

    @Test
    void parsesTheIssuesExampleAndEveryFormOfTheRightHandSide() {
        List<Condition> cs = GateParser.parse("agreement>=0.99,miou>=0.99*ref,p99-ms<=120");
        assertEquals(List.of(GateMetric.AGREEMENT, GateMetric.MIOU, GateMetric.P99_MS), cs.stream().map(Condition::metric).toList());
        assertEquals(new Condition("miou>=0.99*ref", GateMetric.MIOU, Comparison.AT_LEAST, 0.99, true), cs.get(1));
        assertEquals(new Condition("p99-ms<=120", GateMetric.P99_MS, Comparison.AT_MOST, 120, false), cs.get(2));
        Condition spaced = GateParser.parse(" P99-MS < 1.2 * REF ").getFirst();
        assertEquals(Comparison.LESS_THAN, spaced.comparison());
        assertEquals(1.2, spaced.factor());
        assertTrue(spaced.relative());
        assertEquals(1.1, GateParser.parse("e2e-p50-ms<=ref*1.1").getFirst().factor());
        Condition bare = GateParser.parse("images-per-s>ref").getFirst();
        assertEquals(1.0, bare.factor());
        assertTrue(bare.relative());
        assertEquals(1e-3, GateParser.parse("max-ms>1e-3").getFirst().factor());
    }

    @Test
    void malformedConditionsAreOneLineThatNamesThem() {
        assertEquals("--gate: give at least one condition (e.g. agreement>=0.99)", parseError(" "));
        assertEquals("--gate: empty condition in 'miou>=0.5,,p99-ms<=3'", parseError("miou>=0.5,,p99-ms<=3"));
        assertEquals("--gate: 'miou=0.99': no comparison (use >=, >, <= or <)", parseError("agreement>=0.9,miou=0.99"));
        assertEquals("--gate: 'accuracy>=0.99': unknown metric 'accuracy' (known: " + GateMetric.known() + ")",
                parseError("accuracy>=0.99"));
        assertEquals("--gate: '>=0.99': no metric before '>='", parseError(">=0.99"));
        assertEquals("--gate: 'miou>=0.99*rf': '0.99*rf' is not a number, NUMBER*ref or ref", parseError("miou>=0.99*rf"));
        assertEquals("--gate: 'miou>=': '' is not a number, NUMBER*ref or ref", parseError("miou>="));
        assertEquals("--gate: 'miou>=0.9<1': more than one comparison", parseError("miou>=0.9<1"));
        assertEquals("--gate: 'agreement>=0.99*ref': agreement is already measured against the reference; compare it with a number",
                parseError("agreement>=0.99*ref"));
        assertEquals("--gate: 'agreement>=99': agreement is a fraction in 0..1 (write 0.99, not 99)", parseError("agreement>=99"));
        assertEquals("--gate: 'p99-ms<=1e999': '1e999' is too large", parseError("p99-ms<=1e999"));
    }

    @Test
    void evaluatesEachConditionAgainstTheRunAndItsReference() {
        GateEvaluator gate = GateEvaluator.parse("agreement>=0.99,miou>=0.99*ref,p99-ms<=120,images-per-s>=100");
        Gate fp16 = gate.evaluate(GateEvaluator.Subject.of(run("cpu", "fp16", 0.62, 0.995, 130)), REF);
        assertFalse(fp16.passed());
        assertEquals(List.of(Gate.PASS, Gate.PASS, Gate.FAIL, Gate.PASS), fp16.conditions().stream().map(Gate.Condition::status).toList());
        Gate.Condition miou = fp16.conditions().get(1);
        assertEquals(0.99 * 0.625, miou.threshold(), 1e-12);
        assertEquals(0.62, miou.value());
        assertEquals("p99-ms 130 > 120", fp16.conditions().get(2).reason());
        assertEquals(140.0, fp16.conditions().get(3).value(), "the best throughput over batch sizes");
        assertEquals("fail: p99-ms 130 > 120", GateEvaluator.summary(fp16));

        Gate worse = gate.evaluate(GateEvaluator.Subject.of(run("cpu", "fp16", 0.6, 0.98, 100)), REF);
        assertEquals("fail: agreement 0.98 < 0.99; miou 0.6 < 0.61875 (0.99 x reference 0.625)", GateEvaluator.summary(worse));
    }

    @Test
    void theReferenceRunIsNotJudgedOnAgreementWithItself() {
        Gate g = GateEvaluator.parse("agreement>=0.99,miou>=0.99*ref").evaluate(REF, REF);
        assertTrue(g.passed(), g.toString());
        assertEquals(Gate.NOT_APPLICABLE, g.conditions().get(0).status());
        assertEquals(Gate.PASS, g.conditions().get(1).status());
        assertEquals("pass", GateEvaluator.summary(g));
    }

    @Test
    void aMetricThatWasNotMeasuredFailsTheGateInsteadOfPassingSilently() {
        Run accuracyOnly = Run.builder("arch1", "cpu", "fp16").status(Run.OK)
                .accuracy(new Run.Accuracy(0.6, 0.9, 0.8, 0.85, List.of(), null)).build();
        GateEvaluator gate = GateEvaluator.parse("p99-ms<=120,agreement>=0.5,max-qps>=10,miou>=ref");
        Gate g = gate.evaluate(GateEvaluator.Subject.of(accuracyOnly), null);
        assertFalse(g.passed());
        assertEquals(List.of(Gate.MISSING, Gate.MISSING, Gate.MISSING, Gate.MISSING),
                g.conditions().stream().map(Gate.Condition::status).toList());
        assertEquals("p99-ms not measured for this run", g.conditions().get(0).reason());
        assertEquals("agreement not measured (no reference run to compare with)", g.conditions().get(1).reason());
        assertEquals("no reference run for *ref", g.conditions().get(3).reason());
        assertTrue(GateEvaluator.summary(g).startsWith("fail: p99-ms<=120 p99-ms not measured"), GateEvaluator.summary(g));

        Run failedRef = Run.notRun("arch1", "cpu", "fp32", Run.FAILED, "out of memory");
        Gate vsFailed = GateEvaluator.parse("miou>=0.9*ref").evaluate(GateEvaluator.Subject.of(accuracyOnly),
                GateEvaluator.Subject.of(failedRef));
        assertEquals("reference arch1/cpu/fp32 has no miou", vsFailed.conditions().getFirst().reason());
    }

    @Test
    void aLatencyFromAnInvalidMeasurementFailsWithItsReasonInsteadOfPassing() {
        GateEvaluator gate = GateEvaluator.parse("p99-ms<=120,images-per-s>=100,e2e-p99-ms<=1000");
        Run invalid = run("cpu", "fp16", 0.62, 0.995, 100).toBuilder()
                .measurement(new Run.Measurement(false, List.of("warm-up skipped", "12 iterations < --min-iterations 30"),
                        0, 5, 12, false, 0.01, null, 0.05))
                .endToEndLatencyMs(new Run.Latency(10, 11, 12, 13.0, 14, 10, 1, 100, 1.0, 0.01, List.of())).build();
        Gate g = gate.evaluate(GateEvaluator.Subject.of(invalid), REF);
        assertFalse(g.passed(), "p99 100 <= 120 but measured by a broken rule: the gate never passes on it");
        Gate.Condition p99 = g.conditions().getFirst();
        assertEquals(Gate.INVALID, p99.status());
        assertEquals("p99-ms of this run is from an invalid measurement (warm-up skipped; 12 iterations < --min-iterations 30)",
                p99.reason());
        assertEquals(Gate.PASS, g.conditions().get(1).status(), "throughput is not the single-stream measurement");
        assertEquals(Gate.PASS, g.conditions().get(2).status(), "e2e comes from the accuracy pass");
        assertTrue(GateEvaluator.summary(g).startsWith("fail: p99-ms<=120 p99-ms of this run is from an invalid"));
        // a valid run against an invalid reference: the threshold itself is untrustworthy
        Gate relative = GateEvaluator.parse("p99-ms<=1.1*ref").evaluate(GateEvaluator.Subject.of(run("cpu", "fp16", 0.62, 0.995, 100)),
                GateEvaluator.Subject.of(invalid));
        assertFalse(relative.passed());
        assertEquals(Gate.INVALID, relative.conditions().getFirst().status());
        assertTrue(relative.conditions().getFirst().reason().startsWith("p99-ms of reference arch1/cpu/fp16 is from"));
    }

    @Test
    void accuracyOfSeededWeightsFailsAsSeededWhileAgreementIsStillJudged() {
        GateEvaluator gate = GateEvaluator.parse("miou>=0.5,miou>=0.99*ref,agreement>=0.99,miou-vs-ref>=0.9");
        Run.Weights seeded = new Run.Weights(Run.Weights.SEEDED, "seeded:1");
        Run fp16 = run("cpu", "fp16", 0.62, 0.995, 100).toBuilder().weights(seeded).build();
        Run ref = run("cpu", "fp32", 0.625, null, 100).toBuilder().weights(seeded).build();
        Gate g = gate.evaluate(GateEvaluator.Subject.of(fp16), GateEvaluator.Subject.of(ref));
        assertFalse(g.passed(), "mIoU 0.62 >= 0.5, but of seeded weights (the report shows n/a)");
        assertEquals(List.of(Gate.SEEDED, Gate.SEEDED, Gate.PASS, Gate.PASS),
                g.conditions().stream().map(Gate.Condition::status).toList());
        assertEquals("miou of this run is n/a: seeded (untrained) weights, give --weights for a real accuracy",
                g.conditions().getFirst().reason());
        Run trained = run("cpu", "fp16", 0.62, 0.995, 100).toBuilder().weights(new Run.Weights("checkpoint", "abc")).build();
        assertTrue(gate.evaluate(GateEvaluator.Subject.of(trained), REF).passed(), "checkpoint weights are judged as before");
    }

    @Test
    void judgeAllIsWhatCompareResumeAndMergeRecord() {
        GateEvaluator gate = GateEvaluator.parse("p99-ms<=120");
        Run ref = run("cpu", "fp32", 0.625, null, 100);
        Run slow = run("cpu", "fp16", 0.62, 0.99, 130);
        Run notSelected = run("other", "fp32", 0.62, 0.99, 130);
        List<Run> judged = gate.judgeAll(List.of(ref, slow, notSelected), r -> !r.backend().equals("other"), r -> ref);
        assertTrue(judged.get(0).gate().passed());
        assertFalse(judged.get(1).gate().passed());
        assertNull(judged.get(2).gate(), "a run added only as a reference is not judged");
    }

    @Test
    void skippedRunsAreNotJudgedAndFailedRunsFail() {
        GateEvaluator gate = GateEvaluator.parse("miou>=0.5");
        assertNull(gate.evaluate(GateEvaluator.Subject.of(Run.notRun("arch1", "tensorrt", "fp16", Run.SKIPPED, "no GPU")), REF));
        Gate failed = gate.evaluate(GateEvaluator.Subject.of(Run.notRun("arch1", "cuda", "fp16", Run.FAILED, "cuDNN error")), REF);
        assertFalse(failed.passed());
        assertEquals("run failed: cuDNN error", failed.conditions().getFirst().reason());
        assertTrue(GateEvaluator.anyFailed(java.util.Arrays.asList(null, failed)));
        assertFalse(GateEvaluator.anyFailed(java.util.Arrays.asList(null, gate.evaluate(REF, REF))));
    }

    @Test
    void maxQpsComesFromTheServerScenario() {
        Server server = new Server(Server.SEARCH, 50.0, 61.0, "poisson", 1, 1, List.of(), null);
        Gate g = GateEvaluator.parse("max-qps>=60,max-qps>=2*ref").evaluate(
                new GateEvaluator.Subject(run("cpu", "fp16", 0.6, 0.99, 10), server),
                new GateEvaluator.Subject(REF.run(), new Server(Server.SEARCH, 50.0, 30.0, "poisson", 1, 1, List.of(), null)));
        assertEquals(List.of(Gate.PASS, Gate.PASS), g.conditions().stream().map(Gate.Condition::status).toList());
        assertEquals(60.0, g.conditions().get(1).threshold());
    }

    @Test
    void everyMetricReadsItsField() {
        Run r = run("cpu", "fp16", 0.6, 0.99, 10);
        for (GateMetric m : GateMetric.values()) {
            Double v = m.of(r, null);
            if (m == GateMetric.MAX_QPS || m == GateMetric.E2E_P50_MS || m == GateMetric.E2E_P99_MS) {
                assertNull(v, m.id());
            } else {
                assertTrue(v != null && v > 0, m.id() + " = " + v);
            }
        }
        assertEquals(0.97, GateMetric.MIOU_VS_REF.of(r, null));
        assertEquals(10 * 1.5, GateMetric.MAX_MS.of(r, null));
    }
}
