package dev.segbench.harness.calibration;

import dev.segbench.results.settings.CalibrationRequest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.api.Backend;
import dev.segbench.api.CalibrationTable;
import dev.segbench.api.Dataset;
import dev.segbench.api.DatasetOptions;
import dev.segbench.api.HostTensor;
import dev.segbench.api.InferenceResult;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.ModelInfo;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.Progress;
import dev.segbench.api.Sample;
import dev.segbench.api.SessionOptions;
import dev.segbench.api.WeightsSpec;
import dev.segbench.results.Run;
import dev.segbench.harness.Real;
import dev.segbench.harness.metrics.ConfusionMatrix;
import dev.segbench.harness.metrics.Segmentation;
import dev.segbench.harness.plugins.Plugins;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code --int8-fallback auto} on the fixture checkpoints (real cpu engine): calibrated and searched on synthetic
 * images (never the evaluated ones), the search stops at the smallest kept count that reaches the target on those
 * images; then, on the VOC sample, int8 with that set agrees with FP32 on at least 99.8% of the labels. Prints the
 * table kept layers vs VOC agreement, mIoU and batch-1 p50 ratio to FP32 (timed A/B interleaved; not asserted).
 * Named *Check so that the default test run leaves it out: three searches take 5-25 minutes on a 2-core machine, so
 * it is run on demand with {@code tools/check-int8-fallback} (CI keeps the quick fallback tests).
 */
class Int8FallbackAcceptanceCheck {

    /** Synthetic calibration images: few, so the search stays quick on a 2-core machine. */
    private static final int IMAGES = 16;
    private static final double TARGET = 0.998;

    @ParameterizedTest
    @ValueSource(strings = {"arch0", "arch1", "arch2"})
    void autoStopsAtTheTargetAndInt8ThenAgreesWithFp32OnTheSample(String id) throws Exception {
        Path shared = Real.shared();
        Path voc = shared.resolve("data/voc2012-sample/VOCdevkit");
        try (Plugins plugins = Real.plugins()) {
            Backend cpu = Real.cpu(plugins);
            ModelSource model = plugins.catalogFor(id).orElseThrow().load(id,
                    WeightsSpec.checkpoint(shared.resolve("data/nas-segm-reference/" + id + "-seed1.pth")));
            List<String> log = new ArrayList<>();
            CalibrationRequest request = CalibrationRequests.of("synthetic:" + IMAGES, null, "voc:" + voc,
                    DatasetOptions.defaults(), IMAGES, CalibrationRequest.DEFAULT_METHOD, null, null, 2);
            CalibrationTable table = new Calibrator(plugins::datasetProvider, cpu, Progress.NONE, log::add)
                    .calibrate(model, request);
            FallbackSearch.Outcome outcome = new FallbackSearch(plugins::datasetProvider, cpu, Progress.NONE, log::add)
                    .search(model, table, request, TARGET);
            log.forEach(System.out::println);
            Run.Fallback record = outcome.record();
            assertTrue(record.reached(), id + ": target reached on the calibration images " + record.steps());
            int kept = outcome.floatLayers().size();
            Run.Fallback.Step chosen = record.steps().stream().filter(s -> s.kept() == kept).findFirst().orElseThrow();
            assertTrue(chosen.agreement() >= TARGET, id + ": " + chosen);
            for (Run.Fallback.Step s : record.steps()) {
                if (s.kept() < kept) {
                    assertTrue(s.agreement() < TARGET, id + ": fewer layers (" + s + ") reached the target already,"
                            + " the search did not stop at it");
                }
            }
            java.util.Set<String> expected = new java.util.HashSet<>(record.slowerInInt8());
            outcome.ranking().stream().map(FallbackSearch.Ranked::layer).filter(n -> !record.slowerInInt8().contains(n))
                    .limit(kept - record.slowerInInt8().size()).forEach(expected::add);
            assertEquals(FallbackSearch.inGraphOrder(model.int8().orElseThrow().quantizableLayers(), expected),
                    outcome.floatLayers(), "the layers not faster in int8 and the worst-ranked others, in graph order");

            // the table: 0, 1, 2, 4, ... layers of the ranking and the chosen count, on the VOC sample
            TreeSet<Integer> counts = new TreeSet<>(List.of(0, kept));
            for (int k = 1; k < kept; k *= 2) {
                counts.add(k);
            }
            System.out.printf(Locale.ROOT, "%s: %d layers kept in float by auto (search %.1f s, %d int8 passes over %d"
                            + " synthetic images)%n", id, kept, record.seconds(), record.steps().size(), IMAGES);
            System.out.println("model  kept  calib agreement  VOC agreement  VOC mIoU (fp32)  p50 int8/fp32");
            double chosenAgreement = Double.NaN;
            for (int k : counts) {
                List<String> layers = FallbackSearch.inGraphOrder(model.int8().orElseThrow().quantizableLayers(),
                        new java.util.HashSet<>(outcome.ranking().subList(0, k).stream()
                                .map(FallbackSearch.Ranked::layer).toList()));
                double[] m = measure(plugins, cpu, dev.segbench.harness.calibration.FloatLayers.keepingInFloat(model, layers), table, voc);
                Double calib = record.steps().stream().filter(s -> s.kept() == k).map(Run.Fallback.Step::agreement)
                        .findFirst().orElse(null);
                System.out.printf(Locale.ROOT, "%s  %4d  %15s  %12.3f%%  %.4f (%.4f)  %.2f%n", id, k,
                        calib == null ? "-" : String.format(Locale.ROOT, "%.3f%%", 100 * calib), 100 * m[0], m[1], m[2],
                        m[3]);
                if (k == kept) {
                    chosenAgreement = m[0];
                }
            }
            assertTrue(chosenAgreement >= TARGET, id + ": int8 with auto agrees with FP32 on " + chosenAgreement
                    + " of the VOC sample's labels");
        }
    }

    /** {VOC agreement with FP32, int8 mIoU, FP32 mIoU, batch-1 p50 int8 / FP32 on the first image}. */
    private static double[] measure(Plugins plugins, Backend cpu, ModelSource model, CalibrationTable table, Path voc)
            throws Exception {
        ModelInfo info = model.info();
        ConfusionMatrix fp32Truth = new ConfusionMatrix(info.numClasses());
        ConfusionMatrix int8Truth = new ConfusionMatrix(info.numClasses());
        long same = 0;
        long total = 0;
        double ratio;
        try (Dataset data = plugins.datasetProvider("voc").orElseThrow().open(voc.toString(), DatasetOptions.defaults());
             InferenceSession f = cpu.open(model, new SessionOptions(Precision.FP32, 2, null, null, Map.of()));
             InferenceSession q = cpu.open(model, new SessionOptions(Precision.INT8, 2, null, null, Map.of())
                     .withCalibration(table))) {
            for (int i = 0; i < data.size(); i++) {
                Sample s = data.load(i);
                byte[] a = labels(f, s, info);
                byte[] b = labels(q, s, info);
                for (int p = 0; p < a.length; p++) {
                    same += a[p] == b[p] ? 1 : 0;
                }
                total += a.length;
                fp32Truth.add(s.labels(), a);
                int8Truth.add(s.labels(), b);
            }
            Sample s = data.load(0);
            int rounds = 12;
            double[] tf = new double[rounds];
            double[] tq = new double[rounds];
            labels(f, s, info); // warm
            labels(q, s, info);
            for (int r = 0; r < rounds; r++) { // A B A B: load drifts hit both alike
                long t0 = System.nanoTime();
                labels(f, s, info);
                long t1 = System.nanoTime();
                labels(q, s, info);
                long t2 = System.nanoTime();
                tf[r] = t1 - t0;
                tq[r] = t2 - t1;
            }
            Arrays.sort(tf);
            Arrays.sort(tq);
            ratio = tq[rounds / 2] / tf[rounds / 2];
        }
        return new double[] {same / (double) total, int8Truth.meanIou(), fp32Truth.meanIou(), ratio};
    }

    private static byte[] labels(InferenceSession session, Sample s, ModelInfo info) throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            HostTensor input = session.newInput(arena, 1, s.height(), s.width());
            Segmentation.preprocess(s.rgb(), s.width(), s.height(), info.preprocessing(), input.data(), 0);
            try (InferenceResult r = session.run(input)) {
                HostTensor logits = r.output();
                return Segmentation.labels(logits.data().toArray(HostTensor.FLOAT), info.numClasses(),
                        (int) logits.dim(2), (int) logits.dim(3), s.height(), s.width());
            }
        }
    }
}
