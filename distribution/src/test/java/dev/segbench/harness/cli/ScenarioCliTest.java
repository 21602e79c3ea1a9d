package dev.segbench.harness.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.results.Gate;
import dev.segbench.results.PerformanceAtSize;
import dev.segbench.results.Results;
import dev.segbench.results.ResultsJson;
import dev.segbench.results.Run;
import dev.segbench.results.Server;
import dev.segbench.harness.CliResult;
import dev.segbench.harness.Real;
import dev.segbench.harness.fakes.StallingPlugin;
import dev.segbench.harness.gate.GateEvaluator;
import dev.segbench.harness.gate.GateMetric;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14's acceptance through {@code segbench compare}: the stalling test backend (a plugin jar built at test
 * time), the max-QPS search result against its own trials, the gate on the fixture runs with its
 * exit statuses, and bad input. Compares run in-process where isolation is not the subject; the gate test forks a
 * child per run, so the new performance step also runs end to end in a child JVM.
 */
class ScenarioCliTest {

    @TempDir
    Path tmp;

    private static CliResult compare(Path plugins, Path out, String... more) {
        List<String> args = new ArrayList<>();
        if (plugins != null) {
            args.addAll(List.of("--plugins", plugins.toString()));
        }
        args.addAll(List.of("compare", "--out", out.toString(), "--progress", "never"));
        args.addAll(List.of(more));
        return CliResult.run(args.toArray(String[]::new));
    }

    private static Run only(Results results) {
        List<Run> ok = results.runs().stream().filter(Run::ok).toList();
        assertEquals(1, ok.size(), results.runs().toString());
        return ok.getFirst();
    }

    /**
     * run() takes 20 ms, every 200th call 1 s. Single-stream (closed loop) keeps its p99 near 20 ms although the stall
     * happened inside its window (its max is the stall): a closed loop waits for the stall and hides it. A server
     * trial at 20 QPS counts every queued request from its scheduled arrival, so its p99 is at least 500 ms.
     */
    @Test
    void aStallHidesInTheClosedLoopAndShowsInTheServerScenario() throws Exception {
        Path plugins = StallingPlugin.build(tmp.resolve("plug"));
        Path out = tmp.resolve("stall");
        CliResult r = compare(plugins, out, "--in-process", "--backends", "stalling", "--models", "tiny", "--dataset", "fake:2",
                "--precisions", "fp32", "--reference", "none", "--perf-size", "16x16", "--scenarios", "single-stream,server",
                "--warmup", "0.1", "--min-duration", "0.1", "--min-iterations", "400", "--server-qps", "20",
                "--server-min-requests", "200", "--gallery", "0");
        assertEquals(0, r.code(), r.toString());
        Run run = only(ResultsJson.read(out));
        PerformanceAtSize at = run.performance().getFirst();
        assertEquals(List.of("single-stream", "server"), at.scenarios());
        assertTrue(at.latencyMs().max() >= 1000, "a 1 s stall fell inside the single-stream window: max " + at.latencyMs().max());
        assertTrue(at.latencyMs().p99() < 100, "closed loop: p99 stays near 20 ms: " + at.latencyMs().p99());
        assertTrue(at.throughput().isEmpty(), "offline was not asked for");
        Server server = at.server();
        assertEquals(Server.FIXED, server.mode());
        Server.Trial trial = server.trials().getFirst();
        assertEquals(20.0, trial.targetQps());
        assertTrue(trial.latencyMs().p99() >= 500, "open loop: queued requests count: p99 " + trial.latencyMs().p99());
        assertTrue(trial.maxQueueDepth() >= 5, "requests queued behind the stall: " + trial.maxQueueDepth());
        assertTrue(r.out().contains("max qps") && r.out().contains("fixed 20 qps"), "the console's server column: " + r.out());
        System.out.printf(Locale.ROOT, "stalling backend via compare: single-stream p50 %.1f p99 %.1f max %.0f ms; server 20 qps "
                        + "p99 %.0f ms, achieved %.2f, max queue %d%n", at.latencyMs().p50(), at.latencyMs().p99(),
                at.latencyMs().max(), trial.latencyMs().p99(), trial.achievedQps(), trial.maxQueueDepth());
    }

    /**
     * A fixed 10 ms backend via compare: {@code --server-p99-ms 50} runs a search whose recorded answer is its own
     * trials' answer: max_qps is the highest target of a trial that is valid with p99 <= 50, each trial's
     * within_bound says so, the lowest failing target above it lies within the search's 5% resolution, and max_qps is
     * below what one worker that takes at least the fastest single-stream request can serve. Whether the search finds
     * the queue's answer is ScenarioAcceptanceTest's, which knows the service times of the search itself; here only
     * single-stream's are known, taken at another moment on a shared machine, so a bound derived from them cannot
     * hold when other work bursts during the search (this test once retried when it did not).
     */
    @Test
    void theMaxQpsSearchResultIsWhatItsTrialsSay() throws Exception {
        Path plugins = StallingPlugin.build(tmp.resolve("plug"));
        Path out = tmp.resolve("fixed");
        double bound = 50;
        CliResult r = compare(plugins, out, "--in-process", "--backends", "stalling", "--models", "tiny", "--dataset", "fake:2",
                "--precisions", "fp32", "--reference", "none", "--perf-size", "16x16", "--scenarios", "single-stream,server",
                "--property", "stalling.base-ms=10", "--property", "stalling.stall-ms=10",
                "--warmup", "0.3", "--min-duration", "0", "--min-iterations", "400",
                "--server-p99-ms", "50", "--server-min-requests", "200", "--gallery", "0");
        assertEquals(0, r.code(), r.toString());
        Run run = only(ResultsJson.read(out));
        Server server = run.performance().getFirst().server();
        assertEquals(Server.SEARCH, server.mode());
        assertEquals(bound, server.p99BoundMs());
        assertNotNull(server.maxQps(), server.note());
        assertTrue(server.trials().size() >= 3, "a search: " + server.trials().size() + " trials");
        for (Server.Trial t : server.trials()) {
            assertEquals(t.valid() && t.latencyMs().p99() <= bound, t.withinBound(), "trial at " + t.targetQps());
            assertEquals(t.achievedQps() >= 0.95 * t.targetQps(), t.valid(), "trial at " + t.targetQps());
        }
        double highestPass = server.trials().stream().filter(t -> Boolean.TRUE.equals(t.withinBound()))
                .mapToDouble(Server.Trial::targetQps).max().orElseThrow();
        assertEquals(highestPass, server.maxQps());
        double lowestFailAbove = server.trials().stream().filter(t -> !t.withinBound() && t.targetQps() > highestPass)
                .mapToDouble(Server.Trial::targetQps).min().orElse(Double.NaN);
        assertTrue(server.note() != null || lowestFailAbove - highestPass <= 0.05 * highestPass + 1e-9,
                "bracketed to 5%: pass " + highestPass + ", fail " + lowestFailAbove);
        double fastestMs = run.latencyMs().min();
        assertTrue(server.maxQps() < 1000 / fastestMs, "max_qps " + server.maxQps() + " beyond one worker of "
                + fastestMs + " ms");
        assertTrue(r.out().contains(String.format(Locale.ROOT, "%.1f (p99 <= 50 ms)", server.maxQps())),
                "max QPS with its bound is a column of the console table: " + r.out());
        String trials = server.trials().stream().map(t -> String.format(Locale.ROOT, "%.1f->%.1f qps p99 %.1f ms%s",
                t.targetQps(), t.achievedQps(), t.latencyMs().p99(), t.valid() ? "" : " invalid")).toList().toString();
        System.out.printf(Locale.ROOT, "fixed 10 ms backend via compare: max_qps %.2f after %d trials %s%n",
                server.maxQps(), server.trials().size(), trials);
    }

    /**
     * The gate on the fixture fp32/fp16 runs (arch0 checkpoint, the five VOC sample images, a child JVM per run):
     * agreement >= 0.99 passes (exit 0); agreement >= 0.999999 fails (exit 4, after everything is written: the same
     * runs, reused by --resume, since the gate is judged after the runs and is not one of their inputs).
     */
    @Test
    void theGateOnTheFixtureRunsPassesFailsWithExitFourAndIsWrittenEverywhere() throws Exception {
        Path shared = Real.shared();
        Real.cpu(Real.plugins());
        Path out = tmp.resolve("gate");
        String[] common = {"--backends", "cpu", "--models", "arch0", "--precisions", "fp32,fp16", "--reference", "cpu:fp32",
            "--weights", "arch0=" + shared.resolve("data/nas-segm-reference/arch0-seed1.pth"),
            "--dataset", "voc:" + shared.resolve("data/voc2012-sample/VOCdevkit"), "--perf-size", "64x64,32x48",
            "--batch-sizes", "1,2", "--warmup", "0.05", "--min-duration", "0.05", "--min-iterations", "10", "--gallery", "0"};
        List<String> pass = new ArrayList<>(List.of(common));
        pass.addAll(List.of("--gate", "agreement>=0.99"));
        CliResult passed = compare(null, out, pass.toArray(String[]::new));
        assertEquals(0, passed.code(), passed.toString());
        Results res = ResultsJson.read(out);
        assertEquals("agreement>=0.99", res.settings().gate());
        assertEquals(List.of("64x64", "32x48"), res.settings().performance().load().perfSizes().stream().map(Object::toString).toList());
        Run fp32 = res.runs().stream().filter(x -> x.precision().equals("fp32")).findFirst().orElseThrow();
        Run fp16 = res.runs().stream().filter(x -> x.precision().equals("fp16")).findFirst().orElseThrow();
        assertEquals(Gate.NOT_APPLICABLE, fp32.gate().conditions().getFirst().status(), "the reference has no agreement");
        assertTrue(fp32.gate().passed());
        assertEquals(Gate.PASS, fp16.gate().conditions().getFirst().status());
        double agreement = fp16.agreement().pixelAgreement();
        assertTrue(agreement >= 0.99 && agreement < 0.999999, "fp16 agreement " + agreement);
        // the performance step ran in each child: both sizes, the first size repeated in the run's own fields
        for (Run run : List.of(fp32, fp16)) {
            assertEquals(List.of("64x64", "32x48"), run.performance().stream().map(PerformanceAtSize::size).toList());
            PerformanceAtSize first = run.performance().getFirst();
            assertEquals(first.latencyMs().p50(), run.latencyMs().p50());
            assertEquals(first.latencyHistogram(), run.latencyHistogram());
            assertTrue(first.latencyCi95Ms().p50().lo() <= run.latencyMs().p50() && run.latencyMs().p50() <= first.latencyCi95Ms().p50().hi(),
                    "p50 inside its interval");
            assertEquals(List.of(1, 2), first.throughput().stream().map(t -> t.batch()).toList());
            assertNotNull(first.measurement().unstable(), "the unstable flag is recorded");
            assertNotNull(first.telemetry());
        }
        String csv = Files.readString(out.resolve("summary.csv"));
        assertTrue(csv.lines().findFirst().orElseThrow().endsWith(",gate"), csv);
        assertEquals(2, csv.lines().filter(l -> l.endsWith(",pass")).count(), csv);
        assertTrue(passed.out().lines().anyMatch(l -> l.contains("gate")), "the console table has a gate column: " + passed.out());

        List<String> fail = new ArrayList<>(List.of(common));
        fail.addAll(List.of("--gate", "agreement>=0.999999", "--resume"));
        CliResult failed = compare(null, out, fail.toArray(String[]::new));
        assertEquals(GateEvaluator.EXIT_GATE_FAILED, failed.code(), failed.toString());
        assertTrue(failed.err().contains("resuming: 2 run(s) reused"), failed.err());
        assertTrue(failed.err().contains("1 run(s) failed the gate"), failed.err());
        Results after = ResultsJson.read(out);
        Run fp16after = after.runs().stream().filter(x -> x.precision().equals("fp16")).findFirst().orElseThrow();
        assertFalse(fp16after.gate().passed());
        assertEquals(Gate.FAIL, fp16after.gate().conditions().getFirst().status());
        assertEquals(agreement, fp16after.gate().conditions().getFirst().value());
        assertTrue(Files.readString(out.resolve("summary.csv")).contains("fail: agreement"), "summary.csv has the failure");
        // the report escapes > and = as HTML entities
        String report = org.jsoup.Jsoup.parse(Files.readString(out.resolve("report.html"))).text();
        assertTrue(report.contains("fail: agreement>=0.999999 (agreement"), "the report shows the failed gate: " + failed.err());
    }

    /** Several sizes and the scenario columns through a fast in-process compare on the fake backend. */
    @Test
    void everyPerfSizeIsMeasuredAndTheSummaryHasTheScenarioColumns() throws Exception {
        Path out = tmp.resolve("sizes");
        CliResult r = compare(null, out, "--in-process", "--backends", "fake", "--models", "tiny", "--dataset", "fake:2",
                "--precisions", "fp32", "--reference", "fake:fp32", "--perf-size", "40x56,24x24", "--batch-sizes", "1,3",
                "--warmup", "0.01", "--min-duration", "0.01", "--min-iterations", "3", "--gallery", "0");
        assertEquals(0, r.code(), r.toString());
        Results res = ResultsJson.read(out);
        Run run = only(res);
        assertEquals(List.of("40x56", "24x24"), run.performance().stream().map(PerformanceAtSize::size).toList());
        assertEquals(run.performance().getFirst().latencyMs().p50(), run.latencyMs().p50());
        assertEquals(run.performance().getFirst().latencyHistogram(), run.latencyHistogram());
        assertEquals(List.of(1, 3), run.throughput().stream().map(Run.Throughput::batch).toList());
        assertNull(run.gate(), "no --gate, no verdict");
        assertEquals("single-stream,offline", dev.segbench.results.settings.LoadSettings.ids(res.settings().performance().load().scenarios()));
        String header = Files.readString(out.resolve("summary.csv")).lines().findFirst().orElseThrow();
        for (String column : List.of("unstable", "robust_spread", "p50_ci95_lo_ms", "p99_ci95_hi_ms", "best_in_flight",
                "max_qps", "p99_bound_ms", "gate")) {
            assertTrue(header.contains(column), column + " in " + header);
        }
        assertFalse(r.out().lines().findFirst().orElse("").contains("gate"), "no gate column without --gate: " + r.out());
    }

    private void assertOneLine(CliResult r, String... fragments) {
        assertEquals(2, r.code(), r.toString());
        List<String> errors = r.errLines().stream().filter(l -> l.startsWith("segbench:")).toList();
        assertEquals(1, errors.size(), "exactly one error line: " + r);
        assertFalse(errors.getFirst().contains("Exception"), errors.getFirst());
        for (String f : fragments) {
            assertTrue(errors.getFirst().contains(f), "'" + f + "' in: " + errors.getFirst());
        }
        assertFalse(Files.exists(tmp.resolve("bad")), "nothing was written before the error");
    }

    private CliResult bad(String... more) {
        List<String> args = new ArrayList<>(List.of("--backends", "fake", "--models", "tiny", "--dataset", "fake:1", "--in-process"));
        args.addAll(List.of(more));
        return compare(null, tmp.resolve("bad"), args.toArray(String[]::new));
    }

    @Test
    void badScenarioInputIsOneLineEach() {
        assertOneLine(bad("--server-qps", "0"), "--server-qps", "> 0");
        assertOneLine(bad("--server-qps", "-5"), "--server-qps", "> 0");
        assertOneLine(bad("--server-qps", "fast"), "--server-qps", "not a number");
        assertOneLine(bad("--server-p99-ms", "0"), "--server-p99-ms", "> 0");
        assertOneLine(bad("--server-p99-ms", "-1"), "--server-p99-ms", "> 0");
        assertOneLine(bad("--perf-size", ""), "--perf-size", "give at least one size");
        assertOneLine(bad("--perf-size", "512x512,"), "--perf-size", "empty entry");
        assertOneLine(bad("--perf-size", "512by512"), "--perf-size", "'512by512' is not HxW");
        assertOneLine(bad("--perf-size", "0x512"), "--perf-size", "0x512");
        assertOneLine(bad("--batch-sizes", ""), "--batch-sizes");
        assertOneLine(bad("--batch-sizes", "1,x"), "--batch-sizes", "'x' is not a whole number");
        assertOneLine(bad("--in-flight", "0"), "--in-flight", "0 is not in 1..256");
        assertOneLine(bad("--scenarios", "single-stream,burst"), "--scenarios", "'burst' is not a scenario");
        assertOneLine(bad("--scenarios", "server"), "--scenarios server", "--server-p99-ms");
        assertOneLine(bad("--scenarios", "offline", "--server-qps", "5"), "--server-qps", "not among --scenarios");
        assertOneLine(bad("--arrivals", "bursty"), "--arrivals", "poisson or uniform");
        assertOneLine(bad("--server-min-requests", "0"), "--server-min-requests");
        assertOneLine(bad("--server-p99-ms", "50", "--server-latency-percentile", "95"), "--server-p99-ms",
                "give --server-latency-ms instead");
        assertOneLine(bad("--server-p99-ms", "50", "--server-latency-ms", "50"), "--server-p99-ms", "not both");
        assertOneLine(bad("--server-latency-ms", "50", "--server-latency-percentile", "100"), "--server-latency-percentile",
                "not in (0, 100)");
    }

    @Test
    void aMalformedGateIsOneLineWithExitTwoBeforeAnythingRuns() {
        assertOneLine(bad("--gate", "agreement>>0.99"), "--gate", "agreement>>0.99");
        assertOneLine(bad("--gate", "speed>=3"), "--gate", "speed");
        assertOneLine(bad("--gate", "agreement>=0.99,"), "--gate");
        assertOneLine(bad("--gate", "p99-ms<=fast"), "--gate", "p99-ms<=fast");
    }

    @Test
    void helpNamesExitFourAndEveryGateMetric() {
        assertEquals(GateMetric.known(), CompareCommand.GATE_METRICS);
        CliResult r = CliResult.run("compare", "--help");
        assertEquals(0, r.code(), r.toString());
        String help = r.out().replaceAll("\\s+", " ");
        assertTrue(help.contains("4 results written but some run failed its --gate"), help);
        for (String option : List.of("--scenarios", "--in-flight", "--arrivals", "--server-p99-ms", "--server-qps",
                "--server-seed", "--server-min-requests", "--server-latency-ms", "--server-latency-percentile",
                "--server-search-budget", "--gate")) {
            assertTrue(help.contains(option), option);
        }
    }
}
