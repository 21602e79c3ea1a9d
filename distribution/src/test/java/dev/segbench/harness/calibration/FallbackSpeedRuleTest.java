package dev.segbench.harness.calibration;

import dev.segbench.results.settings.CalibrationRequest;
import dev.segbench.results.settings.Int8Fallback;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import dev.segbench.api.Availability;
import dev.segbench.api.Backend;
import dev.segbench.api.BackendException;
import dev.segbench.api.CalibrationMethod;
import dev.segbench.api.CalibrationTable;
import dev.segbench.api.DatasetOptions;
import dev.segbench.api.HostTensor;
import dev.segbench.api.InferenceResult;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.Progress;
import dev.segbench.api.SessionOptions;
import dev.segbench.api.WeightsSpec;
import dev.segbench.harness.Real;
import dev.segbench.harness.plugins.Plugins;
import dev.segbench.results.Run;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The speed rule of {@code --int8-fallback auto} through the real search on the cpu backend, with the per-node times
 * the backend's profiler would give replaced by stub times (real times are machine- and load-dependent): every
 * convolution is 2x faster in int8 except one made 5x slower, and exactly that one is kept in float.
 */
class FallbackSpeedRuleTest {

    private static final DatasetOptions SMALL = new DatasetOptions(0, List.of(), DatasetOptions.BadSamplePolicy.FAIL,
            Map.of("size", "48x40"));
    /** Low enough that the agreement search keeps nothing: what is kept is kept for speed. */
    private static final double TARGET = 0.5;

    private static Plugins plugins;
    private static Backend cpu;
    private static ModelSource arch0;

    @BeforeAll
    static void load() throws Exception {
        plugins = Real.plugins();
        cpu = Real.cpu(plugins);
        arch0 = plugins.catalogFor("arch0").orElseThrow().load("arch0", WeightsSpec.seeded(5));
    }

    @AfterAll
    static void close() {
        plugins.close();
    }

    @Test
    void aLayerSlowerInInt8IsKeptInFloatAndRecordedWithItsRatio() throws Exception {
        List<ModelSource.Layer> layers = arch0.int8().orElseThrow().quantizableLayers();
        String slow = layers.get(layers.size() / 2).name();
        List<String> log = new ArrayList<>();
        CalibrationRequest request = CalibrationRequests.of("synthetic:3", null, "synthetic", SMALL, 3,
                CalibrationMethod.MINMAX, null, null, 2);
        Backend stubbed = new StubTimes(cpu, slow, 100.0);
        CalibrationTable table = new Calibrator(plugins::datasetProvider, cpu, Progress.NONE, log::add)
                .calibrate(arch0, request);

        FallbackSearch.Outcome on = new FallbackSearch(plugins::datasetProvider, stubbed, Progress.NONE, log::add)
                .search(arch0, table, request, TARGET, true);
        assertEquals(List.of(slow), on.floatLayers(), String.join("\n", log));
        assertEquals(List.of(slow), on.record().slowerInInt8());
        assertEquals(layers.size(), on.record().int8TimeRatios().size(), "a ratio for every convolution");
        assertTrue(on.record().int8TimeRatios().get(slow) >= LayerSpeed.NOT_FASTER, on.record().int8TimeRatios()
                .toString());
        assertTrue(log.stream().anyMatch(l -> l.contains("not faster in int8") && l.contains(slow)), log.toString());

        FallbackSearch.Outcome off = new FallbackSearch(plugins::datasetProvider, stubbed, Progress.NONE, log::add)
                .search(arch0, table, request, TARGET, false);
        assertEquals(List.of(), off.floatLayers(), "without the speed rule the same search keeps nothing");
        assertEquals(Map.of(), off.record().int8TimeRatios());
    }

    @Test
    void slowerLayersAreNotKeptWhenKeepingThemSlowsTheWholeGraph() throws Exception {
        List<ModelSource.Layer> layers = arch0.int8().orElseThrow().quantizableLayers();
        String slow = layers.get(layers.size() / 2).name();
        List<String> log = new ArrayList<>();
        CalibrationRequest request = CalibrationRequests.of("synthetic:3", null, "synthetic", SMALL, 3,
                CalibrationMethod.MINMAX, null, null, 2);
        CalibrationTable table = new Calibrator(plugins::datasetProvider, cpu, Progress.NONE, log::add)
                .calibrate(arch0, request);
        // in float between int8 neighbours the layer costs 2000 us (its conversions): more than the 450 us it saves
        FallbackSearch.Outcome outcome = new FallbackSearch(plugins::datasetProvider, new StubTimes(cpu, slow, 2000.0),
                Progress.NONE, log::add).search(arch0, table, request, TARGET, true);
        assertEquals(List.of(), outcome.floatLayers(), String.join("\n", log));
        assertEquals(List.of(), outcome.record().slowerInInt8());
        assertTrue(outcome.record().int8TimeRatios().get(slow) >= LayerSpeed.NOT_FASTER);
        assertTrue(log.stream().anyMatch(l -> l.contains("keeping them would slow the graph")), log.toString());
    }

    @Test
    void autoAgreementTurnsTheSpeedRuleOff() {
        assertTrue(Int8Fallback.parse("auto", "99.8").speedRule());
        Int8Fallback off = Int8Fallback.parse("auto-agreement", "99.8");
        assertEquals(Int8Fallback.Mode.AUTO, off.mode());
        assertTrue(!off.speedRule());
        assertEquals("auto-agreement", off.describe());
    }

    /**
     * The cpu backend whose sessions report stub per-node times: FP32 100 us per node; int8 graphs 50 us per quantized
     * Conv, 500 us for {@code slowLayer} quantized and {@code keptCost} for it kept in float.
     */
    private record StubTimes(Backend real, String slowLayer, double keptCost) implements Backend {
        @Override
        public String id() {
            return real.id();
        }

        @Override
        public String description() {
            return real.description();
        }

        @Override
        public Availability availability() {
            return real.availability();
        }

        @Override
        public Set<Precision> precisions() {
            return real.precisions();
        }

        @Override
        public InferenceSession open(ModelSource model, SessionOptions options) throws BackendException {
            InferenceSession s = real.open(model, options);
            return new InferenceSession() {
                @Override
                public ModelArtifact artifact() {
                    return s.artifact();
                }

                @Override
                public HostTensor newInput(Arena arena, int batch, int height, int width) {
                    return s.newInput(arena, batch, height, width);
                }

                @Override
                public InferenceResult run(HostTensor input) throws BackendException {
                    return s.run(input);
                }

                @Override
                public InferenceResult run(HostTensor input, Set<String> capture) throws BackendException {
                    return s.run(input, capture);
                }

                @Override
                public Optional<Map<String, Double>> profileNodes(HostTensor input, int runs) {
                    try {
                        List<NodeProto> nodes = ModelProto.parseFrom(s.artifact().onnx()).getGraph().getNodeList();
                        boolean quantized = nodes.stream().anyMatch(n -> n.getOpType().equals("QuantizeLinear"));
                        Set<String> dequantized = new java.util.HashSet<>();
                        nodes.stream().filter(n -> n.getOpType().equals("DequantizeLinear"))
                                .forEach(n -> dequantized.add(n.getOutput(0)));
                        Map<String, Double> times = new LinkedHashMap<>();
                        for (NodeProto n : nodes) {
                            if (!quantized) {
                                times.put(n.getName(), 100.0);
                            } else if (n.getOpType().equals("Conv")) {
                                boolean int8 = dequantized.contains(n.getInput(1)); // quantized weights come through a DequantizeLinear
                                times.put(n.getName(), !n.getName().equals(slowLayer) ? 50.0 : int8 ? 500.0 : keptCost);
                            }
                        }
                        return Optional.of(times);
                    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                        throw new AssertionError(e);
                    }
                }

                @Override
                public void close() {
                    s.close();
                }
            };
        }
    }
}
