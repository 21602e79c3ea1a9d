package dev.segbench.harness.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.util.concurrent.atomic.AtomicInteger;

import dev.segbench.api.BadSampleException;
import dev.segbench.api.Dataset;
import dev.segbench.api.DatasetOptions;
import dev.segbench.api.DatasetOptions.BadSamplePolicy;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.Precision;
import dev.segbench.api.Progress;
import dev.segbench.api.SessionOptions;
import dev.segbench.api.WeightsSpec;
import dev.segbench.harness.fakes.FakeBackend;
import dev.segbench.harness.fakes.FakeDatasets;
import dev.segbench.harness.fakes.FakeModels;
import dev.segbench.harness.metrics.ConfusionMatrix;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class AccuracyPassTest {

    private static AccuracyPass.Outcome run(String model, Precision p, String data, int[] indices, BadSamplePolicy policy,
                                            int threads) throws Exception {
        try (Dataset d = new FakeDatasets().open(data, DatasetOptions.defaults());
             InferenceSession s = new FakeBackend().open(new FakeModels().load(model, WeightsSpec.seeded(1)), SessionOptions.of(p))) {
            return new AccuracyPass(d, indices, FakeModels.RAW, 21, policy, threads)
                    .run(s, new AccuracyPass.Sinks(null, null, null, "k"), Progress.NONE);
        }
    }

    @Test
    void aFirstCallCostIsWarmedUpOutOfTheEndToEndLatency() throws Exception {
        // a backend whose first inference costs 1.5 s (shape specialisation, allocation); the rest are instant
        long firstCallNanos = 1_500_000_000L;
        AtomicInteger calls = new AtomicInteger();
        try (Dataset d = new FakeDatasets().open("4", DatasetOptions.defaults());
             InferenceSession fake = new FakeBackend().open(new FakeModels().load("tiny", WeightsSpec.seeded(1)),
                     SessionOptions.of(Precision.FP32))) {
            InferenceSession slowFirst = new InferenceSession() {
                @Override
                public dev.segbench.api.HostTensor newInput(java.lang.foreign.Arena arena, int batch, int height, int width) {
                    return fake.newInput(arena, batch, height, width);
                }

                @Override
                public dev.segbench.api.ModelArtifact artifact() {
                    return fake.artifact();
                }

                @Override
                public dev.segbench.api.InferenceResult run(dev.segbench.api.HostTensor input) throws dev.segbench.api.BackendException {
                    if (calls.incrementAndGet() == 1) {
                        java.util.concurrent.locks.LockSupport.parkNanos(firstCallNanos);
                    }
                    return fake.run(input);
                }

                @Override
                public void close() {
                }
            };
            AccuracyPass.Outcome o = new AccuracyPass(d, IntStream.range(0, 4).toArray(), FakeModels.RAW, 21,
                    BadSamplePolicy.FAIL, 1).run(slowFirst, new AccuracyPass.Sinks(null, null, null, "k"), Progress.NONE);
            assertEquals(4, o.endToEnd().getTotalCount(), "every sample is timed");
            assertEquals(5, calls.get(), "one untimed warm-up inference before the timed ones");
            assertTrue(o.endToEnd().getMaxValue() * 1000 < firstCallNanos,
                    "the first call's " + firstCallNanos / 1e6 + " ms is not in e2e (max " + o.endToEnd().getMaxValue() / 1e3 + " ms)");
        }
    }

    @Test
    void exactPredictionsScorePerfectlyAndMatchTheGroundTruthCounts() throws Exception {
        AccuracyPass.Outcome o = run("tiny", Precision.FP32, "6", IntStream.range(0, 6).toArray(), BadSamplePolicy.FAIL, 2);
        ConfusionMatrix expected = new ConfusionMatrix(21);
        for (int k = 0; k < 6; k++) {
            expected.add(FakeDatasets.sample(k).labels(), FakeDatasets.sample(k).labels());
        }
        assertEquals(expected, o.accuracy());
        assertEquals(1.0, o.accuracy().meanIou());
        assertEquals(6, o.images());
        assertEquals(6, o.endToEnd().getTotalCount());
    }

    @Property(tries = 8)
    void permutingSamplesDoesNotChangeResults(@ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int threads) throws Exception {
        List<Integer> order = new ArrayList<>(IntStream.range(0, 7).boxed().toList());
        AccuracyPass.Outcome natural = run("tiny4", Precision.FP16, "7", order.stream().mapToInt(i -> i).toArray(),
                BadSamplePolicy.FAIL, threads);
        Collections.shuffle(order, new Random(seed));
        AccuracyPass.Outcome shuffled = run("tiny4", Precision.FP16, "7", order.stream().mapToInt(i -> i).toArray(),
                BadSamplePolicy.FAIL, threads);
        assertEquals(natural.accuracy(), shuffled.accuracy());
        assertEquals(natural.images(), shuffled.images());
    }

    @Test
    void badSamplesAreSkippedOrStopThePass() throws Exception {
        int[] all = IntStream.range(0, 5).toArray();
        AccuracyPass.Outcome o = run("tiny", Precision.FP32, "5,bad=2", all, BadSamplePolicy.SKIP, 2);
        assertEquals(4, o.images());
        assertEquals("fake-2", o.skipped().getFirst().id());
        assertEquals("fake-2.jpg: truncated JPEG", o.skipped().getFirst().reason());
        BadSampleException e = assertThrows(BadSampleException.class,
                () -> run("tiny", Precision.FP32, "5,bad=2", all, BadSamplePolicy.FAIL, 2));
        assertEquals("fake-2", e.sampleId());
    }

    @Test
    void aBackendFailingMidPassStopsEveryPipelineThread() throws Exception {
        int[] all = IntStream.range(0, 12).toArray();
        try (Dataset d = new FakeDatasets().open("12", DatasetOptions.defaults());
             InferenceSession fake = new FakeBackend().open(new FakeModels().load("tiny", WeightsSpec.seeded(1)),
                     SessionOptions.of(Precision.FP32))) {
            InferenceSession failsOnFourth = new InferenceSession() {
                int calls;

                @Override
                public dev.segbench.api.ModelArtifact artifact() {
                    return fake.artifact();
                }

                @Override
                public dev.segbench.api.InferenceResult run(dev.segbench.api.HostTensor input)
                        throws dev.segbench.api.BackendException {
                    if (++calls == 4) {
                        throw new dev.segbench.api.BackendException(dev.segbench.api.BackendException.Code.RUNTIME_ERROR,
                                "device lost");
                    }
                    return fake.run(input);
                }

                @Override
                public void close() {
                }
            };
            AccuracyPass pass = new AccuracyPass(d, all, FakeModels.RAW, 21, BadSamplePolicy.FAIL, 3);
            var e = assertThrows(dev.segbench.api.BackendException.class,
                    () -> pass.run(failsOnFourth, new AccuracyPass.Sinks(null, null, null, "k"), Progress.NONE));
            assertEquals("device lost", e.getMessage());
        }
        List<Thread> pipeline = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("segbench-decode") || t.getName().startsWith("segbench-post")).toList();
        for (Thread t : pipeline) {
            t.join(5000); // a worker may still be leaving its loop right after its pool terminated
        }
        assertEquals(List.of(), pipeline.stream().filter(Thread::isAlive).map(Thread::getName).toList(),
                "pipeline threads still alive after the pass failed");
    }

    @Test
    void agreementStreamsTheReferenceLabelsBack() throws Exception {
        Path spill = Files.createTempFile("spill", ".labels");
        int[] all = IntStream.range(0, 5).toArray();
        try (Dataset d = new FakeDatasets().open("5", DatasetOptions.defaults())) {
            var model = new FakeModels().load("tiny", WeightsSpec.seeded(1));
            AccuracyPass pass = new AccuracyPass(d, all, FakeModels.RAW, 21, BadSamplePolicy.FAIL, 1);
            try (InferenceSession s = new FakeBackend().open(model, SessionOptions.of(Precision.FP32));
                 LabelSpill.Writer w = new LabelSpill.Writer(spill)) {
                pass.run(s, new AccuracyPass.Sinks(w, null, null, "ref"), Progress.NONE);
            }
            AccuracyPass.Outcome o;
            try (InferenceSession s = new FakeBackend().open(model, SessionOptions.of(Precision.FP16));
                 LabelSpill.Reader r = new LabelSpill.Reader(spill)) {
                o = pass.run(s, new AccuracyPass.Sinks(null, r, null, "fp16"), Progress.NONE);
            }
            // fp16 turns every class-3 pixel into class 4 and agrees elsewhere (ignore pixels excluded).
            ConfusionMatrix expected = new ConfusionMatrix(21);
            for (int k = 0; k < 5; k++) {
                byte[] t = FakeDatasets.sample(k).labels();
                byte[] p = t.clone();
                for (int i = 0; i < p.length; i++) {
                    p[i] = p[i] == 3 ? 4 : p[i];
                }
                expected.add(t, p);
            }
            assertNotNull(o.agreement());
            assertEquals(expected, o.agreement());
            assertEquals(expected, o.accuracy());
        } finally {
            Files.deleteIfExists(spill);
        }
    }
    @Test
    void samplesWithoutReferenceLabelsAreCountedNotDroppedUnseen() throws Exception {
        Path spill = Files.createTempFile("spill", ".labels");
        try (Dataset d = new FakeDatasets().open("5", DatasetOptions.defaults())) {
            var model = new FakeModels().load("tiny", WeightsSpec.seeded(1));
            // the reference labelled samples 0..2 only (it skipped 3 and 4)
            try (InferenceSession s = new FakeBackend().open(model, SessionOptions.of(Precision.FP32));
                 LabelSpill.Writer w = new LabelSpill.Writer(spill)) {
                new AccuracyPass(d, new int[] {0, 1, 2}, FakeModels.RAW, 21, BadSamplePolicy.FAIL, 1)
                        .run(s, new AccuracyPass.Sinks(w, null, null, "ref"), Progress.NONE);
            }
            AccuracyPass.Outcome o;
            try (InferenceSession s = new FakeBackend().open(model, SessionOptions.of(Precision.FP16));
                 LabelSpill.Reader r = new LabelSpill.Reader(spill)) {
                o = new AccuracyPass(d, IntStream.range(0, 5).toArray(), FakeModels.RAW, 21, BadSamplePolicy.FAIL, 1)
                        .run(s, new AccuracyPass.Sinks(null, r, null, "fp16"), Progress.NONE);
            }
            assertEquals(5, o.images());
            assertEquals(2, o.withoutReference(), "samples 3 and 4 had no reference labels");
            assertEquals(Integer.valueOf(2), o.agreement().toAgreement("ref", o.withoutReference()).samplesWithoutReference());
        } finally {
            Files.deleteIfExists(spill);
        }
    }
}
