package dev.segbench.harness.run;

import dev.segbench.api.Availability;
import dev.segbench.api.Backend;
import dev.segbench.api.BadSampleException;
import dev.segbench.api.Capability;
import dev.segbench.api.Dataset;
import dev.segbench.api.DatasetException;
import dev.segbench.api.DatasetProvider;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.ModelCatalog;
import dev.segbench.api.ModelException;
import dev.segbench.api.ModelInfo;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.Progress;
import dev.segbench.api.SessionOptions;
import dev.segbench.api.SkippedSample;
import dev.segbench.api.WeightsSpec;
import dev.segbench.api.results.Results;
import dev.segbench.api.results.Run;
import dev.segbench.harness.UserException;
import dev.segbench.harness.metrics.Latencies;
import dev.segbench.harness.plugins.Plugins;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Runs {@code compare}: every (model, backend, precision) through an accuracy pass and a
 * performance pass, the reference run of each model first so the others can be compared with it,
 * then writes the results folder. One run failing never stops the others.
 */
public final class Runner {

    /** What a compare produced. */
    public record Outcome(Results results, Path out, Path report, List<String> written) {
    }

    private final Plugins plugins;
    private final RunSettings settings;
    private final Progress progress;
    private final Consumer<String> log;

    private record Planned(Backend backend, Precision precision, boolean reference, boolean referenceOnly) {
        String key(String model) {
            return model + "/" + backend.id() + "/" + precision.id();
        }
    }

    public Runner(Plugins plugins, RunSettings settings, Progress progress, Consumer<String> log) {
        this.plugins = plugins;
        this.settings = settings;
        this.progress = progress;
        this.log = log;
    }

    public Outcome run() throws ModelException, DatasetException, BadSampleException, IOException, InterruptedException {
        List<Backend> backends = resolveBackends();
        Map<String, ModelCatalog> catalogs = resolveModels();
        DatasetProvider provider = resolveDataset();
        Backend referenceBackend = resolveReference();
        Set<String> warnings = new LinkedHashSet<>(plugins.warnings());

        Map<String, ModelSource> sources = new LinkedHashMap<>();
        for (String model : settings.models()) {
            Path ckpt = settings.weights().get(model);
            WeightsSpec spec = ckpt == null ? WeightsSpec.seeded(settings.seed()) : WeightsSpec.checkpoint(ckpt);
            ModelSource source = catalogs.get(model).load(model, spec);
            sources.put(model, source);
            if (!source.weights().trained()) {
                warnings.add(model + ": untrained seeded weights (" + source.weights().sha256()
                        + "): accuracy numbers are meaningless; pass --weights " + model + "=FILE");
            }
        }

        String[] dataset = splitDataset(settings.dataset());
        Files.createDirectories(settings.out());
        Path spillDir = Files.createTempDirectory("segbench-labels");
        spillDir.toFile().deleteOnExit(); // registered first so it is deleted last, after its files, on Ctrl-C
        List<Run> runs = new ArrayList<>();
        Map<String, String> endToEnd = new LinkedHashMap<>();
        Gallery gallery = new Gallery(settings.out(), settings.galleryCount());
        try (Dataset data = provider.open(dataset[1], settings.datasetOptions())) {
            if (data.synthetic()) {
                warnings.add("dataset " + data.name() + " is generated: accuracy says nothing about real images");
            }
            for (SkippedSample s : data.skippedAtOpen()) {
                warnings.add("sample " + s.id() + " skipped: " + s.reason());
            }
            int[] indices = IntStream.range(0, data.size()).filter(settings.shard()::contains).toArray();
            log.accept("dataset " + data.name() + ": " + indices.length + " of " + data.size() + " samples"
                    + (settings.shard().count() > 1 ? " (shard " + settings.shard() + ")" : ""));
            warmDecoder(data, indices);
            for (String model : settings.models()) {
                ModelSource source = sources.get(model);
                ModelInfo info = source.info();
                AccuracyPass pass = new AccuracyPass(data, indices, info.preprocessing(), info.numClasses(),
                        settings.datasetOptions().onBadSample(), settings.decodeThreads());
                Path spill = spillDir.resolve(Gallery.fileSafe(model) + ".labels");
                spill.toFile().deleteOnExit(); // the spill holds one label map per sample: never leave it behind
                boolean referenceOk = false;
                for (Planned planned : plan(backends, referenceBackend, warnings)) {
                    Run run = execute(model, source, data, pass, planned, spill, referenceOk, gallery, endToEnd);
                    if (planned.reference()) {
                        referenceOk = run.ok();
                        if (!run.ok()) {
                            warnings.add("reference " + settings.reference() + " " + run.status() + " for " + model
                                    + ": no agreement measured (" + run.reason() + ")");
                        }
                    }
                    runs.add(run);
                    for (Run.Skipped s : run.dataset() == null ? List.<Run.Skipped>of() : run.dataset().skipped()) {
                        warnings.add("sample " + s.id() + " skipped: " + s.reason());
                    }
                }
                Files.deleteIfExists(spill);
            }
        } finally {
            deleteQuietly(spillDir);
        }
        Map<String, List<Run>> skippedByCause = runs.stream().filter(r -> r.status().equals(Run.SKIPPED))
                .collect(Collectors.groupingBy(r -> r.backend() + "\u0000" + r.reason(), LinkedHashMap::new, Collectors.toList()));
        skippedByCause.values().forEach(group -> warnings.add("backend " + group.getFirst().backend() + " skipped ("
                + (group.size() == 1 ? group.getFirst().key() : group.size() + " runs") + "): " + group.getFirst().reason()));
        Results results = new Results(Results.SCHEMA_VERSION, EnvironmentProbe.collect(backendsForEnvironment(backends, referenceBackend)),
                settings.toResults(backends.stream().map(Backend::id).toList()), runs, gallery.entries(),
                List.copyOf(warnings));
        ResultsFiles.write(settings.out(), results, endToEnd);
        List<String> written = new ArrayList<>(List.of(settings.out().resolve("results.json").toString(),
                settings.out().resolve(ResultsFiles.SUMMARY).toString()));
        if (!results.gallery().isEmpty()) {
            written.add(settings.out().resolve(Gallery.FOLDER) + "/");
        }
        Path report = ReportWriter.tryWrite(settings.out(), log);
        if (report != null) {
            written.add(report.toString());
        }
        return new Outcome(results, settings.out(), report, written);
    }

    /** Decodes one sample untimed, so native decoders load before the first run's pipeline is timed. */
    private static void warmDecoder(Dataset data, int[] indices) {
        if (indices.length > 0) {
            try {
                data.load(indices[0]);
            } catch (BadSampleException | RuntimeException e) {
                // the accuracy pass reports it in its place
            }
        }
    }

    private List<Backend> backendsForEnvironment(List<Backend> backends, Backend reference) {
        List<Backend> all = new ArrayList<>(backends);
        if (reference != null && !all.contains(reference)) {
            all.add(reference);
        }
        return all;
    }

    private List<Planned> plan(List<Backend> backends, Backend referenceBackend, Set<String> warnings) {
        List<Planned> planned = new ArrayList<>();
        RunSettings.Reference ref = settings.reference();
        boolean referenceRequested = false;
        for (Backend b : backends) {
            for (Precision p : settings.precisions()) {
                boolean isRef = ref != null && b == referenceBackend && p == ref.precision();
                referenceRequested |= isRef;
                planned.add(new Planned(b, p, isRef, false));
            }
        }
        if (ref != null && !referenceRequested) {
            Availability a = Plugins.availability(referenceBackend);
            if (a.available() && referenceBackend.precisions().contains(ref.precision())) {
                planned.add(new Planned(referenceBackend, ref.precision(), true, true));
            } else {
                warnings.add("reference " + ref + " cannot run here (" + (a.available() ? "precision not supported"
                        : a.reason()) + "): no agreement measured; choose another with --reference");
            }
        }
        // The reference goes first so that later runs can stream its labels back.
        planned.sort(Comparator.comparing(p -> !p.reference()));
        return planned;
    }

    private Run execute(String model, ModelSource source, Dataset data, AccuracyPass pass, Planned planned, Path spill,
                        boolean referenceOk, Gallery gallery, Map<String, String> endToEnd)
            throws BadSampleException, InterruptedException {
        Backend backend = planned.backend();
        Precision precision = planned.precision();
        String key = planned.key(model);
        Availability a = Plugins.availability(backend);
        if (!a.available()) {
            return Run.notRun(model, backend.id(), precision.id(), Run.SKIPPED, a.reason());
        }
        if (!backend.precisions().contains(precision)) {
            return Run.notRun(model, backend.id(), precision.id(), Run.SKIPPED, "backend " + backend.id()
                    + " does not support " + precision.id() + " (it supports "
                    + backend.precisions().stream().map(Precision::id).sorted().collect(Collectors.joining(",")) + ")");
        }
        log.accept("running " + key + (planned.referenceOnly() ? " (reference for agreement, accuracy pass only)" : ""));
        try {
            SessionOptions options = SessionOptions.forRun(precision, settings.threads(), profile(), settings.cacheDir(), settings.properties());
            long t0 = System.nanoTime();
            try (InferenceSession session = backend.open(source, options)) {
                double buildSeconds = (System.nanoTime() - t0) / 1e9;
                AccuracyPass.Outcome acc;
                try (LabelSpill.Writer writer = planned.reference() ? new LabelSpill.Writer(spill) : null;
                     LabelSpill.Reader reader = !planned.reference() && referenceOk ? new LabelSpill.Reader(spill) : null) {
                    acc = pass.run(session, new AccuracyPass.Sinks(writer, reader, gallery, key), progress);
                }
                List<Integer> batches = settings.batchSizesFor(a.capabilities().contains(Capability.GPU));
                PerformancePass.Outcome perf = planned.referenceOnly() ? null
                        : new PerformancePass(settings, batches, EnvironmentProbe.freeMemory()).run(session, key, progress);
                List<String> warnings = new ArrayList<>();
                if (perf != null) {
                    warnings.addAll(perf.warnings());
                } else {
                    warnings.add("added as the reference for agreement: accuracy pass only, no performance pass");
                }
                List<Run.Skipped> skipped = new ArrayList<>();
                data.skippedAtOpen().forEach(s -> skipped.add(new Run.Skipped(s.id(), s.reason())));
                skipped.addAll(acc.skipped());
                endToEnd.put(key, Latencies.encode(acc.endToEnd()));
                return new Run(model, backend.id(), precision.id(), Run.OK, null,
                        new Run.Weights(source.weights().kind(), source.weights().sha256()),
                        new Run.DatasetSummary(data.name(), acc.images(), data.synthetic(), skipped),
                        acc.accuracy().toAccuracy(),
                        acc.agreement() == null ? null : acc.agreement().toAgreement(settings.reference().toString()),
                        perf == null ? null : Latencies.stats(perf.latency()), Latencies.stats(acc.endToEnd()),
                        perf == null ? List.of() : perf.throughput(), acc.summary(),
                        perf == null ? null : perf.deviceTimings(), buildSeconds,
                        perf == null ? null : perf.measurement(), warnings,
                        perf == null ? null : Latencies.encode(perf.latency()));
            }
        } catch (BadSampleException | InterruptedException e) {
            gallery.dropRun(key);
            throw e;
        } catch (Exception | LinkageError | OutOfMemoryError | StackOverflowError e) {
            // LinkageError: a backend whose native library or class is missing fails its run, not the whole compare.
            gallery.dropRun(key);
            log.accept(key + " failed: " + oneLine(e));
            return Run.notRun(model, backend.id(), precision.id(), Run.FAILED, oneLine(e));
        }
    }

    private SessionOptions.ShapeProfile profile() {
        int maxBatch = Collections.max(settings.batchSizes());
        int h = settings.perfHeight();
        int w = settings.perfWidth();
        return new SessionOptions.ShapeProfile(1, 1, maxBatch, Math.min(64, h), h, Math.max(1024, h),
                Math.min(64, w), w, Math.max(1024, w));
    }

    /** The first line of an exception's message, with its type when the message alone says too little. */
    public static String oneLine(Throwable e) {
        String m = e.getMessage();
        String type = e.getClass().getSimpleName();
        if (m == null || m.isBlank()) {
            return type;
        }
        String first = m.strip().lines().findFirst().orElse("");
        // Plain IOExceptions of the api name their file first; their type adds nothing.
        boolean ours = e instanceof UserException || e instanceof dev.segbench.api.BackendException || e instanceof ModelException
                || e instanceof DatasetException || e instanceof BadSampleException || e.getClass() == IOException.class;
        return ours ? first : type + ": " + first;
    }

    private List<Backend> resolveBackends() {
        if (settings.backends().isEmpty()) {
            return plugins.backends();
        }
        List<Backend> out = new ArrayList<>();
        for (String id : settings.backends()) {
            out.add(plugins.requireBackend(id, ""));
        }
        return out;
    }

    private Map<String, ModelCatalog> resolveModels() {
        Map<String, ModelCatalog> out = new LinkedHashMap<>();
        for (String id : settings.models()) {
            out.put(id, plugins.catalogFor(id).orElseThrow(() -> new UserException("unknown model '" + id + "' (known: "
                    + plugins.models().stream().map(ModelInfo::id).collect(Collectors.joining(", ")) + ")")));
        }
        return out;
    }

    private DatasetProvider resolveDataset() {
        String scheme = splitDataset(settings.dataset())[0];
        return plugins.datasetProvider(scheme).orElseThrow(() -> new UserException("unknown dataset scheme '" + scheme
                + "' in --dataset " + settings.dataset() + " (known: " + plugins.datasetProviders().stream()
                .map(DatasetProvider::scheme).collect(Collectors.joining(", ")) + ")"));
    }

    private Backend resolveReference() {
        RunSettings.Reference ref = settings.reference();
        if (ref == null) {
            return null;
        }
        return plugins.requireBackend(ref.backend(), "--reference: ");
    }

    /** {@code scheme[:location]} split at the first colon. */
    public static String[] splitDataset(String spec) {
        int colon = spec.indexOf(':');
        return colon < 0 ? new String[] {spec, ""} : new String[] {spec.substring(0, colon), spec.substring(colon + 1)};
    }

    /** The highest images/s over the batch sizes measured, or null. */
    public static Run.Throughput bestThroughput(Run r) {
        return r.throughput().stream().max(Comparator.comparingDouble(Run.Throughput::imagesPerSecond)).orElse(null);
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // a leftover temp file is harmless
                }
            });
        } catch (IOException ignored) {
            // the temp folder is already gone
        }
    }
}
