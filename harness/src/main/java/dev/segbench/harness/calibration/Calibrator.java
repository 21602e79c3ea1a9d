package dev.segbench.harness.calibration;

import dev.segbench.results.settings.CalibrationRequest;

import dev.segbench.api.DatasetSpec;
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
import dev.segbench.api.ModelException;
import dev.segbench.api.ModelInfo;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.Progress;
import dev.segbench.api.Sample;
import dev.segbench.api.SessionOptions;
import dev.segbench.results.UserException;
import dev.segbench.harness.metrics.Segmentation;
import dev.segbench.models.calibration.CalibrationStatistics;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Computes a model's {@link CalibrationTable}, or takes it from the calibration cache. A calibration runs the model's
 * FP32 calibration graph on the CPU backend (the tensors to calibrate are its extra outputs) over up to N images of the
 * calibration dataset, spread evenly over it, and feeds every output to pure-Java statistics.
 *
 * <p>How the runner uses it: once per model, before its INT8 runs,
 * {@code table = calibrator.calibrate(source, request)}, then each INT8 session is opened with
 * {@code options.withCalibration(table)}. Errors the user can fix (an empty or unreadable calibration set, a model
 * without int8 graphs) are {@link UserException}s with one line.
 */
public final class Calibrator {

    private final Function<String, Optional<DatasetProvider>> datasets;
    private final Backend cpu;
    private final Progress progress;
    private final Consumer<String> log;

    /**
     * @param datasets dataset providers by scheme (the plugins')
     * @param cpu      the backend that runs the FP32 calibration graph (the "cpu" backend; it must return
     *                 {@link InferenceResult#extraOutputs()})
     */
    public Calibrator(Function<String, Optional<DatasetProvider>> datasets, Backend cpu, Progress progress,
                      Consumer<String> log) {
        this.datasets = datasets;
        this.cpu = cpu;
        this.progress = progress;
        this.log = log;
    }

    /** The table for {@code model}: cached when a table with the same key exists, else calibrated now and cached. */
    public CalibrationTable calibrate(ModelSource model, CalibrationRequest request)
            throws ModelException, BackendException, InterruptedException {
        String id = model.info().id();
        ModelSource.Int8Graphs int8 = model.int8().orElseThrow(() -> new UserException("model " + id
                + " has no int8 graph, so it cannot be calibrated"));
        Dataset data;
        try {
            DatasetSpec spec = request.spec();
            DatasetProvider provider = datasets.apply(spec.scheme()).orElseThrow(() -> new UserException(
                    "--calibration " + request.dataset() + ": unknown dataset scheme '" + spec.scheme() + "'"));
            data = spec.open(provider, request.datasetOptions());
        } catch (DatasetException e) {
            throw new UserException("--calibration " + request.dataset() + ": " + e.getMessage(), e);
        }
        try (data) {
            if (data.size() == 0) {
                throw new UserException("--calibration " + request.dataset() + ": the calibration set " + data.name()
                        + " is empty");
            }
            int[] indices = spread(data.size(), request.images());
            if (indices.length < request.images()) {
                log.accept("calibration: " + data.name() + " has " + data.size() + " images, fewer than the "
                        + request.images() + " asked for: using all of them");
            }
            List<String> ids = new ArrayList<>();
            for (int i : indices) {
                ids.add(data.sampleId(i));
            }
            CalibrationTable.Key key = new CalibrationTable.Key(id, model.weights().sha256(), data.name(), ids,
                    request.method(), int8.graphVersion());
            CalibrationCache cache = new CalibrationCache(request.cacheDir(), request.cacheFile(), log);
            Optional<CalibrationCache.Hit> hit = cache.find(key);
            if (hit.isPresent()) {
                log.accept("calibration cache hit: " + hit.get().file() + ", no calibration pass (" + id + ", "
                        + request.method().id() + ", " + ids.size() + " images of " + data.name() + ")");
                if (request.cacheFile() != null && !hit.get().file().equals(request.cacheFile())) {
                    cache.store(hit.get().table()); // export to the user's file too
                }
                return hit.get().table();
            }
            log.accept("calibrating " + id + " on " + ids.size() + " images of " + data.name() + " (" + request.method().id()
                    + ")");
            CalibrationTable table = measure(model, int8.calibrationGraph(), data, indices, key, request.threads(),
                    request.dataset());
            cache.store(table);
            return table;
        }
    }

    /** {@code wanted} indices of {@code size}, evenly spread and in order (all of them when there are fewer). */
    static int[] spread(int size, int wanted) {
        int n = Math.min(size, wanted);
        int[] indices = new int[n];
        for (int k = 0; k < n; k++) {
            indices[k] = (int) ((long) k * size / n);
        }
        return indices;
    }

    private CalibrationTable measure(ModelSource model, ModelSource.CalibrationGraph graph, Dataset data, int[] indices,
                                     CalibrationTable.Key key, int threads, String spec)
            throws BackendException, InterruptedException {
        CalibrationStatistics statistics = new CalibrationStatistics(graph.tensors());
        ModelInfo info = model.info();
        // no shape profile: calibration images come in every size, so a fixed-shape session would not help
        SessionOptions options = new SessionOptions(Precision.FP32, threads, null, null, Map.of());
        progress.start("calibrating " + info.id(), indices.length, "img");
        try (InferenceSession session = cpu.open(model.withArtifacts((precision, labelsOut) -> {
            // the calibration graph in place of the FP32 logits graph, for the backend to open as usual
            if (precision != Precision.FP32 || labelsOut) {
                throw new ModelException("the calibration graph of " + model.info().id() + " is FP32 logits only");
            }
            return graph.artifact();
        }), options)) {
            for (int index : indices) {
                if (Thread.interrupted()) {
                    throw new InterruptedException("calibration of " + info.id() + " interrupted");
                }
                Sample sample;
                try {
                    sample = data.load(index);
                } catch (BadSampleException e) {
                    throw new UserException("--calibration " + spec + ": unreadable calibration image: "
                            + e.getMessage(), e);
                }
                try (Arena arena = Arena.ofConfined()) {
                    HostTensor input = session.newInput(arena, 1, sample.height(), sample.width());
                    Segmentation.preprocess(sample.rgb(), sample.width(), sample.height(), info.preprocessing(),
                            input.data(), 0);
                    try (InferenceResult result = session.run(input)) {
                        Map<String, HostTensor> outputs = result.extraOutputs();
                        for (String t : graph.tensors()) {
                            if (!outputs.containsKey(t)) {
                                throw new BackendException(BackendException.Code.RUNTIME_ERROR, "backend " + cpu.id()
                                        + " returned no output " + t + " from the calibration graph of " + info.id());
                            }
                        }
                        graph.tensors().parallelStream().forEach(t -> statistics.add(t, outputs.get(t)));
                    }
                }
                progress.advance(1);
            }
        } finally {
            progress.done();
        }
        return statistics.table(key);
    }
}
