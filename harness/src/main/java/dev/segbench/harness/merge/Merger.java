package dev.segbench.harness.merge;

import dev.segbench.api.DeviceTimings;
import dev.segbench.api.io.AtomicFiles;
import dev.segbench.results.Environment;
import dev.segbench.results.GalleryEntry;
import dev.segbench.results.InFlightThroughput;
import dev.segbench.results.PercentileIntervals;
import dev.segbench.results.PerformanceAtSize;
import dev.segbench.results.Results;
import dev.segbench.results.ResultsJson;
import dev.segbench.results.Run;
import dev.segbench.results.Speedups;
import dev.segbench.results.Server;
import dev.segbench.results.settings.Settings;
import dev.segbench.results.Warning;
import dev.segbench.results.Warnings;
import dev.segbench.results.UserException;
import dev.segbench.harness.gate.GateEvaluator;
import dev.segbench.harness.load.BatchMeans;
import dev.segbench.harness.load.SingleStreamScenario;
import dev.segbench.harness.metrics.ConfusionMatrix;
import dev.segbench.results.Latencies;
import dev.segbench.harness.results.ResultsBook;
import dev.segbench.harness.results.ResultsFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;

/**
 * {@code segbench merge}: combines the results of {@code --shard i/n} runs. Confusion matrices and
 * latency histograms are added and every metric is derived again from the sums, so merging the
 * shards gives the accuracy of one run over all samples exactly.
 */
public final class Merger {

    private Merger() {
    }

    /** Reads every shard folder, merges, writes {@code out} and returns the merged results. */
    public static Results merge(List<Path> shardDirs, Path out) throws IOException {
        if (shardDirs.isEmpty()) {
            throw new UserException("merge: give at least one results folder");
        }
        List<Results> shards = new ArrayList<>();
        List<Map<String, String>> e2e = new ArrayList<>();
        for (Path d : shardDirs) {
            if (!Files.isDirectory(d)) {
                throw new UserException(d + ": no such results folder");
            }
            shards.add(ResultsJson.read(d));
            e2e.add(ResultsFiles.readEndToEndHistograms(d));
        }
        Set<String> warnings = new LinkedHashSet<>(); // the merge's own findings
        checkShards(shards, warnings);

        // Every folder's machines join the merged results; a run keeps the machine it was measured on.
        List<Environment> environments = new ArrayList<>();
        List<Map<String, String>> envIds = new ArrayList<>();
        for (Results r : shards) {
            Map<String, String> ids = new LinkedHashMap<>();
            for (Environment e : r.environments()) {
                ids.put(e.id(), environmentId(e, environments));
            }
            envIds.add(ids);
        }
        Map<String, List<Run>> byKey = new LinkedHashMap<>();
        Map<String, List<String>> shardsByKey = new LinkedHashMap<>();
        for (int i = 0; i < shards.size(); i++) {
            Results r = shards.get(i);
            for (Run run : r.runs()) {
                String env = run.environment() == null
                        ? (r.environment() == null ? null : envIds.get(i).get(r.environment().id()))
                        : envIds.get(i).getOrDefault(run.environment(), run.environment());
                byKey.computeIfAbsent(run.key(), k -> new ArrayList<>()).add(run.toBuilder().environment(env).build());
                shardsByKey.computeIfAbsent(run.key(), k -> new ArrayList<>())
                        .add(r.settings() == null ? "?" : r.settings().shard());
            }
        }
        checkCoverage(shardsByKey, warnings);
        checkSameWeights(byKey, shardDirs, shards);
        double cvThreshold = shards.getFirst().settings() == null ? 0.05 : shards.getFirst().settings().performance().cvThreshold();
        List<Run> runs = new ArrayList<>();
        Map<String, String> mergedE2e = new TreeMap<>();
        for (Map.Entry<String, List<Run>> e : byKey.entrySet()) {
            List<Run> parts = e.getValue();
            List<String> e2eParts = e2e.stream().map(m -> m.get(e.getKey())).filter(Objects::nonNull).toList();
            Run merged = mergeRuns(parts, e2eParts.size() == parts.size() ? e2eParts : List.of(), cvThreshold);
            if (merged.ok() && merged.endToEndLatencyMs() == null) {
                warnings.add(e.getKey() + ": end-to-end latency histograms missing in some shard; not merged");
            }
            if (merged.ok() && e2eParts.size() == parts.size()) {
                mergedE2e.put(e.getKey(), Latencies.encode(addHistograms(e2eParts)));
            }
            runs.add(merged);
        }
        List<GalleryEntry> gallery = new ArrayList<>();
        for (int i = 0; i < shards.size(); i++) {
            for (GalleryEntry g : shards.get(i).gallery()) {
                copyGallery(shardDirs.get(i), out, g);
                gallery.add(g);
            }
        }
        warnings.add("merged " + shards.size() + " shard result(s)");
        Results first = shards.getFirst();
        Settings s = first.settings();
        Settings settings = s == null ? null : s.withOut(out).withShard(
                shards.stream().map(r -> r.settings() == null ? "?" : r.settings().shard()).collect(Collectors.joining("+")));
        if (settings != null && settings.gate() != null) {
            runs = judged(runs, settings);
        }
        runs = Speedups.apply(runs, settings == null ? null : settings.baseline());
        Set<String> used = runs.stream().map(Run::environment).collect(Collectors.toSet());
        List<Environment> usedEnvironments = environments.stream().filter(e -> used.contains(e.id())).toList();
        Environment primary = usedEnvironments.isEmpty() ? first.environment() : usedEnvironments.getFirst();
        // The shards' own warnings, each once; those that follow from run states are derived again from the merged runs.
        Warnings all = new Warnings();
        shards.forEach(r -> r.warnings().stream().filter(w -> !Warnings.derivedFromRuns(w)).forEach(all::add));
        warnings.forEach(w -> all.add(Warning.of(Warning.MERGE, Warning.WARN, w)));
        all.addAll(Warnings.fromRuns(runs, settings));
        Results merged = new Results(Results.SCHEMA_VERSION, primary, usedEnvironments.isEmpty() ? null : usedEnvironments,
                settings, runs, gallery, all.list(), first.classes());
        ResultsFiles.write(out, merged, mergedE2e);
        return merged;
    }

    /**
     * The compare's {@code --gate} judged again on the merged runs (each shard judged only its own samples), against
     * the reference of each model ({@code settings.reference()}); runs added only as a reference (their backend or
     * precision was not selected) are not judged, as in the compare.
     */
    public static List<Run> judged(List<Run> runs, Settings settings) {
        return GateEvaluator.parse(settings.gate()).judgeAll(runs,
                r -> settings.selects(r.backend(), r.precision()),
                r -> Run.referenceOf(r, runs, settings.reference()));
    }

    /** Adding confusion matrices of different weights would report an accuracy no model has: refuse. */
    private static void checkSameWeights(Map<String, List<Run>> byKey, List<Path> shardDirs, List<Results> shards) {
        for (Map.Entry<String, List<Run>> e : byKey.entrySet()) {
            Set<String> hashes = e.getValue().stream().filter(r -> r.ok() && r.weights() != null)
                    .map(r -> r.weights().sha256()).collect(Collectors.toCollection(LinkedHashSet::new));
            if (hashes.size() > 1) {
                List<Path> where = new ArrayList<>();
                for (int i = 0; i < shards.size(); i++) {
                    if (shards.get(i).runs().stream().anyMatch(r -> r.key().equals(e.getKey()) && r.ok())) {
                        where.add(shardDirs.get(i));
                    }
                }
                throw new UserException("merge: " + e.getKey() + " ran with different weights in " + where
                        + " (sha256 " + String.join(" vs ", hashes) + "); merge only shards of one evaluation");
            }
        }
    }

    /** The id of {@code e} among the merged environments, adding it (under a free id) when it is new. */
    private static String environmentId(Environment e, List<Environment> environments) {
        for (Environment known : environments) {
            if (known.sameAs(e)) {
                return known.id();
            }
        }
        String id = ResultsBook.uniqueId(e.id() == null ? (e.host() == null ? "machine" : e.host()) : e.id(), environments);
        environments.add(e.withId(id));
        return id;
    }

    /**
     * Parts of one run are shards of one evaluation: each shard once, all n of them. Folders that hold different
     * runs (a GPU box's tensorrt runs, a laptop's cpu runs) simply add up.
     */
    private static void checkCoverage(Map<String, List<String>> shardsByKey, Set<String> warnings) {
        for (Map.Entry<String, List<String>> e : shardsByKey.entrySet()) {
            List<String> given = e.getValue();
            Set<String> distinct = new LinkedHashSet<>(given);
            if (distinct.size() < given.size()) {
                warnings.add(e.getKey() + ": shard " + given.stream().filter(x -> java.util.Collections.frequency(given, x) > 1)
                        .findFirst().orElse("?") + " is given twice: its samples count twice");
            }
            int n = given.stream().mapToInt(Merger::shardCount).max().orElse(1);
            if (n > 1 && distinct.size() < n) {
                warnings.add(e.getKey() + " is in " + distinct.size() + " of " + n + " shards (" + String.join(", ", distinct) + ")");
            }
        }
    }

    private static int shardCount(String shard) {
        try {
            return Integer.parseInt(shard.substring(shard.indexOf('/') + 1));
        } catch (RuntimeException e) {
            return 1;
        }
    }

    private static void checkShards(List<Results> shards, Set<String> warnings) {
        Results first = shards.getFirst();
        for (Results r : shards) {
            if (first.settings() != null && r.settings() != null
                    && !Objects.equals(first.settings().data().dataset(), r.settings().data().dataset())) {
                warnings.add("shards evaluated different datasets: " + first.settings().data().dataset() + " and "
                        + r.settings().data().dataset());
            }
        }
    }

    static Run mergeRuns(List<Run> parts, List<String> endToEndHistograms, double cvThreshold) {
        Run first = parts.getFirst();
        List<Run> notOk = parts.stream().filter(r -> !r.ok()).toList();
        if (!notOk.isEmpty()) {
            boolean anyFailed = notOk.stream().anyMatch(r -> Run.FAILED.equals(r.status()));
            String status = anyFailed || notOk.size() < parts.size() ? Run.FAILED : Run.SKIPPED;
            String reason = notOk.size() == parts.size() ? notOk.getFirst().reason()
                    : notOk.size() + " of " + parts.size() + " shards not ok: " + notOk.getFirst().reason();
            return Run.notRun(first.model(), first.backend(), first.precision(), status, reason).toBuilder()
                    .environment(first.environment()).build();
        }
        Set<String> warnings = new LinkedHashSet<>();
        parts.forEach(r -> warnings.addAll(r.warnings()));
        ConfusionMatrix accuracy = sum(parts, r -> r.accuracy() == null ? null : r.accuracy().confusionMatrix(), "accuracy", warnings);
        ConfusionMatrix agreement = sum(parts, r -> r.agreement() == null ? null : r.agreement().confusionMatrix(), "agreement", warnings);
        Histogram e2e = endToEndHistograms.isEmpty() ? null : addHistograms(endToEndHistograms);
        int images = parts.stream().mapToInt(r -> r.dataset() == null ? 0 : r.dataset().images()).sum();
        List<Run.Skipped> skipped = parts.stream().filter(r -> r.dataset() != null)
                .flatMap(r -> r.dataset().skipped().stream()).distinct().toList();
        Run.DatasetSummary dataset = first.dataset() == null ? null : new Run.DatasetSummary(first.dataset().name(), images,
                first.dataset().synthetic(), skipped);

        List<Run.AccuracyPassSummary> passes = parts.stream().map(Run::accuracyPass).filter(Objects::nonNull).toList();
        Run.AccuracyPassSummary pass = null;
        if (!passes.isEmpty()) {
            int n = passes.stream().mapToInt(Run.AccuracyPassSummary::images).sum();
            double seconds = passes.stream().mapToDouble(Run.AccuracyPassSummary::seconds).sum();
            double modelSeconds = passes.stream().mapToDouble(p -> p.modelImagesPerSecond() > 0 ? p.images() / p.modelImagesPerSecond() : 0).sum();
            pass = new Run.AccuracyPassSummary(n, seconds, seconds > 0 ? n / seconds : 0, modelSeconds > 0 ? n / modelSeconds : 0);
        }

        // one path for every measurement: per size (files of schema 3 and before read their run's values into the first)
        List<PerformanceAtSize> performance = mergePerformance(parts, cvThreshold, warnings);
        Run.Calibration calibration = mergeCalibration(parts, warnings);
        String reference = first.agreement() == null ? null : first.agreement().reference();
        Set<String> machines = parts.stream().map(Run::environment).filter(Objects::nonNull).collect(Collectors.toCollection(LinkedHashSet::new));
        if (machines.size() > 1) {
            warnings.add("its shards ran on different machines (" + String.join(", ", machines)
                    + "): merged latency and throughput mix them");
        }
        return Run.builder(first.model(), first.backend(), first.precision()).environment(first.environment())
                .weights(first.weights()).dataset(dataset)
                .accuracy(accuracy == null ? null : accuracy.toAccuracy())
                .agreement(agreement == null ? null : agreement.toAgreement(reference, withoutReference(parts)))
                .endToEndLatencyMs(e2e == null ? null : Latencies.stats(e2e))
                .accuracyPass(pass).resources(mergeResources(parts))
                .warnings(List.copyOf(warnings))
                .performance(performance)
                .calibration(calibration)
                .build();
    }

    /**
     * Offline cells merged over the shards, one per (batch, in flight, threads per request): requests and seconds are
     * summed and the rate is their quotient (summed images / summed seconds), so a merged cell agrees with itself; it
     * is the rate of all the shards' measured time together, not the mean of their rates. Only cells from files without
     * a window (seconds 0) fall back to the mean of their rates. Valid only if every shard's cell was, with every
     * shard's reasons.
     */
    static List<InFlightThroughput> mergeCells(List<List<InFlightThroughput>> parts) {
        Map<List<Integer>, List<InFlightThroughput>> byCell = new TreeMap<>(java.util.Comparator
                .<List<Integer>>comparingInt(l -> l.get(0)).thenComparingInt(l -> l.get(1)).thenComparingInt(l -> l.get(2)));
        parts.forEach(list -> list.forEach(t -> byCell.computeIfAbsent(List.of(t.batch(), t.inFlight(),
                t.threadsPerRequest() == null ? 0 : t.threadsPerRequest()), k -> new ArrayList<>()).add(t)));
        List<InFlightThroughput> out = new ArrayList<>();
        byCell.forEach((k, cells) -> {
            long requests = cells.stream().mapToLong(InFlightThroughput::requests).sum();
            double seconds = cells.stream().mapToDouble(InFlightThroughput::seconds).sum();
            boolean windowed = cells.stream().allMatch(t -> t.seconds() > 0);
            double rate = windowed ? requests * (double) k.get(0) / seconds
                    : cells.stream().mapToDouble(InFlightThroughput::imagesPerSecond).average().orElse(Double.NaN);
            List<Run.Measurement> verdicts = cells.stream().map(InFlightThroughput::measurement).filter(Objects::nonNull).toList();
            Run.Measurement verdict = null;
            if (!verdicts.isEmpty()) {
                Set<String> reasons = new LinkedHashSet<>();
                verdicts.forEach(m -> reasons.addAll(m.reasons()));
                verdict = new Run.Measurement(verdicts.stream().allMatch(Run.Measurement::valid), List.copyOf(reasons),
                        verdicts.stream().mapToDouble(Run.Measurement::warmupSeconds).sum(),
                        verdicts.stream().mapToDouble(Run.Measurement::durationSeconds).sum(),
                        verdicts.stream().mapToLong(Run.Measurement::iterations).sum());
            }
            out.add(new InFlightThroughput(k.get(0), k.get(1), rate, requests, seconds, k.get(2) == 0 ? null : k.get(2),
                    verdict));
        });
        return out;
    }

    /**
     * Valid when every shard's was (the rules held in each); unstable, CV and spread from the added histogram, as if
     * one measurement.
     */
    private static Run.Measurement mergeMeasurements(List<Run.Measurement> ms, Histogram latency, double cvThreshold) {
        if (ms.isEmpty()) {
            return null;
        }
        Set<String> reasons = new LinkedHashSet<>();
        ms.forEach(m -> reasons.addAll(m.reasons()));
        double warmup = ms.stream().mapToDouble(Run.Measurement::warmupSeconds).sum();
        double duration = ms.stream().mapToDouble(Run.Measurement::durationSeconds).sum();
        long iterations = ms.stream().mapToLong(Run.Measurement::iterations).sum();
        if (latency == null) {
            return new Run.Measurement(ms.stream().allMatch(Run.Measurement::valid), List.copyOf(reasons), warmup, duration,
                    iterations);
        }
        Run.Measurement m = SingleStreamScenario.verdict(latency, List.copyOf(reasons), cvThreshold, warmup, duration,
                iterations);
        return ms.stream().allMatch(Run.Measurement::valid) ? m : new Run.Measurement(false, m.reasons(), warmup, duration,
                iterations, m.unstable(), m.cv(), m.robustSpread(), m.cvThreshold());
    }

    /**
     * The performance per size over the shards: single-stream histograms added, offline cells merged by
     * {@link #mergeCells} (summed images / summed seconds). A server result is kept only when exactly one shard has it at
     * that size: a max-QPS search is a sequence of trials, which cannot be combined across shards (the merged run
     * then says so in a warning). Telemetry is the first shard's; device timings are the shards' means weighted by their
     * single-stream requests.
     */
    static List<PerformanceAtSize> mergePerformance(List<Run> parts, double cvThreshold, Set<String> warnings) {
        Map<String, List<PerformanceAtSize>> bySize = new LinkedHashMap<>();
        parts.forEach(r -> r.performance().forEach(p -> bySize.computeIfAbsent(p.size(), k -> new ArrayList<>()).add(p)));
        List<PerformanceAtSize> out = new ArrayList<>();
        for (Map.Entry<String, List<PerformanceAtSize>> e : bySize.entrySet()) {
            List<PerformanceAtSize> ps = e.getValue();
            PerformanceAtSize first = ps.getFirst();
            List<String> hs = ps.stream().map(PerformanceAtSize::latencyHistogram).filter(Objects::nonNull).toList();
            Histogram latency = hs.isEmpty() ? null : addHistograms(hs);
            List<InFlightThroughput> throughput = mergeCells(ps.stream().map(PerformanceAtSize::throughput).toList());
            List<Server> servers = ps.stream().map(PerformanceAtSize::server).filter(Objects::nonNull).toList();
            Server server = servers.size() == 1 ? servers.getFirst() : null;
            if (servers.size() > 1) {
                warnings.add("server scenario at " + e.getKey() + " not merged: " + servers.size() + " shards each searched "
                        + "on their own, and trials cannot be combined; see each shard's results.json");
            }
            Set<String> scenarios = new LinkedHashSet<>();
            ps.forEach(p -> scenarios.addAll(p.scenarios()));
            // the statistics (and one shard's intervals) are derived from the merged histogram by PerformanceAtSize
            out.add(new PerformanceAtSize(first.height(), first.width(), List.copyOf(scenarios), null,
                    latency == null ? null : betweenShardsMs(hs, latency),
                    latency == null ? null : Latencies.encode(latency),
                    mergeMeasurements(ps.stream().map(PerformanceAtSize::measurement).filter(Objects::nonNull).toList(),
                            latency, cvThreshold),
                    throughput, server, first.telemetry(), deviceTimings(ps)));
        }
        return out;
    }

    private static DeviceTimings deviceTimings(List<PerformanceAtSize> ps) {
        long weight = 0;
        double[] sum = new double[3];
        for (PerformanceAtSize p : ps) {
            if (p.deviceTimingsMs() != null) {
                long w = p.measurement() == null ? 1 : Math.max(1, p.measurement().iterations());
                sum[0] += p.deviceTimingsMs().h2dMs() * w;
                sum[1] += p.deviceTimingsMs().computeMs() * w;
                sum[2] += p.deviceTimingsMs().d2hMs() * w;
                weight += w;
            }
        }
        return weight == 0 ? null : new DeviceTimings(sum[0] / weight, sum[1] / weight, sum[2] / weight);
    }

    /**
     * An int8 run's calibration over its shards: each shard calibrated on the same (unsharded) images, so the tables
     * are equal and the overlap with the evaluated images adds up; shards with different tables are said to differ.
     */
    private static Run.Calibration mergeCalibration(List<Run> parts, Set<String> warnings) {
        List<Run.Calibration> cs = parts.stream().map(Run::calibration).filter(Objects::nonNull).toList();
        if (cs.isEmpty()) {
            return null;
        }
        Run.Calibration c = cs.getFirst();
        if (cs.stream().map(Run.Calibration::sha256).distinct().count() > 1) {
            warnings.add("its shards were quantized with different int8 calibration tables: the merged accuracy mixes them");
        }
        return new Run.Calibration(c.dataset(), c.method(), c.images(), c.sha256(),
                cs.stream().mapToInt(Run.Calibration::overlap).sum());
    }

    /** The largest figure of each kind over the shards: each shard opened its own session and process. */
    private static Run.Resources mergeResources(List<Run> parts) {
        List<Run.Resources> rs = parts.stream().map(Run::resources).filter(Objects::nonNull).toList();
        if (rs.isEmpty()) {
            return null;
        }
        return new Run.Resources(
                rs.stream().map(Run.Resources::peakRssBytes).filter(Objects::nonNull).max(Long::compare).orElse(null),
                rs.stream().map(Run.Resources::openSeconds).filter(Objects::nonNull).max(Double::compare).orElse(null),
                rs.stream().map(Run.Resources::buildSeconds).filter(Objects::nonNull).max(Double::compare).orElse(null),
                rs.stream().map(Run.Resources::deviceMemoryBytes).filter(Objects::nonNull).max(Long::compare).orElse(null));
    }

    /**
     * The sum of the parts' matrices of one block. A shard with images but no matrix (its reference
     * failed, say) adds nothing, like a sample the reference skipped in one run; a warning says so.
     */
    private static ConfusionMatrix sum(List<Run> parts, Function<Run, long[][]> block, String name, Set<String> warnings) {
        ConfusionMatrix total = null;
        int missing = 0;
        int withImages = 0;
        for (Run part : parts) {
            long[][] m = block.apply(part);
            boolean hasImages = part.dataset() == null || part.dataset().images() > 0;
            withImages += hasImages ? 1 : 0;
            if (m == null) {
                missing += hasImages ? 1 : 0;
                continue;
            }
            ConfusionMatrix cm = ConfusionMatrix.of(m);
            if (total == null) {
                total = cm;
            } else {
                total.add(cm);
            }
        }
        if (total != null && missing > 0) {
            warnings.add(name + " covers " + (withImages - missing) + " of " + withImages
                    + " shards with images: the others measured none");
        }
        return total;
    }

    /**
     * The 95% intervals of a merged size's p50 and p99 over several shards: the variation between the shards'
     * percentiles around the pooled one ({@link BatchMeans#sectioning}, each shard one estimate, as JMH combines forks),
     * since each shard ran in its own JVM and maybe machine, which intervals of the pooled samples would never sample.
     * Null for one shard (its intervals are derived from its histogram). A percentile some shard is too small to
     * support gets none.
     */
    static PercentileIntervals betweenShardsMs(List<String> shardHistograms, Histogram pooled) {
        if (shardHistograms.size() < 2) {
            return null;
        }
        List<Histogram> shards = shardHistograms.stream().map(Latencies::decode).toList();
        return new PercentileIntervals(PercentileIntervals.LEVEL, 0, 0, betweenShards(shards, 50, pooled),
                betweenShards(shards, 99, pooled), PercentileIntervals.BETWEEN_SHARDS, shards.size());
    }

    private static PercentileIntervals.Interval betweenShards(List<Histogram> shards, double percentile, Histogram pooled) {
        if (shards.stream().anyMatch(h -> !PercentileIntervals.supports(h.getTotalCount(), percentile))) {
            return null;
        }
        double[] i = BatchMeans.sectioning(pooled.getValueAtPercentile(percentile),
                shards.stream().mapToDouble(h -> h.getValueAtPercentile(percentile)).toArray(), PercentileIntervals.LEVEL);
        return new PercentileIntervals.Interval(i[0] / 1000.0, i[1] / 1000.0);
    }

    /** Samples left out of agreement over the shards; null when no shard counted them (older files). */
    private static Integer withoutReference(List<Run> parts) {
        List<Integer> counts = parts.stream().map(Run::agreement).filter(Objects::nonNull)
                .map(Run.Agreement::samplesWithoutReference).filter(Objects::nonNull).toList();
        return counts.isEmpty() ? null : counts.stream().mapToInt(Integer::intValue).sum();
    }

    static Histogram addHistograms(List<String> encoded) {
        Histogram total = Latencies.newHistogram();
        for (String s : encoded) {
            total.add(Latencies.decode(s));
        }
        return total;
    }

    private static void copyGallery(Path from, Path to, GalleryEntry g) throws IOException {
        if (from.toAbsolutePath().normalize().equals(to.toAbsolutePath().normalize())) {
            return;
        }
        List<String> files = new ArrayList<>();
        files.add(g.image());
        if (g.label() != null) {
            files.add(g.label());
        }
        files.addAll(g.predictions().values());
        for (String f : files) {
            Path src = from.resolve(f);
            if (Files.isRegularFile(src)) {
                AtomicFiles.write(to.resolve(f), Files.readAllBytes(src));
            }
        }
    }
}
