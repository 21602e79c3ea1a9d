package dev.segbench.harness.diagnose;

import dev.segbench.api.Backend;
import dev.segbench.api.Dataset;
import dev.segbench.api.DatasetOptions;
import dev.segbench.api.DatasetProvider;
import dev.segbench.api.DatasetSpec;
import dev.segbench.api.HostTensor;
import dev.segbench.api.InferenceResult;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.Progress;
import dev.segbench.api.Sample;
import dev.segbench.api.SessionOptions;
import dev.segbench.api.WeightsSpec;
import dev.segbench.api.io.CalibrationFile;
import dev.segbench.api.io.Npy;
import dev.segbench.results.ResultsJson;
import dev.segbench.harness.exec.IsolatedTasks;
import dev.segbench.harness.metrics.Segmentation;
import dev.segbench.harness.plugins.Plugins;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One diagnose run in its child JVM: runs the model on each image with every requested tensor captured. The
 * reference run writes its tensors (one .npy per image and tensor); the others read them and keep only the pooled
 * error sums, so no more than one run's tensors are ever on disk.
 */
public final class DiagnoseTask implements IsolatedTasks.Task {

    @Override
    public Object perform(Plugins plugins, String payload, Progress progress, Consumer<String> log) throws Exception {
        DiagnoseJob job = ResultsJson.mapper().readValue(payload, DiagnoseJob.class);
        Backend backend = plugins.requireBackend(job.backend(), "");
        ModelSource model = plugins.loadModel(job.model(),
                job.weights() == null ? WeightsSpec.seeded(job.seed()) : WeightsSpec.checkpoint(job.weights()));
        DatasetSpec spec = DatasetSpec.parse(job.dataset());
        DatasetProvider provider = plugins.datasetProvider(spec.scheme()).orElseThrow(() -> new IllegalStateException(
                "dataset scheme " + spec.scheme() + " is in no plugin of this process"));
        SessionOptions options = new SessionOptions(Precision.parse(job.precision()), job.threads(), null, null, Map.of());
        if (job.calibration() != null) {
            options = options.withCalibration(CalibrationFile.parse(job.calibration(), "calibration table of " + job.key()).getFirst());
        }
        Set<String> capture = new LinkedHashSet<>(job.capture());
        DatasetOptions dataOptions = DatasetOptions.defaults().withLimit(job.limit()).withIds(job.ids());
        List<String> ids = new ArrayList<>();
        Set<String> captured = new LinkedHashSet<>();
        Map<String, TensorError.Sums> sums = new LinkedHashMap<>();
        Map<String, String> mismatched = new LinkedHashMap<>();
        try (Dataset data = spec.open(provider, dataOptions); InferenceSession session = backend.open(model, options)) {
            progress.start("diagnose " + job.model() + " " + job.key(), data.size(), "images");
            for (int i = 0; i < data.size(); i++) {
                Sample sample = data.load(i);
                ids.add(sample.id());
                Path imageDir = job.referenceDir().resolve(Integer.toString(i));
                try (Arena arena = Arena.ofConfined()) {
                    HostTensor input = session.newInput(arena, 1, sample.height(), sample.width());
                    Segmentation.preprocess(sample.rgb(), sample.width(), sample.height(), model.info().preprocessing(),
                            input.data(), 0);
                    try (InferenceResult result = session.run(input, capture)) {
                        Map<String, HostTensor> extras = result.extraOutputs();
                        for (int t = 0; t < job.capture().size(); t++) {
                            String name = job.capture().get(t);
                            HostTensor tensor = extras.get(name);
                            if (tensor == null) {
                                continue;
                            }
                            captured.add(name);
                            float[] values = tensor.data().toArray(HostTensor.FLOAT);
                            Path file = imageDir.resolve(t + ".npy");
                            if (job.reference()) {
                                Files.createDirectories(imageDir);
                                Files.write(file, Npy.encodeFloat32(tensor.shape(), values));
                            } else if (Files.isRegularFile(file)) {
                                Npy.Array ref = Npy.read(file);
                                if (!Arrays.equals(ref.shape(), tensor.shape())) {
                                    mismatched.putIfAbsent(name, "shape " + Arrays.toString(tensor.shape())
                                            + " vs the reference's " + Arrays.toString(ref.shape()));
                                } else {
                                    sums.put(name, sums.getOrDefault(name, TensorError.Sums.ZERO).plus(ref.floats(), values));
                                }
                            }
                        }
                    }
                }
                progress.advance(1);
            }
            progress.done();
        }
        return new DiagnoseJob.Captured(ids, List.copyOf(captured), sums, mismatched);
    }
}
