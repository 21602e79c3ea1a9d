package dev.segbench.harness.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.results.Results;
import dev.segbench.results.ResultsJson;
import dev.segbench.results.Run;
import dev.segbench.harness.CliProcess;
import dev.segbench.harness.CliResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A compare of 6 runs (3 models x 2 precisions on the fake backend, each run a few seconds) in a real process:
 * interrupted with SIGINT, or killed with SIGKILL, then finished with --resume.
 */
class InterruptAndResumeTest {

    @TempDir
    Path tmp;

    private static List<String> args(Path out, String... more) {
        return argsWith(out, "tiny,tiny2,tiny4", "1.0", more);
    }

    private static List<String> argsWith(Path out, String models, String minDuration, String... more) {
        List<String> a = new ArrayList<>(List.of("compare", "--backends", "fake", "--models", models,
                "--precisions", "fp32,fp16", "--dataset", "fake:4", "--reference", "fake:fp32", "--warmup", "0.01",
                "--min-duration", minDuration, "--min-iterations", "3", "--batch-sizes", "1", "--perf-size", "40x56",
                "--gallery", "1", "--progress", "never", "--out", out.toString()));
        a.addAll(List.of(more));
        return a;
    }

    private static List<Path> records(Path out) throws IOException {
        Path runs = out.resolve("runs");
        if (!Files.isDirectory(runs)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(runs)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".json")).toList();
        }
    }

    private static void awaitRecords(Path out, int n, CliProcess p) throws Exception {
        long deadline = System.nanoTime() + 180_000_000_000L;
        while (records(out).size() < n) {
            if (!p.process().isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("no " + n + " records in " + out + "\n" + p);
            }
            Thread.sleep(25);
        }
    }

    private static void awaitFile(Path f, CliProcess p) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!Files.exists(f)) {
            if (!p.process().isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("no " + f + "\n" + p);
            }
            Thread.sleep(10);
        }
    }

    /** Children end with their parent: none is left running with this results folder in its command line. */
    private static void assertNoChildLeft(Path out) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!CliProcess.processesMentioning(out.toString()).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(List.of(), CliProcess.processesMentioning(out.toString()).stream()
                .map(h -> h.info().commandLine().orElse("?")).toList());
    }

    private static Map<String, Long> statuses(Results r) {
        return r.runs().stream().collect(Collectors.groupingBy(Run::status, Collectors.counting()));
    }

    private static List<String> executed(CliResult r) {
        return r.err().lines().filter(l -> l.startsWith("running ")).map(l -> l.substring("running ".length())).toList();
    }

    /** Same runs, same confusion matrices and agreement: what an uninterrupted compare gives. */
    private static void assertSameResults(Results expected, Results actual) {
        Map<String, Run> byKey = actual.runs().stream().collect(Collectors.toMap(Run::key, Function.identity()));
        assertEquals(expected.runs().stream().map(Run::key).toList(), actual.runs().stream().map(Run::key).toList());
        for (Run e : expected.runs()) {
            Run a = byKey.get(e.key());
            assertEquals(Run.OK, a.status(), a.key() + ": " + a.reason());
            assertArrayEquals(e.accuracy().confusionMatrix(), a.accuracy().confusionMatrix(), e.key());
            assertEquals(e.accuracy().miou(), a.accuracy().miou(), e.key());
            assertEquals(e.agreement() == null, a.agreement() == null, e.key());
            if (e.agreement() != null) {
                assertArrayEquals(e.agreement().confusionMatrix(), a.agreement().confusionMatrix(), e.key());
                assertEquals(e.agreement().pixelAgreement(), a.agreement().pixelAgreement(), e.key());
            }
        }
        assertEquals(expected.gallery().size(), actual.gallery().size());
    }

    @Test
    void sigintAfterTwoRunsThenResumeRunsTheOtherFour() throws Exception {
        Path out = tmp.resolve("out");
        // the third run (tiny2/fake/fp32) holds in its session's open() until `release` exists, so SIGINT lands while
        // it is in flight however fast or slow this machine is; the same settings (and so fingerprints) throughout
        Path release = tmp.resolve("release");
        String[] hold = {"--property", "fake.hold-model=tiny2", "--property", "fake.hold-until=" + release};
        CliProcess p = CliProcess.start(tmp.resolve("p1"), Map.of(), List.of(), args(out, hold).toArray(String[]::new));
        awaitRecords(out, 2, p);
        awaitFile(Path.of(release + ".held"), p); // the third run is in flight, and stays so
        p.signal("INT");
        assertEquals(Interruption.EXIT_STATUS, p.await(120), p.toString());
        assertTrue(p.err().contains("interrupted: the results so far are written"), p.toString());
        assertNoChildLeft(out);

        Results stopped = ResultsJson.read(out);
        assertEquals(Map.of(Run.OK, 2L, Run.INTERRUPTED, 1L, Run.PENDING, 3L), statuses(stopped), stopped.runs().toString());
        assertEquals(2, records(out).size(), "the interrupted run left no record");
        assertFalse(Files.exists(out.resolve("results.json.tmp")));

        Files.writeString(release, "go");
        List<String> resumeArgs = new ArrayList<>(args(out, hold));
        resumeArgs.add("--resume");
        CliResult resumed = CliResult.run(resumeArgs.toArray(String[]::new));
        assertEquals(0, resumed.code(), resumed.toString());
        assertEquals(4, executed(resumed).size(), resumed.err());
        assertTrue(resumed.err().contains("resuming: 2 run(s) reused"), resumed.err());
        Results finished = ResultsJson.read(out);
        assertEquals(2, finished.runs().stream().filter(Run::reused).count());
        Set<String> reusedKeys = finished.runs().stream().filter(Run::reused).map(Run::key).collect(Collectors.toSet());
        assertTrue(executed(resumed).stream().noneMatch(reusedKeys::contains), "reused runs do not run again");

        Path whole = tmp.resolve("whole");
        List<String> wholeArgs = new ArrayList<>(args(whole, hold));
        wholeArgs.add("--in-process"); // faster, same numbers
        CliResult uninterrupted = CliResult.run(wholeArgs.toArray(String[]::new));
        assertEquals(0, uninterrupted.code(), uninterrupted.toString());
        assertSameResults(ResultsJson.read(whole), finished);
    }

    @Test
    void sigkillOfTheParentThenResumeRedoesOnlyTheRunInFlight() throws Exception {
        Path out = tmp.resolve("out");
        CliProcess p = CliProcess.start(tmp.resolve("p1"), Map.of(), List.of(), args(out).toArray(String[]::new));
        awaitRecords(out, 3, p);
        p.signal("KILL");
        assertEquals(137, p.await(60));
        assertNoChildLeft(out); // the child in flight notices its parent is gone and ends

        List<String> recorded = new ArrayList<>();
        for (Path f : records(out)) {
            recorded.add(ResultsJson.mapper().readTree(f.toFile()).path("key").asText());
        }
        assertTrue(recorded.size() >= 3 && recorded.size() < 6, recorded.toString());
        // results.json is written while the next run's process starts: at most one run behind the records
        long okBefore = statuses(ResultsJson.read(out)).getOrDefault(Run.OK, 0L);
        assertTrue(okBefore == recorded.size() || okBefore == recorded.size() - 1, okBefore + " ok vs " + recorded);

        CliResult resumed = CliResult.run(args(out, "--resume").toArray(String[]::new));
        assertEquals(0, resumed.code(), resumed.toString());
        List<String> ran = executed(resumed);
        assertEquals(6 - recorded.size(), ran.size(), resumed.err());
        assertTrue(ran.stream().noneMatch(recorded::contains), ran + " vs recorded " + recorded);
        assertEquals(Map.of(Run.OK, 6L), statuses(ResultsJson.read(out)));
    }

    @Test
    void changedSettingsRerunWithOneLineSayingWhy() throws Exception {
        Path out = tmp.resolve("out");
        assertEquals(0, CliResult.run(argsWith(out, "tiny", "0.01").toArray(String[]::new)).code());
        CliResult r = CliResult.run(argsWith(out, "tiny", "0.02", "--resume").toArray(String[]::new));
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("tiny/fake/fp32: running it again: min_duration_seconds 0.01 -> 0.02"), r.err());
        assertEquals(2, executed(r).size(), r.err());
        assertTrue(ResultsJson.read(out).runs().stream().noneMatch(Run::reused));
    }
}
