package dev.segbench.harness.plan;

import dev.segbench.api.DatasetSpec;
import dev.segbench.api.Backend;
import dev.segbench.api.Dataset;
import dev.segbench.api.DatasetException;
import dev.segbench.api.DatasetProvider;
import dev.segbench.api.results.Classes;
import dev.segbench.api.ModelCatalog;
import dev.segbench.api.ModelException;
import dev.segbench.api.ModelInfo;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.SkippedSample;
import dev.segbench.api.WeightsSpec;
import dev.segbench.harness.UserException;
import dev.segbench.harness.env.EnvironmentProbe;
import dev.segbench.harness.plugins.Plugins;
import dev.segbench.harness.plan.PlannedRun.Role;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
    private final RunSettings settings;
    private final Consumer<String> log;
    private final Map<String, ModelSource> sources = new LinkedHashMap<>();
    private final Set<String> warnings = new LinkedHashSet<>();
    private List<Backend> selected;
    private Backend explicitReference;
    private Dataset dataset;
    private Plan.DatasetFacts facts;

    public Planner(Plugins plugins, RunSettings settings, Consumer<String> log) {
        this.plugins = plugins;
        this.settings = settings;
        this.log = log;
    }

    /**
     * Everything that can be wrong with the user's input, checked before anything is written: backend, model and
     * dataset ids, the checkpoints (bound to their models) and the dataset (opened, its samples listed).
     */
    public void prepare() throws ModelException, DatasetException {
        RunSettings.Selection sel = settings.selection();
        selected = resolveBackends();
        Map<String, ModelCatalog> catalogs = resolveModels();
        DatasetSpec dataSpec = DatasetSpec.parse(settings.data().dataset());
        DatasetProvider provider = resolveDataset(dataSpec.scheme());
        explicitReference = sel.reference() == null || sel.reference().isAuto() ? null
                : plugins.requireBackend(sel.reference().backend(), "--reference: ");
        warnings.addAll(plugins.warnings());

        for (String model : sel.models()) {
            java.nio.file.Path ckpt = sel.weights().get(model);
            WeightsSpec spec = ckpt == null ? WeightsSpec.seeded(sel.seed()) : WeightsSpec.checkpoint(ckpt);
            ModelSource source = catalogs.get(model).load(model, spec);
            sources.put(model, source);
            if (!source.weights().trained()) {
                warnings.add(model + ": untrained seeded weights (" + source.weights().sha256()
                        + "): accuracy numbers are meaningless; pass --weights " + model + "=FILE");
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
        if (dataset.synthetic()) {
            warnings.add("dataset " + dataset.name() + " is generated: accuracy says nothing about real images");
        }
        for (SkippedSample s : dataset.skippedAtOpen()) {
            warnings.add("sample " + s.id() + " skipped: " + s.reason());
        }
        Shard shard = settings.data().shard();
        List<Integer> indices = IntStream.range(0, dataset.size()).filter(shard::contains).boxed().toList();
        List<String> ids = indices.stream().map(dataset::sampleId).toList();
        log.accept("dataset " + dataset.name() + ": " + indices.size() + " of " + dataset.size() + " samples"
                + (shard.count() > 1 ? " (shard " + shard + (shard.source().equals("--shard") ? "" : ", from the "
                + shard.source()) + ")" : ""));
        facts = new Plan.DatasetFacts(dataset.name(), dataset.synthetic(), dataset.size(), indices, ids,
                dataset.skippedAtOpen(), Classes.of(dataset.classNames(), dataset.palette()));
    }

    /** The plan, after asking the backends (with {@code probe}) whether they can run here. Call {@link #prepare()} first. */
    public Plan plan(BackendProbe probe) {
        if (facts == null) {
            throw new IllegalStateException("prepare() first");
        }
        RunSettings.Selection sel = settings.selection();

        // Every backend found is probed when the reference is picked by rank; otherwise the selected ones and the reference.
        List<Backend> toProbe = new ArrayList<>(selected);
        if (sel.reference() != null && sel.reference().isAuto()) {
            plugins.backends().stream().filter(b -> !toProbe.contains(b)).forEach(toProbe::add);
        } else if (explicitReference != null && !toProbe.contains(explicitReference)) {
            toProbe.add(explicitReference);
        }
        Map<String, BackendState> states = probe.probe(toProbe);
        Backend referenceBackend = sel.reference() == null ? null
                : sel.reference().isAuto() ? pickReference(toProbe, states, warnings) : explicitReference;
        String reference = referenceBackend == null ? "none"
                : new RunSettings.Reference(referenceBackend.id(), sel.reference().precision()).toString();

        List<PlannedRun> runs = new ArrayList<>();
        for (String model : sel.models()) {
            runs.addAll(planModel(model, selected, referenceBackend, states, facts));
        }
        List<String> backendIds = selected.stream().map(Backend::id).toList();
        Map<String, dev.segbench.api.Availability> forEnvironment = new LinkedHashMap<>();
        for (Backend b : toProbe) {
            if (selected.contains(b) || b == referenceBackend) {
                forEnvironment.put(b.id(), states.get(b.id()).availability());
            }
        }
        return new Plan(settings, reference, backendIds, facts, runs, states,
                EnvironmentProbe.collect(forEnvironment), List.copyOf(warnings));
    }

    /** The lowest-rank available backend that runs FP32 (Backend.rank(): lower is preferred as the reference). */
    private static Backend pickReference(List<Backend> candidates, Map<String, BackendState> states, Set<String> warnings) {
        Backend best = candidates.stream()
                .filter(b -> states.get(b.id()).availability().available() && states.get(b.id()).precisions().contains(Precision.FP32))
                .min(Comparator.comparingInt(Backend::rank).thenComparing(Backend::id)).orElse(null);
        if (best == null) {
            warnings.add("no available backend runs fp32, so there is no reference: no agreement measured");
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
                warnings.add("reference " + ref.backend() + ":" + ref.precision().id() + " " + why
                        + ": no agreement measured for " + model + "; choose another with --reference");
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
                    + state.precisions().stream().map(Precision::id).sorted().collect(Collectors.joining(",")) + ")";
        }
        List<Integer> batches = settings.performance().batchSizesFor(state.gpu());
        Map<String, Object> inputs = new TreeMap<>();
        ModelSource source = sources.get(model);
        inputs.put("model", model);
        inputs.put("weights_kind", source.weights().kind());
        inputs.put("weights_sha256", source.weights().sha256());
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
        RunSettings.Performance perf = settings.performance();
        inputs.put("batch_sizes", batches);
        inputs.put("perf_size", perf.height() + "x" + perf.width());
        inputs.put("warmup_seconds", perf.warmupSeconds());
        inputs.put("min_duration_seconds", perf.minDurationSeconds());
        inputs.put("min_iterations", perf.minIterations());
        inputs.put("cv_threshold", perf.cvThreshold());
        inputs.put("threads", settings.session().threads());
        inputs.put("properties", new TreeMap<>(settings.session().properties()));
        inputs.put("harness_version", EnvironmentProbe.harnessVersion());
        return new PlannedRun(model, backend.id(), precision, role, skip, referenceKey, batches, state.gpu(),
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

    private Map<String, ModelCatalog> resolveModels() {
        Map<String, ModelCatalog> out = new LinkedHashMap<>();
        for (String id : settings.selection().models()) {
            out.put(id, plugins.catalogFor(id).orElseThrow(() -> new UserException("unknown model '" + id + "' (known: "
                    + plugins.models().stream().map(ModelInfo::id).collect(Collectors.joining(", ")) + ")")));
        }
        return out;
    }

    private DatasetProvider resolveDataset(String scheme) {
        return plugins.datasetProvider(scheme).orElseThrow(() -> new UserException("unknown dataset scheme '" + scheme
                + "' in --dataset " + settings.data().dataset() + " (known: " + plugins.datasetProviders().stream()
                .map(DatasetProvider::scheme).collect(Collectors.joining(", ")) + ")"));
    }
}
