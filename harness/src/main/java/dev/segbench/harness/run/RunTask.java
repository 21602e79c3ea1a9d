package dev.segbench.harness.run;

import dev.segbench.api.Backend;
import dev.segbench.api.Capability;
import dev.segbench.api.BadSampleException;
import dev.segbench.api.CalibrationTable;
import dev.segbench.results.settings.Int8Fallback;
import dev.segbench.api.Precision;
import dev.segbench.api.Dataset;
import dev.segbench.api.BackendException;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Progress;
import dev.segbench.api.SessionOptions;
import dev.segbench.results.GalleryEntry;
import dev.segbench.results.Run;
import dev.segbench.harness.Messages;
import dev.segbench.harness.env.ProcessMemory;
import dev.segbench.harness.env.CpuFrequencyProbe;
import dev.segbench.results.settings.OptionLists;
import dev.segbench.harness.load.SessionUnderTest;
import dev.segbench.results.Latencies;
import dev.segbench.harness.plan.Plan;
import dev.segbench.harness.plan.PlannedRun;
import dev.segbench.results.settings.Settings;
import dev.segbench.harness.results.GalleryWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What one run does, wherever it executes (its own child JVM, or the compare's JVM with {@code --in-process}):
 * open the session, the accuracy pass (writing or reading the reference labels), the performance step (load
 * scenarios at every size), and the run's result. The performance step is one replaceable step
 * ({@link #performance}); a backend failure makes the run failed, never the caller.
 */
public final class RunTask {

    /**
     * Everything a run needs.
     *
     * @param labels      the reference labels file: written by a reference run, read by a compared run whose
     *                    reference succeeded; null when there is none
     * @param environment id of the environment the run happens in
     * @param calibration the calibration table an INT8 run quantizes with (null for other precisions)
     */
    public record Inputs(Settings settings, PlannedRun run, Plan.DatasetFacts samples, Backend backend,
                         ModelSource source, Dataset dataset, Path labels, String environment,
                         CalibrationTable calibration, dev.segbench.harness.calibration.FloatLayers.Choice fallback) {

        /** Inputs of an int8 run that keeps no layer in float. */
        public Inputs(Settings settings, PlannedRun run, Plan.DatasetFacts samples, Backend backend,
                      ModelSource source, Dataset dataset, Path labels, String environment,
                      CalibrationTable calibration) {
            this(settings, run, samples, backend, source, dataset, labels, environment, calibration, null);
        }

        /** The model as the backend opens it: for an int8 run, with its float-kept layers. */
        ModelSource opened() {
            return fallback == null || run.precision() != Precision.INT8 ? source
                    : dev.segbench.harness.calibration.FloatLayers.keepingInFloat(source, fallback.floatLayers());
        }

        /** Inputs of a run that is not int8. */
        public Inputs(Settings settings, PlannedRun run, Plan.DatasetFacts samples, Backend backend,
                      ModelSource source, Dataset dataset, Path labels, String environment) {
            this(settings, run, samples, backend, source, dataset, labels, environment, null);
        }
    }

    /** The run's result, the raw end-to-end histogram (results.json has room only for its summary) and its gallery. */
    public record Outcome(Run run, String endToEndHistogram, List<GalleryEntry> gallery) {
    }

    private RunTask() {
    }

    /**
     * Runs it. A bad sample under {@code --on-bad-sample fail} is thrown (it stops the compare); every other
     * failure becomes a failed run with its one-line reason.
     */
    public static Outcome execute(Inputs in, Progress progress, Consumer<String> log)
            throws BadSampleException, InterruptedException {
        PlannedRun planned = in.run();
        String key = planned.key();
        Settings settings = in.settings();
        // the compare wrote the gallery's sample images before its runs; a run adds its predictions
        GalleryWriter gallery = new GalleryWriter(settings.out(), settings.data().galleryCount(), false, in.dataset().palette());
        Run.Builder run = Run.builder(planned.model(), planned.backend(), planned.precision().id()).environment(in.environment());
        log.accept("running " + key + (planned.role() == PlannedRun.Role.REFERENCE_ONLY
                ? " (reference for agreement, accuracy pass only)" : ""));
        Path partialLabels = in.labels() == null ? null : in.labels().resolveSibling(in.labels().getFileName() + ".partial");
        try {
            int[] indices = checkedIndices(in.dataset(), in.samples());
            warmDecoder(in.dataset(), indices);
            ProcessMemory.resetOwnPeak();
            SessionOptions options = SessionOptions.forRun(planned.precision(), settings.session().threads(), profile(settings),
                    settings.session().cacheDir(), settings.session().properties());
            if (planned.precision() == Precision.INT8) {
                if (in.calibration() == null) {
                    throw new IllegalStateException("int8 run " + key + " has no calibration table");
                }
                options = options.withCalibration(in.calibration());
                run.calibration(new Run.Calibration(in.calibration().key().dataset(), in.calibration().key().method().id(),
                        in.calibration().key().imageIds().size(), in.calibration().sha256(),
                        dev.segbench.harness.plan.Planner.calibrationOverlap(in.calibration(), in.samples(), settings),
                        in.fallback() == null ? List.of() : in.fallback().floatLayers(),
                        in.fallback() == null ? null : in.fallback().record()));
            }
            long t0 = System.nanoTime();
            InferenceSession opened;
            try {
                opened = in.backend().open(in.opened(), options);
            } catch (BackendException e) {
                if (e.code() != BackendException.Code.UNSUPPORTED_OP) {
                    throw e;
                }
                // the engine cannot run this graph (an op it lacks, say): nothing was measured, so skipped, not failed
                gallery.dropRun(key);
                log.accept(key + " skipped: " + Messages.oneLine(e));
                return new Outcome(run.status(Run.SKIPPED).reason(Messages.oneLine(e)).build(), null, List.of());
            }
            try (InferenceSession session = opened) {
                double openSeconds = (System.nanoTime() - t0) / 1e9;
                AccuracyPass pass = new AccuracyPass(in.dataset(), indices, in.source().info().preprocessing(),
                        in.source().info().numClasses(), settings.data().options().onBadSample(), settings.data().decodeThreads());
                AccuracyPass.Outcome acc;
                boolean writes = planned.role().writesLabels() && in.labels() != null;
                boolean reads = !planned.role().writesLabels() && in.labels() != null;
                try (LabelSpill.Writer writer = writes ? new LabelSpill.Writer(partialLabels) : null;
                     LabelSpill.Reader reader = reads ? new LabelSpill.Reader(in.labels()) : null) {
                    acc = pass.run(session, new AccuracyPass.Sinks(writer, reader, gallery, key), progress);
                }
                if (writes) {
                    // complete labels only: a reference that dies mid-pass leaves no file that looks finished
                    Files.move(partialLabels, in.labels(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                }
                PerformanceStep.Outcome perf = planned.role() == PlannedRun.Role.REFERENCE_ONLY ? null
                        : performance(settings, planned, planned.capabilities(), session, progress,
                                reopener(in, options));
                List<String> warnings = new ArrayList<>();
                if (perf != null) {
                    warnings.addAll(perf.warnings());
                } else {
                    warnings.add("added as the reference for agreement: accuracy pass only, no performance pass");
                }
                warnings.addAll(gallery.problems()); // an optional artefact: the run stays ok
                List<Run.Skipped> skipped = new ArrayList<>();
                in.samples().skippedAtOpen().forEach(s -> skipped.add(new Run.Skipped(s.id(), s.reason())));
                skipped.addAll(acc.skipped());
                Long device = session.deviceMemoryBytes().isPresent() ? session.deviceMemoryBytes().getAsLong() : null;
                Double build = session.buildSeconds().isPresent() ? session.buildSeconds().getAsDouble() : null;
                run.weights(new Run.Weights(in.source().weights().kind(), in.source().weights().sha256()))
                        .dataset(new Run.DatasetSummary(in.samples().name(), acc.images(), in.samples().synthetic(), skipped))
                        .accuracy(acc.accuracy().toAccuracy())
                        .agreement(acc.agreement() == null ? null : acc.agreement().toAgreement(planned.referenceKey() == null
                                ? null : referenceLabel(planned.referenceKey()), acc.withoutReference()))
                        .endToEndLatencyMs(Latencies.stats(acc.endToEnd()))
                        .accuracyPass(acc.summary())
                        .warnings(warnings)
                        .resources(new Run.Resources(ProcessMemory.ownPeakResidentBytes(), openSeconds, build, device));
                if (perf != null) {
                    run.performance(perf.sizes()).batchSkips(perf.batchSkips());
                }
                return new Outcome(run.build(), Latencies.encode(acc.endToEnd()), gallery.entries());
            }
        } catch (BadSampleException | InterruptedException e) {
            gallery.dropRun(key);
            throw e;
        } catch (Exception | LinkageError | OutOfMemoryError | StackOverflowError e) {
            // LinkageError: a backend whose native library or class is missing fails its run, not the whole compare.
            gallery.dropRun(key);
            log.accept(key + " failed: " + Messages.oneLine(e));
            return new Outcome(run.status(Run.FAILED).reason(Messages.oneLine(e)).build(), null, List.of());
        } finally {
            if (partialLabels != null) {
                try {
                    Files.deleteIfExists(partialLabels);
                } catch (IOException ignored) {
                    // the next reference run overwrites it
                }
            }
        }
    }

    /**
     * Why a run's own process cannot measure what the plan recorded: a backend probed there again (a child process
     * loads it afresh) that is now unavailable, or reports another version or other capabilities than the plan's one
     * probe, which the fingerprint and the environment record; null when it agrees.
     */
    public static String probeDisagrees(PlannedRun planned, dev.segbench.api.Availability here) {
        if (!here.available()) {
            return "backend " + planned.backend() + " became unavailable after the plan probed it: " + here.reason();
        }
        Object version = planned.fingerprintInputs().get("backend_version");
        if (!java.util.Objects.equals(version, here.version()) || !planned.capabilities().equals(here.capabilities())) {
            return "backend " + planned.backend() + " reports " + here.version() + " " + new java.util.TreeSet<>(here.capabilities())
                    + " in the run's process, but the compare planned with " + version + " "
                    + new java.util.TreeSet<>(planned.capabilities()) + " (what its fingerprint records): not measured";
        }
        return null;
    }

    /** A run that failed before it started, with its one-line reason. */
    public static Run failed(Inputs in, String reason) {
        PlannedRun p = in.run();
        return Run.builder(p.model(), p.backend(), p.precision().id()).environment(in.environment())
                .status(Run.FAILED).reason(reason).build();
    }

    /**
     * The performance step: the load scenarios at every {@code --perf-size} size, on this session's inputs.
     *
     * @param reopener opens the run's model again with another thread count for the offline configurations; null:
     *                 every cell on {@code session}. Host threads count only off the GPU: a GPU backend's cells
     *                 record no threads and sweep none.
     */
    static PerformanceStep.Outcome performance(Settings settings, PlannedRun planned, Set<Capability> capabilities,
                                               InferenceSession session, Progress progress,
                                               PerformanceStep.Reopener reopener)
            throws dev.segbench.api.BackendException, InterruptedException {
        int threads = capabilities.contains(Capability.GPU) ? 0 : settings.session().threads() > 0
                ? settings.session().threads() : Runtime.getRuntime().availableProcessors();
        return new PerformanceStep(settings.performance(), planned.backend(), planned.batchSizes(), capabilities,
                PerformanceStep.Memory.of(session, capabilities.contains(Capability.GPU)), CpuFrequencyProbe.system(),
                threads, reopener)
                .run(size -> new SessionUnderTest(session, size.height(), size.width()),
                        () -> session.deviceTelemetry().orElse(null), planned.key(), progress);
    }

    /** Opens the run's model with {@code threads} intra-op threads, its options otherwise the run's own. */
    private static PerformanceStep.Reopener reopener(Inputs in, SessionOptions options) {
        return threads -> {
            InferenceSession other = in.backend().open(in.opened(), options.withThreads(threads));
            return new PerformanceStep.Reopened() {
                @Override
                public dev.segbench.harness.load.SystemUnderTest at(OptionLists.Size size) {
                    return new SessionUnderTest(other, size.height(), size.width());
                }

                @Override
                public void close() {
                    other.close();
                }
            };
        };
    }

    /** "cpu:fp32" from the reference's key "model/cpu/fp32". */
    private static String referenceLabel(String referenceKey) {
        String[] parts = referenceKey.split("/");
        return parts[parts.length - 2] + ":" + parts[parts.length - 1];
    }

    /**
     * The planned sample positions, after checking that the dataset opened here has the ids the plan saw (a
     * dataset that changed on disk in between would make runs incomparable).
     */
    private static int[] checkedIndices(Dataset dataset, Plan.DatasetFacts samples) {
        int[] indices = samples.indexArray();
        for (int i = 0; i < indices.length; i++) {
            String id = indices[i] < dataset.size() ? dataset.sampleId(indices[i]) : null;
            if (!samples.ids().get(i).equals(id)) {
                throw new IllegalStateException("dataset changed since the compare started: sample " + (i + 1) + " is "
                        + id + ", the plan has " + samples.ids().get(i));
            }
        }
        return indices;
    }

    /** Decodes one sample untimed, so native decoders load before the pipeline is timed. */
    private static void warmDecoder(Dataset data, int[] indices) {
        if (indices.length > 0) {
            try {
                data.load(indices[0]);
            } catch (BadSampleException | RuntimeException e) {
                // the accuracy pass reports it in its place
            }
        }
    }

    /** Optimised for the first performance size; the range covers every other size too. */
    private static SessionOptions.ShapeProfile profile(Settings settings) {
        Settings.Performance p = settings.performance();
        int maxBatch = Collections.max(p.batchSizes());
        int h = p.height();
        int w = p.width();
        List<OptionLists.Size> sizes = p.load().perfSizes();
        int minH = sizes.stream().mapToInt(OptionLists.Size::height).min().orElse(h);
        int maxH = sizes.stream().mapToInt(OptionLists.Size::height).max().orElse(h);
        int minW = sizes.stream().mapToInt(OptionLists.Size::width).min().orElse(w);
        int maxW = sizes.stream().mapToInt(OptionLists.Size::width).max().orElse(w);
        return new SessionOptions.ShapeProfile(1, 1, maxBatch, Math.min(64, minH), h, Math.max(1024, maxH),
                Math.min(64, minW), w, Math.max(1024, maxW));
    }
}
