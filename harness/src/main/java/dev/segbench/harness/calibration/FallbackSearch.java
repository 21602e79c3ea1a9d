package dev.segbench.harness.calibration;

import dev.segbench.results.settings.CalibrationRequest;
import dev.segbench.results.settings.Int8Fallback;

import dev.segbench.api.Backend;
import dev.segbench.api.BackendException;
import dev.segbench.api.BadSampleException;
import dev.segbench.api.CalibrationTable;
import dev.segbench.api.Dataset;
import dev.segbench.api.DatasetException;
import dev.segbench.api.DatasetProvider;
import dev.segbench.api.HostTensor;
import dev.segbench.api.InferenceResult;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.Int8Activations;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelException;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.Progress;
import dev.segbench.api.Sample;
import dev.segbench.api.SessionOptions;
import dev.segbench.results.Run;
import dev.segbench.results.UserException;
import dev.segbench.harness.diagnose.TensorError;
import dev.segbench.harness.metrics.Segmentation;

import ai.onnx.proto.OnnxMl.ModelProto;
import com.google.protobuf.InvalidProtocolBufferException;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * {@code --int8-fallback auto}: which convolutions to keep in float so that int8 labels agree with FP32 labels on at
 * least a target share of the calibration images' pixels (never the evaluated images).
 *
 * <p>One ranking pass runs the FP32 graph and the fully quantized graph side by side with every layer's input and
 * result captured ({@link InferenceSession#run(HostTensor, Set)}) and ranks layers by the error they create
 * ({@link TensorError#amplification}, averaged over the images). Then {@link CountSearch} finds the smallest count of the worst layers to keep in float that meets the
 * target. Each try is one int8 pass over the calibration images; the calibration table is the one already made (a
 * float-kept layer changes no range).
 */
public final class FallbackSearch {

    /** The activation flavour the search measures: what the cpu backend runs (TensorRT's int8 flavour differs). */
    static final Int8Activations ACTIVATIONS = Int8Activations.ASYMMETRIC_UINT8;

    /**
     * What the search found.
     *
     * @param floatLayers the layers to keep in float, in graph order
     * @param record      how they were found, for results.json
     * @param ranking     every layer by the error it creates, worst first
     */
    public record Outcome(List<String> floatLayers, Run.Fallback record, List<Ranked> ranking) {
    }

    /** A layer, the relative L2 error of its result against FP32 and its amplification, averaged over the images. */
    public record Ranked(String layer, double relativeL2, double amplification) {
    }

    private final Function<String, Optional<DatasetProvider>> datasets;
    private final Backend cpu;
    private final Progress progress;
    private final Consumer<String> log;

    public FallbackSearch(Function<String, Optional<DatasetProvider>> datasets, Backend cpu, Progress progress,
                          Consumer<String> log) {
        this.datasets = datasets;
        this.cpu = cpu;
        this.progress = progress;
        this.log = log;
    }

    /**
     * What {@code request}'s {@code --int8-fallback} keeps in float for {@code model}: null for none, the listed
     * layers (checked against the model), or the outcome of {@link #search}.
     */
    public dev.segbench.harness.calibration.FloatLayers.Choice choose(ModelSource model, CalibrationTable table, CalibrationRequest request)
            throws ModelException, BackendException, InterruptedException {
        Int8Fallback fallback = request.fallback();
        return switch (fallback.mode()) {
            case NONE -> null;
            case LIST -> new dev.segbench.harness.calibration.FloatLayers.Choice(FloatLayers.listed(fallback, model),
                    new Run.Fallback("list", null, null, null, null, null));
            case AUTO -> {
                Outcome o = search(model, table, request, fallback.target(), fallback.speedRule());
                yield new dev.segbench.harness.calibration.FloatLayers.Choice(o.floatLayers(), o.record());
            }
        };
    }

    /** {@link #search(ModelSource, CalibrationTable, CalibrationRequest, double, boolean)} with the speed rule. */
    public Outcome search(ModelSource model, CalibrationTable table, CalibrationRequest request, double target)
            throws ModelException, BackendException, InterruptedException {
        return search(model, table, request, target, true);
    }

    /**
     * Searches on the images {@code table} was calibrated on.
     *
     * @param target    label agreement with FP32 to reach (0..1)
     * @param speedRule first keep in float the layers whose int8 form is not faster here ({@link LayerSpeed})
     */
    public Outcome search(ModelSource model, CalibrationTable table, CalibrationRequest request, double target,
                          boolean speedRule) throws ModelException, BackendException, InterruptedException {
        long t0 = System.nanoTime();
        String id = model.info().id();
        ModelSource.Int8Graphs int8 = model.int8().orElseThrow(() -> new UserException("model " + id
                + " has no int8 graph"));
        List<ModelSource.Layer> layers = int8.quantizableLayers();
        if (layers.isEmpty()) {
            throw new UserException("--int8-fallback auto: model " + id + " cannot keep layers in float");
        }
        Dataset data;
        try {
            DatasetProvider provider = datasets.apply(request.spec().scheme()).orElseThrow(() -> new UserException(
                    "--calibration " + request.dataset() + ": unknown dataset scheme '" + request.spec().scheme() + "'"));
            data = request.spec().open(provider, request.datasetOptions());
        } catch (DatasetException e) {
            throw new UserException("--calibration " + request.dataset() + ": " + e.getMessage(), e);
        }
        try (data) {
            int[] indices = Calibrator.spread(data.size(), request.images());
            List<String> ids = new ArrayList<>();
            for (int i : indices) {
                ids.add(data.sampleId(i));
            }
            if (!ids.equals(table.key().imageIds())) {
                throw new IllegalStateException("the calibration set of " + id + " changed since it was calibrated");
            }
            Scorer scorer = new Scorer(model, data, indices, request.threads(), request.dataset());
            Map<String, Double> ratios = new LinkedHashMap<>();
            List<String> slow = speedRule ? scorer.slowerInInt8(int8, table, layers, ratios) : List.of();
            Set<String> slowSet = Set.copyOf(slow);
            List<Ranked> ranking = scorer.rank(int8, table, layers);
            List<Ranked> candidates = ranking.stream().filter(r -> !slowSet.contains(r.layer())).toList();
            CountSearch.Result<Ranked> found = CountSearch.smallest(candidates, target, k -> {
                double a = k == 0 && slow.isEmpty() ? scorer.lastAgreement
                        : scorer.agreement(int8, table, with(slow, candidates.subList(0, k)));
                if (k == 0) {
                    log.accept(String.format(Locale.ROOT, "int8 fallback %s: %s agrees on %.3f%% of the %d calibration"
                            + " images' labels (target %.3f%%)", id, slow.isEmpty() ? "fully quantized"
                            : "int8 with the " + slow.size() + " slower layer(s) in float", 100 * a, indices.length,
                            100 * target));
                } else {
                    log.accept(String.format(Locale.ROOT, "int8 fallback %s: %d layer(s) in float: %.3f%%", id, k,
                            100 * a));
                }
                return a;
            });
            List<Run.Fallback.Step> steps = found.tries().stream()
                    .map(t -> new Run.Fallback.Step(slow.size() + t.count(), t.agreement())).toList();
            boolean reached = found.reached();
            List<String> floatLayers = inGraphOrder(layers, with(slow, found.kept()));
            double seconds = (System.nanoTime() - t0) / 1e9;
            log.accept(String.format(Locale.ROOT, "int8 fallback %s: %d layer(s) kept in float%s, %d int8 passes over"
                            + " %d calibration images, %.1f s", id, floatLayers.size(),
                    reached ? "" : " (all of them, target not reached: " + String.format(Locale.ROOT, "%.3f%%",
                            100 * found.agreement()) + ")", steps.size(), indices.length, seconds));
            return new Outcome(floatLayers, new Run.Fallback("auto", target, steps, seconds, reached, slow, ratios),
                    ranking);
        }
    }

    private static Set<String> with(List<String> slow, List<Ranked> worst) {
        Set<String> names = new LinkedHashSet<>(slow);
        worst.forEach(r -> names.add(r.layer()));
        return names;
    }

    static List<String> inGraphOrder(List<ModelSource.Layer> layers, Set<String> names) {
        return layers.stream().map(ModelSource.Layer::name).filter(names::contains).toList();
    }

    /** Runs graphs on the calibration images and compares them with FP32 (whose labels it keeps after the first pass). */
    private final class Scorer {
        private final ModelSource model;
        private final Dataset data;
        private final int[] indices;
        private final int threads;
        private final String spec;
        private final List<byte[]> fp32Labels = new ArrayList<>();
        private double lastAgreement;

        Scorer(ModelSource model, Dataset data, int[] indices, int threads, String spec) {
            this.model = model;
            this.data = data;
            this.indices = indices;
            this.threads = threads;
            this.spec = spec;
        }

        /** The ranking pass: FP32 and fully quantized int8 with every layer's tensors captured. */
        List<Ranked> rank(ModelSource.Int8Graphs int8, CalibrationTable table, List<ModelSource.Layer> layers)
                throws ModelException, BackendException, InterruptedException {
            Set<String> captured = new LinkedHashSet<>();
            for (ModelSource.Layer l : layers) {
                captured.add(l.input());
                captured.add(l.output());
            }
            captured.remove(ModelArtifact.INPUT_NAME); // exact in both graphs
            ModelArtifact fp32 = model.artifact(Precision.FP32, true);
            ModelArtifact q = int8.artifact(table, ACTIVATIONS, true, Set.of());
            double[] outputError = new double[layers.size()];
            double[] inputError = new double[layers.size()];
            long same = 0;
            long total = 0;
            progress.start("ranking " + model.info().id() + "'s layers", indices.length, "img");
            try (InferenceSession f = open(fp32); InferenceSession s = open(q)) {
                for (int index : indices) {
                    Sample sample = load(index);
                    try (Arena arena = Arena.ofConfined()) {
                        HostTensor input = input(f, arena, sample);
                        try (InferenceResult fr = f.run(input, captured); InferenceResult sr = s.run(input, captured)) {
                            byte[] a = labels(fr);
                            byte[] b = labels(sr);
                            fp32Labels.add(a);
                            same += equal(a, b);
                            total += a.length;
                            Map<String, HostTensor> fe = fr.extraOutputs();
                            Map<String, HostTensor> se = sr.extraOutputs();
                            for (int i = 0; i < layers.size(); i++) {
                                ModelSource.Layer l = layers.get(i);
                                outputError[i] += error(fe, se, l.output());
                                inputError[i] += l.input().equals(ModelArtifact.INPUT_NAME) ? 0 : error(fe, se, l.input());
                            }
                        }
                    }
                    progress.advance(1);
                }
            } finally {
                progress.done();
            }
            lastAgreement = same / (double) total;
            List<Ranked> ranking = new ArrayList<>();
            for (int i = 0; i < layers.size(); i++) {
                double out = outputError[i] / indices.length;
                double in = inputError[i] / indices.length;
                ranking.add(new Ranked(layers.get(i).name(), out, new TensorError(out, 0, 1).amplification(in)));
            }
            ranking.sort(Comparator.comparingDouble(Ranked::amplification).reversed());
            return List.copyOf(ranking);
        }

        /**
         * The layers whose int8 form is not faster here ({@link LayerSpeed}), profiled by the cpu backend on the first
         * calibration image, with every measured ratio put into {@code ratios}. Keeping them in float adds
         * Quantize/Dequantize pairs where float and int8 regions meet, which a per-layer profile of the fully quantized
         * graph cannot see, so the graph with them kept is profiled too and the set is dropped (none kept for speed)
         * unless that graph's total node time is below the fully quantized one's. Empty, with a log line, where the
         * backend cannot profile.
         */
        List<String> slowerInInt8(ModelSource.Int8Graphs int8, CalibrationTable table, List<ModelSource.Layer> layers,
                                  Map<String, Double> ratios)
                throws ModelException, BackendException, InterruptedException {
            String id = model.info().id();
            ModelArtifact fp32 = model.artifact(Precision.FP32, true);
            ModelArtifact q = int8.artifact(table, ACTIVATIONS, true, Set.of());
            Sample sample = load(indices[0]);
            Optional<Map<String, Double>> f;
            Optional<Map<String, Double>> i;
            progress.start("profiling " + id + "'s layers in float and int8", 2, "graph");
            try (Arena arena = Arena.ofConfined(); InferenceSession fs = open(fp32); InferenceSession qs = open(q)) {
                f = fs.profileNodes(input(fs, arena, sample), LayerSpeed.RUNS);
                progress.advance(1);
                i = qs.profileNodes(input(qs, arena, sample), LayerSpeed.RUNS);
                progress.advance(1);
            } finally {
                progress.done();
            }
            if (f.isEmpty() || i.isEmpty()) {
                log.accept("int8 fallback " + id + ": the " + cpu.id() + " backend cannot time single layers, so no"
                        + " layer is kept in float for speed");
                return List.of();
            }
            try {
                ratios.putAll(LayerSpeed.ratios(layers, ModelProto.parseFrom(fp32.onnx()).getGraph(),
                        ModelProto.parseFrom(q.onnx()).getGraph(), f.get(), i.get()));
            } catch (InvalidProtocolBufferException e) {
                throw new ModelException(id + ": unreadable ONNX graph: " + e.getMessage(), e);
            }
            List<String> slow = LayerSpeed.notFaster(ratios);
            log.accept(String.format(Locale.ROOT, "int8 fallback %s: %d of %d layer(s) not faster in int8 here"
                    + " (int8/float time >= %.2f): %s", id, slow.size(), ratios.size(), LayerSpeed.NOT_FASTER,
                    slow.stream().map(n -> String.format(Locale.ROOT, "%s %.2f", n, ratios.get(n))).toList()));
            if (slow.isEmpty()) {
                return slow;
            }
            ModelArtifact mixed = int8.artifact(table, ACTIVATIONS, true, Set.copyOf(slow));
            Optional<Map<String, Double>> m;
            try (Arena arena = Arena.ofConfined(); InferenceSession ms = open(mixed)) {
                m = ms.profileNodes(input(ms, arena, sample), LayerSpeed.RUNS);
            }
            double none = total(i.get());
            double kept = m.map(FallbackSearch::total).orElse(Double.POSITIVE_INFINITY);
            boolean pays = kept < none;
            log.accept(String.format(Locale.ROOT, "int8 fallback %s: with them in float the int8 graph's nodes take"
                    + " %.1f ms against %.1f ms fully quantized: %s", id, kept / 1000, none / 1000, pays
                    ? "kept in float" : "keeping them would slow the graph, so none is kept for speed"));
            return pays ? slow : List.of();
        }

        /** Label agreement with FP32 of the int8 graph with {@code floatLayers} kept in float. */
        double agreement(ModelSource.Int8Graphs int8, CalibrationTable table, Set<String> floatLayers)
                throws ModelException, BackendException, InterruptedException {
            ModelArtifact q = int8.artifact(table, ACTIVATIONS, true, floatLayers);
            long same = 0;
            long total = 0;
            progress.start("int8 with " + floatLayers.size() + " layer(s) in float", indices.length, "img");
            try (InferenceSession s = open(q)) {
                for (int i = 0; i < indices.length; i++) {
                    Sample sample = load(indices[i]);
                    try (Arena arena = Arena.ofConfined()) {
                        try (InferenceResult r = s.run(input(s, arena, sample))) {
                            byte[] b = labels(r);
                            same += equal(fp32Labels.get(i), b);
                            total += b.length;
                        }
                    }
                    progress.advance(1);
                }
            } finally {
                progress.done();
            }
            return same / (double) total;
        }

        private InferenceSession open(ModelArtifact graph) throws BackendException {
            SessionOptions options = new SessionOptions(Precision.FP32, threads, null, null, Map.of()).withLabelsOut(true);
            return cpu.open(model.withArtifacts((precision, labelsOut) -> graph), options); // one fixed graph, FP32 or int8, as FP32
        }

        private Sample load(int index) throws InterruptedException {
            if (Thread.interrupted()) {
                throw new InterruptedException("int8 fallback search of " + model.info().id() + " interrupted");
            }
            try {
                return data.load(index);
            } catch (BadSampleException e) {
                throw new UserException("--calibration " + spec + ": unreadable calibration image: " + e.getMessage(), e);
            }
        }

        private HostTensor input(InferenceSession session, Arena arena, Sample sample) {
            HostTensor input = session.newInput(arena, 1, sample.height(), sample.width());
            Segmentation.preprocess(sample.rgb(), sample.width(), sample.height(), model.info().preprocessing(),
                    input.data(), 0);
            return input;
        }
    }

    private static double total(Map<String, Double> times) {
        return times.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    private static byte[] labels(InferenceResult r) {
        return r.output().data().toArray(ValueLayout.JAVA_BYTE);
    }

    private static long equal(byte[] a, byte[] b) {
        long n = 0;
        for (int p = 0; p < a.length; p++) {
            n += a[p] == b[p] ? 1 : 0;
        }
        return n;
    }

    private static double error(Map<String, HostTensor> reference, Map<String, HostTensor> candidate, String tensor)
            throws BackendException {
        HostTensor r = reference.get(tensor);
        HostTensor c = candidate.get(tensor);
        if (r == null || c == null) {
            throw new BackendException(BackendException.Code.RUNTIME_ERROR, "the cpu backend returned no tensor "
                    + tensor + " for the int8 fallback search");
        }
        return TensorError.between(r.data().toArray(HostTensor.FLOAT), c.data().toArray(HostTensor.FLOAT)).relativeL2();
    }

    /** Unused names of {@code names} among {@code layers}, for error messages. */
    static List<String> unknown(List<ModelSource.Layer> layers, List<String> names) {
        Set<String> known = new HashSet<>();
        layers.forEach(l -> known.add(l.name()));
        return names.stream().filter(n -> !known.contains(n)).toList();
    }
}
