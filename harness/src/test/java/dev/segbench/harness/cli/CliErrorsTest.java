package dev.segbench.harness.cli;

import static dev.segbench.harness.CliResult.assertOneLineUserError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.harness.CliResult;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliErrorsTest {

    @TempDir
    Path tmp;

    @Test
    void unknownBackendListsTheKnownOnes() {
        CliResult r = CliResult.run("compare", "--backends", "nope", "--models", "tiny", "--dataset", "fake:2",
                "--out", tmp.resolve("o").toString());
        assertOneLineUserError(r, "unknown backend 'nope'", "fake", "absent", "exploding");
    }

    @Test
    void unknownModelListsTheKnownOnes() {
        CliResult r = CliResult.run("compare", "--backends", "fake", "--models", "nope", "--dataset", "fake:2",
                "--out", tmp.resolve("o").toString());
        assertOneLineUserError(r, "unknown model 'nope'", "tiny", "tiny4");
    }

    @Test
    void missingWeightsFileNamesTheFile() {
        Path missing = tmp.resolve("missing.pth");
        CliResult r = CliResult.run("compare", "--backends", "fake", "--models", "tiny", "--weights", "tiny=" + missing,
                "--dataset", "fake:2", "--out", tmp.resolve("o").toString());
        assertOneLineUserError(r, missing.toString(), "does not exist");
    }

    @Test
    void badCheckpointIsAModelErrorWithExitTwo() throws Exception {
        Path bad = java.nio.file.Files.writeString(tmp.resolve("bad.pth"), "garbage");
        CliResult r = CliResult.run("compare", "--backends", "fake", "--models", "tiny", "--weights", "tiny=" + bad,
                "--dataset", "fake:2", "--out", tmp.resolve("o").toString());
        assertOneLineUserError(r, bad.toString(), "not a fake checkpoint");
    }

    @Test
    void badSampleUnderFailPolicyIsAUserError() {
        CliResult r = CliResult.run("compare", "--backends", "fake", "--models", "tiny", "--dataset", "fake:3,bad=1",
                "--reference", "fake:fp32", "--precisions", "fp32", "--warmup", "0", "--min-duration", "0",
                "--min-iterations", "1", "--out", tmp.resolve("o").toString());
        assertOneLineUserError(r, "fake-1.jpg: truncated JPEG");
    }

    @Test
    void badOptionsAndValues() {
        assertOneLineUserError(CliResult.run("compare", "--bogus"), "Unknown option: '--bogus'");
        assertOneLineUserError(CliResult.run("compare", "--models", "tiny", "--shard", "3/2", "--dataset", "fake:1"), "--shard");
        assertOneLineUserError(CliResult.run("compare", "--models", "tiny", "--precisions", "int4", "--dataset", "fake:1"),
                "unknown precision 'int4'", "int8");
        assertOneLineUserError(CliResult.run("compare", "--models", "tiny", "--perf-size", "big"), "--perf-size");
        assertOneLineUserError(CliResult.run("compare", "--models", "tiny", "--dataset", "nosuch:x", "--backends", "fake"),
                "unknown dataset scheme 'nosuch'", "fake");
        assertOneLineUserError(CliResult.run("report", tmp.resolve("none").toString()), "no such results folder");
        assertOneLineUserError(CliResult.run("merge", tmp.resolve("none").toString(), "--out", tmp.resolve("m").toString()),
                "no such results folder");
        assertOneLineUserError(CliResult.run("datasets", "fetch", "voc1999", "--dir", tmp.toString()), "nothing can download 'voc1999'");
        assertOneLineUserError(CliResult.run("--plugins", tmp.resolve("nodir").toString(), "backends"), "plugin folder does not exist");
        assertOneLineUserError(CliResult.run("predict", "--model", "tiny", "--backend", "fake", "--image",
                tmp.resolve("x.jpg").toString(), "--out-mask", tmp.resolve("m.png").toString()), "x.jpg", "does not exist");
    }

    /** A bad --baseline is one line naming the option, before anything runs (exit 2). */
    @Test
    void badBaselineIsOneLineNamingTheOption() {
        String out = tmp.resolve("o").toString();
        assertOneLineUserError(CliResult.run("compare", "--models", "tiny", "--backends", "fake", "--dataset", "fake:1",
                "--baseline", "fake", "--out", out), "--baseline: 'fake' is not BACKEND:PRECISION (e.g. cpu:fp32)");
        assertOneLineUserError(CliResult.run("compare", "--models", "tiny", "--backends", "fake", "--dataset", "fake:1",
                "--baseline", "fake:fp64", "--out", out), "--baseline:", "fp64");
        assertOneLineUserError(CliResult.run("compare", "--models", "tiny", "--backends", "fake", "--dataset", "fake:1",
                "--baseline", "nope:fp32", "--out", out), "--baseline: backend 'nope' is not among the compared backends");
        assertOneLineUserError(CliResult.run("compare", "--models", "tiny", "--backends", "fake", "--dataset", "fake:1",
                "--precisions", "fp32", "--baseline", "fake:fp16", "--out", out), "--baseline: precision fp16 is not among --precisions");
        assertFalse(java.nio.file.Files.exists(tmp.resolve("o").resolve("results.json")), "nothing ran");
    }

    @Test
    void everyDurationOptionTakesOneSyntax() throws Exception {
        Path out = tmp.resolve("durations");
        CliResult r = CliResult.run("compare", "--backends", "fake", "--models", "tiny", "--precisions", "fp32",
                "--dataset", "fake:1", "--reference", "none", "--scenarios", "single-stream", "--batch-sizes", "1", "--perf-size", "8x8",
                "--gallery", "0", "--in-process", "--progress", "never", "--warmup", "20ms", "--min-duration", "0.05s",
                "--min-iterations", "3", "--run-timeout", "1.5m", "--stall-timeout", "90", "--out", out.toString());
        assertEquals(0, r.code(), r.toString());
        dev.segbench.results.settings.Settings s = dev.segbench.results.ResultsJson.read(out).settings();
        assertEquals(0.02, s.performance().warmupSeconds(), 1e-12);
        assertEquals(0.05, s.performance().minDurationSeconds(), 1e-12);
        assertOneLineUserError(CliResult.run("compare", "--models", "tiny", "--warmup", "2 parsecs"), "--warmup",
                "'2 parsecs' is not a duration (e.g. 500ms, 2s, 10m, 1h; a bare number is seconds)");
        assertOneLineUserError(CliResult.run("compare", "--models", "tiny", "--run-timeout", "soon"), "--run-timeout");
    }

    @Test
    void debugShowsTheStackTrace() {
        CliResult r = CliResult.run("--debug", "compare", "--backends", "nope", "--models", "tiny", "--dataset", "fake:1");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("\tat "), r.toString());
    }

    @Test
    void helpEverywhere() {
        for (String[] cmd : new String[][] {{"--help"}, {"compare", "--help"}, {"predict", "--help"}, {"backends", "--help"},
                {"models", "--help"}, {"models", "export", "--help"}, {"datasets", "--help"}, {"datasets", "fetch", "--help"},
                {"report", "--help"}, {"merge", "--help"}, {"env", "--help"}}) {
            CliResult r = CliResult.run(cmd);
            assertEquals(0, r.code(), String.join(" ", cmd) + ": " + r);
            assertTrue(r.out().startsWith("Usage: segbench"), r.out());
        }
    }

    @Test
    void listings() {
        CliResult b = CliResult.run("backends");
        assertEquals(0, b.code(), b.toString());
        assertTrue(b.out().lines().anyMatch(l -> l.startsWith("absent ") && l.contains("no") && l.contains("libabsent.so not found")), b.out());
        assertTrue(b.out().lines().anyMatch(l -> l.startsWith("fake ") && l.contains("yes") && l.contains("fake-1.0")), b.out());
        assertTrue(b.out().lines().anyMatch(l -> l.startsWith("broken ") && l.contains("availability probe failed")
                && l.contains("some/missing/Probe")), b.out());
        CliResult m = CliResult.run("models");
        assertTrue(m.out().lines().anyMatch(l -> l.startsWith("tiny4") && l.contains("[fake]")), m.out());
        CliResult d = CliResult.run("datasets");
        assertTrue(d.out().lines().anyMatch(l -> l.startsWith("fake ")), d.out());
        CliResult e = CliResult.run("env");
        assertEquals(0, e.code(), e.toString());
        assertTrue(e.out().contains("\"cores\""), e.out());
        assertTrue(e.out().contains("backend absent: unavailable: libabsent.so not found"), e.out());
    }

    @Test
    void exportWritesTheArtifactBytes() throws Exception {
        Path onnx = tmp.resolve("tiny.onnx");
        CliResult r = CliResult.run("models", "export", "--model", "tiny", "--out", onnx.toString());
        assertEquals(0, r.code(), r.toString());
        assertEquals("fake", java.nio.file.Files.readString(onnx));
    }

    /** picocli reads descriptions as format strings: a bare % (e.g. "99.99% of |x|") makes it warn on stderr. */
    @Test
    void everyHelpTextFormatsWithoutPicocliWarnings() {
        java.io.PrintStream saved = System.err;
        java.io.ByteArrayOutputStream stderr = new java.io.ByteArrayOutputStream();
        java.util.List<String> outputs = new java.util.ArrayList<>();
        System.setErr(new java.io.PrintStream(stderr, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            for (String command : java.util.List.of("compare", "diagnose", "predict", "backends", "models", "models export", "datasets",
                    "datasets fetch", "env", "merge", "report")) {
                java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(command.split(" ")));
                args.add("--help");
                CliResult r = CliResult.run(args.toArray(String[]::new));
                assertEquals(0, r.code(), r.toString());
                outputs.add(r.out());
            }
        } finally {
            System.setErr(saved);
        }
        String warnings = stderr.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertFalse(warnings.contains("picocli WARN"), warnings);
        assertTrue(outputs.getFirst().contains("99.99% of |x|"), outputs.getFirst());
    }
}
