package dev.segbench.harness.plan;

import dev.segbench.results.settings.Shard;
import dev.segbench.results.settings.Settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.api.Availability;
import dev.segbench.api.Backend;
import dev.segbench.api.Capability;
import dev.segbench.api.DatasetOptions;
import dev.segbench.api.Precision;
import dev.segbench.results.settings.Arrivals;
import dev.segbench.results.settings.LoadSettings;
import dev.segbench.results.settings.OptionLists;
import dev.segbench.results.settings.Scenario;
import dev.segbench.harness.run.RunTask;
import dev.segbench.harness.plan.PlannedRun.Role;
import dev.segbench.harness.plugins.Plugins;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The plan of a compare, with a probe that says which backends are available. */
class PlannerTest {

    private static Settings settings(Settings.Reference reference, double minDuration) {
        return new Settings(
                new Settings.Selection(List.of("tiny", "tiny4"), List.of("fake"), List.of(Precision.FP32, Precision.FP16),
                        Map.of(), 1, reference),
                new Settings.Data("fake:3", DatasetOptions.defaults(), Shard.ALL, 1, 1),
                new Settings.Performance(List.of(1, 8), false, 32, 32, 0, minDuration, 2, 0.05),
                new Settings.Session(0, Map.of(), null), Settings.Execution.defaults(), Path.of("unused"));
    }

    /** Every backend as it is, except those named: cpu available (whatever this machine says), the rest unavailable. */
    private static BackendProbe probe(Set<String> unavailable) {
        return backends -> {
            Map<String, BackendState> out = new LinkedHashMap<>();
            for (Backend b : backends) {
                Availability a = unavailable.contains(b.id()) ? Availability.unavailable(b.id() + " is not here")
                        : b.id().equals("cpu") ? Availability.available("stub", List.of(), Set.of()) : Plugins.availability(b);
                out.put(b.id(), new BackendState(b.id(), b.rank(), a, b.precisions()));
            }
            return out;
        };
    }

    private static Plan plan(Settings s, BackendProbe probe) throws Exception {
        try (Plugins plugins = Plugins.load(List.of(), List.of()); Planner planner = new Planner(plugins, s, m -> { })) {
            planner.prepare();
            return planner.plan(probe);
        }
    }

    @Test
    void theReferenceIsTheAvailableBackendOfLowestRankInFp32() throws Exception {
        // cpu (rank 10) is the reference wherever it is available, even when only other backends are compared
        Plan withCpu = plan(settings(Settings.Reference.auto(), 1), probe(Set.of("tensorrt", "cuda")));
        assertEquals("cpu:fp32", withCpu.reference());
        assertEquals(List.of("tiny/cpu/fp32", "tiny/fake/fp32", "tiny/fake/fp16", "tiny4/cpu/fp32", "tiny4/fake/fp32",
                "tiny4/fake/fp16"), withCpu.runs().stream().map(PlannedRun::key).toList());
        PlannedRun ref = withCpu.runs().getFirst();
        assertEquals(Role.REFERENCE_ONLY, ref.role());
        assertEquals("tiny/cpu/fp32", withCpu.runs().get(2).referenceKey());
        assertEquals(ref.fingerprint(), withCpu.runs().get(2).fingerprintInputs().get("reference_fingerprint"));

        // without cpu the next available one by rank (then id): opencv 30, tensorrt 50, cuda 200 and pytorch are not
        // here, the fakes are 1000
        Plan withoutCpu = plan(settings(Settings.Reference.auto(), 1),
                probe(Set.of("cpu", "opencv", "tensorrt", "cuda", "pytorch")));
        assertEquals("exploding:fp32", withoutCpu.reference());
    }

    @Test
    void anExplicitReferenceAmongTheRunsGoesFirstAndNoneMeansNoAgreement() throws Exception {
        Plan fake = plan(settings(new Settings.Reference("fake", Precision.FP32), 1), probe(Set.of()));
        assertEquals(Role.REFERENCE, fake.runs().getFirst().role());
        assertEquals(List.of("tiny/fake/fp32", "tiny/fake/fp16", "tiny4/fake/fp32", "tiny4/fake/fp16"),
                fake.runs().stream().map(PlannedRun::key).toList());
        assertEquals(List.of(1, 8), fake.runs().getFirst().batchSizes(), "default batches stop at 8 off the GPU");

        Plan none = plan(settings(null, 1), probe(Set.of()));
        assertEquals("none", none.reference());
        assertTrue(none.runs().stream().allMatch(r -> r.role() == Role.COMPARED && r.referenceKey() == null));
    }

    @Test
    void fingerprintsFollowWhatDecidesTheResult() throws Exception {
        Settings.Reference fake = new Settings.Reference("fake", Precision.FP32);
        Plan a = plan(settings(fake, 1), probe(Set.of()));
        Plan b = plan(settings(fake, 1), probe(Set.of()));
        Plan c = plan(settings(fake, 2), probe(Set.of()));
        assertEquals(a.runs().get(1).fingerprint(), b.runs().get(1).fingerprint(), "the same plan twice");
        assertNotEquals(a.runs().get(1).fingerprint(), c.runs().get(1).fingerprint(), "another minimum duration");
        assertEquals(List.of("fake-0", "fake-1", "fake-2"), a.runs().getFirst().fingerprintInputs().get("sample_ids"));
        assertEquals("fake-1.0", a.runs().getFirst().fingerprintInputs().get("backend_version"));
        assertNull(a.runs().getFirst().skipReason());
        assertEquals("tiny.fake.fp16", a.runs().get(1).fileStem());
    }

    @Test
    void aPrecisionTheBackendDoesNotOfferIsSkippedWithTheBackendsReason() throws Exception {
        Settings base = settings(new Settings.Reference("fake", Precision.FP32), 1);
        Settings s = new Settings(new Settings.Selection(List.of("tiny"), List.of("fake", "exploding"),
                List.of(Precision.FP32, Precision.FP16), Map.of(), 1, base.selection().reference()),
                base.data(), base.performance(), base.session(), base.execution(), base.out());
        Plan p = plan(s, probe(Set.of()));
        PlannedRun fp16 = p.runs().stream().filter(r -> r.key().equals("tiny/exploding/fp16")).findFirst().orElseThrow();
        assertEquals("backend exploding does not support fp16 (it supports fp32): its fp16 would only be fp32 renamed",
                fp16.skipReason());
    }

    @Test
    void unavailableBackendsArePlannedAsSkippedWithTheirReason() throws Exception {
        Plan p = plan(settings(new Settings.Reference("fake", Precision.FP32), 1), probe(Set.of("fake")));
        assertTrue(p.runs().stream().noneMatch(PlannedRun::runnable));
        assertEquals("fake is not here", p.runs().getFirst().skipReason());
        assertTrue(p.warnings().stream().map(dev.segbench.results.Warning::text).anyMatch(w -> w.startsWith("reference fake:fp32 is skipped (fake is not here)")),
                p.warnings().toString());
    }

    /**
     * Backend availability is probed once per compare: the run measures with the plan's answer and its fingerprint
     * records the probed version, even when the backend answers otherwise afterwards; a run process whose own probe
     * disagrees (a child JVM loads the backend afresh) is refused rather than measured under a record that is wrong.
     */
    @Test
    void runsUseThePlansOneProbeOfTheBackend(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        // the plan's probe: version "fake-probed", with concurrent runs; the fake backend itself now says fake-1.0 without
        Availability probed = Availability.available("fake-probed", List.of("fake device"),
                Set.of(Capability.CONCURRENT_RUNS, Capability.DEVICE_TIMINGS));
        BackendProbe once = backends -> {
            Map<String, BackendState> out = new LinkedHashMap<>();
            backends.forEach(b -> out.put(b.id(), new BackendState(b.id(), b.rank(), b.id().equals("fake") ? probed
                    : Availability.unavailable("not in this test"), b.precisions())));
            return out;
        };
        LoadSettings load = new LoadSettings(Scenario.DEFAULT, List.of(new OptionLists.Size(32, 32)), List.of(1, 2),
                Arrivals.POISSON, LoadSettings.DEFAULT_SEED, null, null, LoadSettings.DEFAULT_SERVER_MIN_REQUESTS);
        Settings base = settings(null, 0.01);
        Settings s = new Settings(new Settings.Selection(List.of("tiny"), List.of("fake"), List.of(Precision.FP32),
                Map.of(), 1, null), base.data(), new Settings.Performance(List.of(1), false, 32, 32, 0, 0.01, 2, 0.05, load),
                base.session(), base.execution(), tmp);
        try (Plugins plugins = Plugins.load(List.of(), List.of()); Planner planner = new Planner(plugins, s, m -> { })) {
            planner.prepare();
            Plan plan = planner.plan(once);
            PlannedRun run = plan.run("tiny/fake/fp32");
            assertEquals("fake-probed", run.fingerprintInputs().get("backend_version"));
            assertEquals(List.of(1, 2), run.fingerprintInputs().get("in_flight"));
            Availability now = Plugins.availability(plugins.requireBackend("fake", ""));
            assertEquals("fake-1.0", now.version(), "the backend's answer now differs from the plan's");

            dev.segbench.results.Run measured = new dev.segbench.harness.exec.InProcessExecutor(plugins, plan, planner,
                    "here", dev.segbench.api.Progress.NONE, m -> { }).execute(run, null, null).outcome().run();
            assertEquals(dev.segbench.results.Run.OK, measured.status(), measured.reason());
            assertEquals(Set.of(1, 2), measured.performance().getFirst().throughput().stream()
                    .map(dev.segbench.results.InFlightThroughput::inFlight).collect(java.util.stream.Collectors.toSet()),
                    "measured at the in-flight counts the plan's answer allows");

            assertNull(RunTask.probeDisagrees(run, probed), "a run process that finds what the plan found runs");
            assertEquals("backend fake reports fake-1.0 [DEVICE_TIMINGS] in the run's process, but the compare planned "
                    + "with fake-probed [DEVICE_TIMINGS, CONCURRENT_RUNS] (what its fingerprint records): not measured",
                    RunTask.probeDisagrees(run, now));
        }
    }
}
