package dev.segbench.harness.calibration;

import dev.segbench.results.settings.CalibrationRequest;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
import dev.segbench.harness.Real;
import dev.segbench.harness.metrics.Segmentation;
import dev.segbench.harness.plugins.Plugins;
import dev.segbench.results.Run;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the speed rule of {@code --int8-fallback auto} does on this machine, alone (the agreement search's target set
 * so low that it keeps nothing more): how many convolutions of each fixture checkpoint it keeps in float, and batch-1
 * p50 of FP32, int8 with none kept and int8 with those kept, timed interleaved (A B C A B C) on the first VOC sample
 * image (the whole-graph guard may keep none). Prints, asserts only that the search kept exactly the layers it measured as not faster. Named *Check: run on
 * demand ({@code mvn ... -pl distribution -am verify -Dtest=Int8SpeedRuleCheck}).
 */
class Int8SpeedRuleCheck {

    private static final int IMAGES = 16;

    @ParameterizedTest
    @ValueSource(strings = {"arch0", "arch1", "arch2"})
    void speedRuleAlone(String id) throws Exception {
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
                    .search(model, table, request, 1e-9, true);
            log.forEach(System.out::println);
            Run.Fallback record = outcome.record();
            assertEquals(record.slowerInInt8(), outcome.floatLayers());
            double[] r = record.int8TimeRatios().values().stream().mapToDouble(Double::doubleValue).sorted().toArray();
            ModelSource kept = dev.segbench.harness.calibration.FloatLayers.keepingInFloat(model, outcome.floatLayers());
            ModelInfo info = model.info();
            int rounds = 15;
            double[][] t = new double[3][rounds];
            try (Dataset data = plugins.datasetProvider("voc").orElseThrow().open(voc.toString(), DatasetOptions.defaults());
                 InferenceSession f = cpu.open(model, new SessionOptions(Precision.FP32, 2, null, null, Map.of()));
                 InferenceSession none = cpu.open(model, new SessionOptions(Precision.INT8, 2, null, null, Map.of())
                         .withCalibration(table));
                 InferenceSession auto = cpu.open(kept, new SessionOptions(Precision.INT8, 2, null, null, Map.of())
                         .withCalibration(table))) {
                Sample s = data.load(0);
                InferenceSession[] order = {f, none, auto};
                for (InferenceSession x : order) {
                    run(x, s, info); // warm
                }
                for (int round = 0; round < rounds; round++) {
                    for (int k = 0; k < 3; k++) {
                        long t0 = System.nanoTime();
                        run(order[k], s, info);
                        t[k][round] = (System.nanoTime() - t0) / 1e6;
                    }
                }
            }
            for (double[] x : t) {
                Arrays.sort(x);
            }
            double fp32 = t[0][rounds / 2];
            System.out.printf(Locale.ROOT, "SPEEDRULE %s: %d of %d convolutions not faster in int8, %d kept (ratios min %.2f,"
                            + " median %.2f, max %.2f); p50 ms fp32 %.1f, int8 none %.1f (%.2fx), int8 speed-kept %.1f"
                            + " (%.2fx); search %.1f s%n", id, LayerSpeed.notFaster(record.int8TimeRatios()).size(), r.length,
                    outcome.floatLayers().size(), r[0],
                    r[r.length / 2], r[r.length - 1], fp32, t[1][rounds / 2], t[1][rounds / 2] / fp32, t[2][rounds / 2],
                    t[2][rounds / 2] / fp32, record.seconds());
            System.out.println("SPEEDRULE " + id + " kept: " + outcome.floatLayers().stream().map(n -> String.format(
                    Locale.ROOT, "%s %.2f", n, record.int8TimeRatios().get(n))).toList());
        }
    }

    private static void run(InferenceSession session, Sample s, ModelInfo info) throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            HostTensor input = session.newInput(arena, 1, s.height(), s.width());
            Segmentation.preprocess(s.rgb(), s.width(), s.height(), info.preprocessing(), input.data(), 0);
            try (InferenceResult r = session.run(input)) {
                r.output();
            }
        }
    }
}
