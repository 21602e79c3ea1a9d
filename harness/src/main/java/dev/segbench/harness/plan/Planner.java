package dev.segbench.harness.plan;

import dev.segbench.results.settings.Shard;
import dev.segbench.results.settings.Settings;

import dev.segbench.api.DatasetSpec;
import dev.segbench.api.Backend;
import dev.segbench.api.CalibrationTable;
import dev.segbench.api.Progress;
import dev.segbench.harness.Messages;
import dev.segbench.harness.calibration.Calibrator;
import dev.segbench.api.Dataset;
import dev.segbench.api.DatasetException;
import dev.segbench.api.DatasetProvider;
import dev.segbench.results.Classes;
import dev.segbench.results.Classes;
import dev.segbench.api.ModelCatalog;
import dev.segbench.api.ModelException;
import dev.segbench.api.ModelInfo;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.SkippedSample;
import dev.segbench.api.WeightsSpec;
import dev.segbench.results.Warning;
import dev.segbench.results.Warnings;
import dev.segbench.results.UserException;
import dev.segbench.harness.env.EnvironmentProbe;
import dev.segbench.harness.exec.BackendEnvironment;
import dev.segbench.results.settings.LoadSettings;
import dev.segbench.results.settings.Scenario;
import dev.segbench.harness.plugins.Plugins;
import dev.segbench.harness.plan.PlannedRun.Role;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Makes the {@link Plan} of a compare: resolves backends, models and the dataset, binds the weights (so a bad
 * checkpoint is reported before anything runs), asks the backends whether they can run here, picks the reference,
 * orders the runs and fingerprints each. Keeps the model sources and the opened dataset for an in-process
 * executor; {@link #close()} closes the dataset.
 */
public final class Planner implements AutoCloseable {

    private final Plugins plugins;
    private final Settings settings;
    private final Consumer<String> log;
    private final Map<String, ModelSource> sources = new LinkedHashMap<>();
    private final Warnings warnings = new Warnings();
    private final List<String> seededModels = new ArrayList<>();
    /** The backend int8 calibration runs the FP32 calibration graph on. */
    static final String CALIBRATION_BACKEND = "cpu";
    private final Map<String, CalibrationTable> calibrations = new LinkedHashMap<>();
    private final Map<String, dev.segbench.harness.calibration.FloatLayers.Choice> fallbacks = new LinkedHashMap<>();
    private final Map<String, String> calibrationSkips = new LinkedHashMap<>();
    private Progress progress = Progress.NONE;
    private List<Backend> selected;
    private Backend explicitReference;
    private Dataset dataset;
    private Plan.DatasetFacts facts;

    public Planner(Plugins plugins, Settings settings, Consumer<String> log) {
        this.plugins = plugins;
        this.settings = settings;
        this.log = log;
    }

    /**
     * Everything that can be wrong with the user's input, checked before anything is written: backend, model and
     * dataset ids, the checkpoints (bound to their models) and the dataset (opened, its samples listed).
     */
    public void prepare() throws ModelException, DatasetException {
        Settings.Selection sel = settings.selection();
        selectBackends();
        DatasetSpec dataSpec = DatasetSpec.parse(settings.data().dataset());
        DatasetProvider provider = resolveDataset(dataSpec.scheme());
        plugins.warnings().forEach(w -> warnings.add(Warning.of(Warning.PLUGIN, Warning.WARN, w)));

        for (String entry : sel.models()) {
            String model = Plugins.modelId(entry);
            java.nio.file.Path ckpt = sel.weights().get(model);
            WeightsSpec spec = ckpt == null ? WeightsSpec.seeded(sel.seed()) : WeightsSpec.checkpoint(ckpt);
            ModelSource source = plugins.loadModel(entry, spec);
            sources.put(model, source);
            if (!source.weights().trained()) {
                seededModels.add(model);
            }
        }

        dataset = dataSpec.open(provider, settings.data().options());
        for (Map.Entry<String, ModelSource> m : sources.entrySet()) {
            int modelClasses = m.getValue().info().numClasses();
            if (modelClasses != dataset.classNames().size()) {
                throw new UserException("--models " + m.getKey() + ": the model has " + modelClasses
                        + " classes but dataset " + dataset.name() + " has " + dataset.classNames().size());
            }
        }
        for (SkippedSample s : dataset.skippedAtOpen()) {
            warnings.add(Warning.of(Warning.SAMPLE_SKIPPED, Warning.WARN, Warnings.sampleSkipped(s.id(), s.reason())));
        }
        Shard shard = settings.data().shard();
        List<Integer> indices = IntStream.range(0, dataset.size()).filter(shard::contains).boxed().toList();
        List<String> ids = indices.stream().map(dataset::sampleId).toList();
        log.accept("dataset " + dataset.name() + ": " + indices.size() + " of " + dataset.size() + " samples"
                + (shard.count() > 1 ? " (shard " + shard + (shard.source().equals("--shard") ? "" : ", from the "
                + shard.source()) + ")" : ""));
        facts = new Plan.DatasetFacts(dataset.name(), dataset.synthetic(), dataset.size(), indices, ids,
                dataset.skippedAtOpen(), Classes.of(dataset.classNames(), dataset.palette()), dataSpec);
    }

    /**
     * Resolves the backend ids (selected and reference); the first part of {@link #prepare()}, callable before it so
     * that the backends can be probed while the rest of the input is checked. Unknown ids are user errors.
     */
    public void selectBackends() {
        if (selected != null) {
            return;
        }
        Settings.Selection sel = settings.selection();
        selected = resolveBackends();
        explicitReference = sel.reference() == null || sel.reference().isAuto() ? null
                : plugins.requireBackend(sel.reference().backend(), "--reference: ");
        java.nio.file.Path cache = settings.session().cacheDir();
        if (cache != null && java.nio.file.Files.exists(cache) && !java.nio.file.Files.isDirectory(cache)) {
            throw new UserException("--cache-dir " + cache + ": not a folder (give a folder, or none for no cache)");
        }
        checkProperties(explicitReference == null || selected.contains(explicitReference) ? selected
                : java.util.stream.Stream.concat(selected.stream(), java.util.stream.Stream.of(explicitReference)).toList());
    }

    /**
     * The backends whose availability the plan needs: every backend found when the reference is picked by rank,
     * otherwise the selected ones and the reference.
     */
    public List<Backend> backendsToProbe() {
        selectBackends();
        Settings.Selection sel = settings.selection();
        List<Backend> toProbe = new ArrayList<>(selected);
        if (sel.reference() != null && sel.reference().isAuto()) {
            plugins.backends().stream().filter(b -> !toProbe.contains(b)).forEach(toProbe::add);
        } else if (explicitReference != null && !toProbe.contains(explicitReference)) {
            toProbe.add(explicitReference);
        }
        return toProbe;
    }

    /** The plan, after asking the backends (with {@code probe}) whether they can run here. Call {@link #prepare()} first. */
    public Plan plan(BackendProbe probe) throws InterruptedException {
        if (facts == null) {
            throw new IllegalStateException("prepare() first");
        }
        Settings.Selection sel = settings.selection();
        List<Backend> toProbe = backendsToProbe();
        Map<String, BackendState> states = probe.probe(toProbe);
        Backend referenceBackend = sel.reference() == null ? null
                : sel.reference().isAuto() ? pickReference(toProbe, states, warnings) : explicitReference;
        String reference = referenceBackend == null ? "none"
                : new Settings.Reference(referenceBackend.id(), sel.reference().precision()).toString();

        calibrateInt8(states);
        List<PlannedRun> runs = new ArrayList<>();
        for (String model : sel.modelIds()) {
            runs.addAll(planModel(model, selected, referenceBackend, states, facts));
        }
        // seeded weights and generated data concern every run of those models, skipped or not
        if (!seededModels.isEmpty()) {
            warnings.add(Warnings.seededWeights(seededModels, runs.stream()
                    .filter(r -> seededModels.contains(r.model())).map(PlannedRun::key).toList()));
        }
        if (facts.synthetic()) {
            warnings.add(Warnings.syntheticData(facts.name(), runs.stream().map(PlannedRun::key).toList()));
        }
        List<String> backendIds = selected.stream().map(Backend::id).toList();
        Map<String, dev.segbench.api.Availability> forEnvironment = new LinkedHashMap<>();
        for (Backend b : toProbe) {
            if (selected.contains(b) || b == referenceBackend) {
                forEnvironment.put(b.id(), BackendEnvironment.withFacts(b, states.get(b.id()).availability(),
                        settings.execution().inProcess()));
            }
        }
        return new Plan(settings, reference, backendIds, facts, runs, states,
                EnvironmentProbe.collect(forEnvironment), warnings.list(), calibrations, fallbacks);
    }

    // ---- int8 calibration -----------------------------------------------------------------------------------------

    /**
     * Calibrates each model once, here in the compare's process and before any run, when int8 is asked for and an
     * available selected backend lists INT8 (else the int8 runs are skipped with the backend's reason and nothing is
     * calibrated). A table from the calibration cache costs no calibration pass. Bad calibration input (empty or
     * unreadable set, unknown scheme) stops the compare with one line before anything runs; a calibration the CPU
     * backend cannot do skips that model's int8 runs with the reason.
     */
    private void calibrateInt8(Map<String, BackendState> states) throws InterruptedException {
        if (!settings.selection().precisions().contains(Precision.INT8)) {
            return;
        }
        boolean wanted = selected.stream().map(b -> states.get(b.id()))
                .anyMatch(s -> s.availability().available() && s.precisions().contains(Precision.INT8));
        if (!wanted) {
            return;
        }
        if (settings.calibration() == null) {
            throw new IllegalStateException("int8 runs planned without calibration settings");
        }
        Backend cpu = plugins.backend(CALIBRATION_BACKEND).orElse(null);
        dev.segbench.api.Availability cpuState = cpu == null ? null : states.containsKey(cpu.id())
                ? states.get(cpu.id()).availability() : Plugins.availability(cpu);
        String unavailable = cpu == null ? "int8 calibration runs on the " + CALIBRATION_BACKEND + " backend, which is not installed"
                : !cpuState.available() ? "int8 calibration runs on the " + CALIBRATION_BACKEND + " backend, which is not"
                + " available: " + cpuState.reason() : null;
        Calibrator calibrator = unavailable != null ? null
                : new Calibrator(plugins::datasetProvider, cpu, progress, log);
        for (String model : settings.selection().modelIds()) {
            if (calibrator == null) {
                calibrationSkips.put(model, unavailable);
                continue;
            }
            if (sources.get(model).int8().isEmpty()) {
                calibrationSkips.put(model, "model " + model + " has no int8 graph");
                continue;
            }
            try {
                CalibrationTable table = calibrator.calibrate(sources.get(model), settings.calibration());
                calibrations.put(model, table);
                dev.segbench.harness.calibration.FloatLayers.Choice fallback = new dev.segbench.harness.calibration
                        .FallbackSearch(plugins::datasetProvider, cpu, progress, log)
                        .choose(sources.get(model), table, settings.calibration());
                if (fallback != null) {
                    fallbacks.put(model, fallback);
                }
                int overlap = calibrationOverlap(table, facts, settings);
                if (overlap > 0) {
                    warnings.add(Warning.of(Warning.CALIBRATION_OVERLAP, Warning.WARN, model + ": " + overlap + " of the " + table.key().imageIds().size() + " int8 calibration"
                            + " images are evaluated images too: int8 accuracy is optimistic (calibrate on others with"
                            + " --calibration)"));
                }
            } catch (dev.segbench.api.ModelException | dev.segbench.api.BackendException e) {
                String reason = "int8 calibration failed: " + Messages.oneLine(e);
                log.accept(model + ": " + reason);
                calibrationSkips.put(model, reason);
            }
        }
    }

    /**
     * How many of {@code table}'s images are also evaluated: the same image ids of the same dataset (by name, or by
     * location for datasets whose ids name real images, e.g. VOC's val images calibrated on with
     * {@code --calibration-split val}). Synthetic scenes of another seed share ids but not images.
     */
    public static int calibrationOverlap(CalibrationTable table, Plan.DatasetFacts evaluated, Settings settings) {
        DatasetSpec calibration = settings.calibration() == null ? null : settings.calibration().spec();
        boolean sameSource = table.key().dataset().equals(evaluated.name())
                || (!evaluated.synthetic() && calibration != null && evaluated.spec() != null
                && calibration.scheme().equals(evaluated.spec().scheme())
                && calibration.location().equals(evaluated.spec().location()));
        if (!sameSource) {
            return 0;
        }
        java.util.Set<String> ids = new java.util.HashSet<>(evaluated.ids());
        return (int) table.key().imageIds().stream().filter(ids::contains).count();
    }

    /** Where calibration's progress goes (a bar per model being calibrated). */
    public Planner progress(Progress value) {
        this.progress = value;
        return this;
    }

    /**
     * Every --property key must belong to a backend found (its id and a dot) and, for the backends that will run, be
     * one they read: a typo is a one-line error now, not a failed run later. Keys of a backend found but not
     * selected are kept (one command line can serve several compares).
     */
    private void checkProperties(List<Backend> running) {
        Map<String, String> properties = settings.session().properties();
        List<String> ids = plugins.backends().stream().map(Backend::id).toList();
        for (String key : properties.keySet()) {
            if (ids.stream().noneMatch(id -> key.startsWith(id + "."))) {
                throw new UserException("--property " + key + ": no backend reads it (keys start with a backend id and a dot: "
                        + ids.stream().map(id -> id + ".").collect(Collectors.joining(", ")) + ")");
            }
        }
        for (Backend b : running) {
            try {
                dev.segbench.api.BackendProperties.read(properties, b.id() + ".", b.propertyKeys());
            } catch (IllegalArgumentException e) {
                throw new UserException("--property: " + e.getMessage());
            }
        }
    }

    /** The lowest-rank available backend that runs FP32 (Backend.rank(): lower is preferred as the reference). */
    private static Backend pickReference(List<Backend> candidates, Map<String, BackendState> states, Warnings warnings) {
        Backend best = candidates.stream()
                .filter(b -> states.get(b.id()).availability().available() && states.get(b.id()).precisions().contains(Precision.FP32))
                .min(Comparator.comparingInt(Backend::rank).thenComparing(Backend::id)).orElse(null);
        if (best == null) {
            warnings.add(Warning.of(Warning.REFERENCE, Warning.WARN,
                    "no available backend runs fp32, so there is no reference: no agreement measured"));
        }
        return best;
    }

    private List<PlannedRun> planModel(String model, List<Backend> selected, Backend referenceBackend,
                                       Map<String, BackendState> states, Plan.DatasetFacts facts) {
        Precision refPrecision = referenceBackend == null ? null : settings.selection().reference().precision();
        List<Backend> backends = new ArrayList<>(selected);
        boolean referenceSelected = referenceBackend != null && selected.contains(referenceBackend)
                && settings.selection().precisions().contains(refPrecision);
        PlannedRun ref = null;
        if (referenceBackend != null) {
            Role role = referenceSelected ? Role.REFERENCE : Role.REFERENCE_ONLY;
            ref = plannedRun(model, referenceBackend, refPrecision, role, null, null, states, facts);
            if (!ref.runnable()) {
                String why = referenceSelected ? "is skipped (" + ref.skipReason() + ")" : "cannot run here (" + ref.skipReason() + ")";
                warnings.add(Warning.of(Warning.REFERENCE, Warning.WARN, "reference " + ref.backend() + ":"
                        + ref.precision().id() + " " + why + ": no agreement measured for " + model
                        + "; choose another with --reference"));
                if (!referenceSelected) {
                    ref = null;
                }
            }
        }
        List<PlannedRun> runs = new ArrayList<>();
        if (ref != null) {
            runs.add(ref);
        }
        String referenceKey = ref != null && ref.runnable() ? ref.key() : null;
        String referenceFingerprint = referenceKey == null ? null : ref.fingerprint();
        for (Backend b : backends) {
            for (Precision p : settings.selection().precisions()) {
                if (b == referenceBackend && p == refPrecision) {
                    continue;
                }
                runs.add(plannedRun(model, b, p, Role.COMPARED, referenceKey, referenceFingerprint, states, facts));
            }
        }
        return runs;
    }

    private PlannedRun plannedRun(String model, Backend backend, Precision precision, Role role, String referenceKey,
                                  String referenceFingerprint, Map<String, BackendState> states, Plan.DatasetFacts facts) {
        BackendState state = states.get(backend.id());
        String skip = null;
        if (!state.availability().available()) {
            skip = state.availability().reason();
        } else if (!state.precisions().contains(precision)) {
            skip = "backend " + backend.id() + " does not support " + precision.id() + " (it supports "
                    + state.precisions().stream().map(Precision::id).sorted().collect(Collectors.joining(",")) + ")"
                    + backend.unsupportedReason(precision).map(why -> ": " + why).orElse("");
        } else if (precision == Precision.INT8 && calibrationSkips.containsKey(model)) {
            skip = calibrationSkips.get(model);
        }
        List<Integer> batches = settings.performance().batchSizesFor(state.gpu());
        Map<String, Object> inputs = new TreeMap<>();
        ModelSource source = sources.get(model);
        inputs.put("model", model);
        inputs.put("weights_kind", source.weights().kind());
        inputs.put("weights_sha256", source.weights().sha256());
        String entry = settings.selection().modelEntry(model);
        if (!entry.equals(model)) { // a model spec: its options (preprocessing, input, output) change the run
            inputs.put("model_spec", entry);
        }
        inputs.put("backend", backend.id());
        inputs.put("backend_version", state.availability().version());
        inputs.put("precision", precision.id());
        inputs.put("role", role.name().toLowerCase(java.util.Locale.ROOT));
        inputs.put("reference_fingerprint", referenceFingerprint);
        inputs.put("dataset", settings.data().dataset());
        inputs.put("dataset_name", facts.name());
        inputs.put("sample_ids", facts.ids());
        inputs.put("skipped_at_open", facts.skippedAtOpen().stream().map(SkippedSample::id).toList());
        inputs.put("on_bad_sample", settings.data().options().onBadSample().name());
        inputs.put("decode_threads", settings.data().decodeThreads());
        inputs.put("gallery", settings.data().galleryCount());
        Settings.Performance perf = settings.performance();
        inputs.put("batch_sizes", batches);
        inputs.put("perf_size", perf.load().perfSizes().stream().map(Object::toString).collect(Collectors.joining(",")));
        LoadSettings load = perf.load();
        inputs.put("scenarios", LoadSettings.ids(load.scenarios()));
        inputs.put("in_flight", load.inFlightFor(state.availability().capabilities()));
        if (load.runs(Scenario.SERVER)) {
            inputs.put("server_arrivals", load.arrivals().id());
            inputs.put("server_seed", load.seed());
            inputs.put("server_p99_ms", load.serverP99Ms());
            inputs.put("server_qps", load.serverQps());
            inputs.put("server_min_requests", dev.segbench.harness.load.ServerScenario.minRequests(perf.minIterations(),
                    load.serverMinRequests(), load.serverP99Ms(), load.serverLatencyPercentile()));
            // absent at the default, so runs recorded before the option keep their fingerprints
            inputs.put("server_latency_percentile", load.serverLatencyPercentile() == dev.segbench.results.Server.DEFAULT_PERCENTILE
                    ? null : load.serverLatencyPercentile());
            // a search stopped by its budget measured fewer trials: not the same result
            inputs.put("server_search_budget_seconds", load.serverQps() == null ? load.serverSearchBudgetSeconds() : null);
        }
        inputs.put("warmup_seconds", perf.warmupSeconds());
        inputs.put("min_duration_seconds", perf.minDurationSeconds());
        inputs.put("min_iterations", perf.minIterations());
        inputs.put("cv_threshold", perf.cvThreshold());
        inputs.put("threads", settings.session().threads());
        inputs.put("properties", new TreeMap<>(settings.session().properties()));
        inputs.put("harness_version", EnvironmentProbe.harnessVersion());
        if (precision == Precision.INT8 && skip == null) {
            // the table's digest covers its key (images, method, graph version) and every range
            inputs.put("calibration_sha256", calibrations.get(model).sha256());
            if (fallbacks.containsKey(model) && !fallbacks.get(model).floatLayers().isEmpty()) {
                inputs.put("int8_float_layers", fallbacks.get(model).floatLayers());
            }
        }
        return new PlannedRun(model, backend.id(), precision, role, skip, referenceKey, batches,
                state.availability().available() ? state.availability().capabilities() : java.util.Set.of(),
                Fingerprint.of(inputs), inputs);
    }

    public ModelSource source(String model) {
        return sources.get(model);
    }

    /** The dataset opened while planning (for an in-process executor). */
    public Dataset dataset() {
        return dataset;
    }

    @Override
    public void close() {
        if (dataset != null) {
            dataset.close();
        }
    }

    private List<Backend> resolveBackends() {
        if (settings.selection().backends().isEmpty()) {
            return plugins.backends();
        }
        List<Backend> out = new ArrayList<>();
        for (String id : settings.selection().backends()) {
            out.add(plugins.requireBackend(id, ""));
        }
        return out;
    }

    private DatasetProvider resolveDataset(String scheme) {
        return plugins.datasetProvider(scheme).orElseThrow(() -> new UserException("unknown dataset scheme '" + scheme
                + "' in --dataset " + settings.data().dataset() + " (known: " + plugins.datasetProviders().stream()
                .map(DatasetProvider::scheme).collect(Collectors.joining(", ")) + ")"));
    }
}
