package dev.segbench.harness.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.harness.CliResult;
import dev.segbench.harness.Messages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 point 5: every user-facing error names the file or option and the problem in words, on one line, with
 * no exception class name; a list of bad inputs to every command drives it. All compares here stop before a run.
 */
class ErrorWordingTest {

    @TempDir
    Path tmp;

    /** A bad input, the exit status it must give and words its one error line must contain. */
    private record Case(List<String> args, int code, List<String> words) {
        static Case of(int code, List<String> words, String... args) {
            return new Case(List.of(args), code, words);
        }
    }

    private List<Case> cases() throws Exception {
        Path file = Files.writeString(tmp.resolve("a-file.txt"), "not a folder");
        Path garbageResults = Files.createDirectories(tmp.resolve("garbage"));
        Files.writeString(garbageResults.resolve("results.json"), "{ not json");
        Path wrongSchema = Files.createDirectories(tmp.resolve("future"));
        Files.writeString(wrongSchema.resolve("results.json"), "{\"schema_version\": 99}");
        Path corruptImage = Files.writeString(tmp.resolve("corrupt.jpg"), "no JPEG here");
        Path weightsDir = Files.createDirectories(tmp.resolve("weights-dir"));
        String out = tmp.resolve("out").toString();
        String[] compare = {"compare", "--backends", "fake", "--models", "tiny", "--dataset", "fake:2", "--out", out};
        List<Case> c = new ArrayList<>();
        c.add(Case.of(2, List.of("--out /proc/segbench-nope", "cannot create the results folder"),
                with(compare, "--out", "/proc/segbench-nope")));
        c.add(Case.of(2, List.of("--out " + file, "cannot create the results folder (a file of that name exists)"), with(compare, "--out", file.toString())));
        c.add(Case.of(2, List.of("--property", "fake.nope", "fake.fail"), with(compare, "--property", "fake.nope=1")));
        c.add(Case.of(2, List.of("--property", "unknown property exploding.foo"), with(compare, "--backends", "fake,exploding",
                "--property", "exploding.foo=1")));
        c.add(Case.of(2, List.of("--property nodot", "no backend reads it"), with(compare, "--property", "nodot=1")));
        c.add(Case.of(2, List.of(weightsDir.toString()), with(compare, "--weights", "tiny=" + weightsDir)));
        c.add(Case.of(2, List.of("--weights"), with(compare, "--weights", "tiny")));
        c.add(Case.of(2, List.of("--limit"), with(compare, "--limit", "-1")));
        c.add(Case.of(2, List.of("--batch-sizes"), with(compare, "--batch-sizes", "x")));
        c.add(Case.of(2, List.of("--cv-threshold"), with(compare, "--cv-threshold", "abc")));
        c.add(Case.of(2, List.of("--run-timeout"), with(compare, "--run-timeout", "5x")));
        c.add(Case.of(2, List.of("--perf-size"), with(compare, "--perf-size", "0x0")));
        c.add(Case.of(2, List.of("--reference"), with(compare, "--reference", "nope:fp32")));
        c.add(Case.of(2, List.of("--reference"), with(compare, "--reference", "fake:int3")));
        c.add(Case.of(2, List.of("--on-bad-sample"), with(compare, "--on-bad-sample", "ignore")));
        c.add(Case.of(2, List.of("--shard"), with(compare, "--shard", "a/b")));
        c.add(Case.of(2, List.of("/nonexistent-voc"), with(compare, "--dataset", "voc:/nonexistent-voc")));
        c.add(Case.of(2, List.of("--plugins", "not a folder"), "--plugins", file.toString(), "backends"));
        c.add(Case.of(2, List.of("results.json"), "report", garbageResults.toString()));
        c.add(Case.of(2, List.of("schema_version 99"), "report", wrongSchema.toString()));
        c.add(Case.of(2, List.of("no such results folder"), "report", tmp.resolve("none").toString(), "--compare",
                tmp.resolve("none2").toString()));
        c.add(Case.of(2, List.of("results.json"), "merge", garbageResults.toString(), "--out", tmp.resolve("m").toString()));
        c.add(Case.of(2, List.of(corruptImage.toString()), "predict", "--model", "tiny", "--backend", "fake", "--image",
                corruptImage.toString(), "--out-mask", tmp.resolve("m.png").toString()));
        c.add(Case.of(2, List.of("unknown model 'nope'"), "models", "export", "--model", "nope", "--out",
                tmp.resolve("x.onnx").toString()));
        c.add(Case.of(2, List.of("--decode-threads"), with(compare, "--decode-threads", "0")));
        c.add(Case.of(2, List.of("--gallery"), with(compare, "--gallery", "-1")));
        c.add(Case.of(2, List.of("--warmup"), with(compare, "--warmup", "-1")));
        c.add(Case.of(2, List.of("--min-iterations"), with(compare, "--min-iterations", "0")));
        c.add(Case.of(2, List.of("--threads"), with(compare, "--threads", "-1")));
        c.add(Case.of(2, List.of("--cv-threshold"), with(compare, "--cv-threshold", "-0.5")));
        c.add(Case.of(2, List.of("nosuch"), with(compare, "--dataset", "synthetic:4", "--ids", "nosuch")));
        c.add(Case.of(2, List.of("synthetic"), with(compare, "--dataset", "synthetic:abc")));
        c.add(Case.of(2, List.of("--cache-dir " + file, "not a folder"), with(compare, "--cache-dir", file.toString())));
        c.add(Case.of(2, List.of("--out /proc/segbench-nope/x.onnx", "cannot write"), "models", "export", "--model", "tiny", "--out",
                "/proc/segbench-nope/x.onnx"));
        return c;
    }

    private static String[] with(String[] base, String... more) {
        List<String> all = new ArrayList<>(List.of(base));
        for (int i = 0; i < more.length; i++) {
            int at = more[i].startsWith("--") ? all.indexOf(more[i]) : -1;
            if (at >= 0 && i + 1 < more.length && !more[i + 1].startsWith("--")) {
                all.set(at + 1, more[++i]); // replace the option's value
            } else {
                all.add(more[i]);
            }
        }
        return all.toArray(String[]::new);
    }

    @Test
    void badInputsGiveOneLineInWordsWithoutExceptionClassNames() throws Exception {
        List<String> problems = new ArrayList<>();
        for (Case c : cases()) {
            CliResult r = CliResult.run(c.args().toArray(String[]::new));
            String what = String.join(" ", c.args()) + "\n" + r;
            List<String> errors = r.errLines().stream().filter(l -> l.startsWith("segbench:")).toList();
            if (r.code() != c.code() || errors.size() != 1) {
                problems.add("exit " + r.code() + " / " + errors.size() + " error lines: " + what);
                continue;
            }
            String line = errors.getFirst();
            System.out.println(String.join(" ", c.args()).replace(tmp.toString(), "TMP") + "\n  -> " + line.replace(tmp.toString(), "TMP"));
            String everything = r.out() + String.join("\n", r.errLines());
            if (Messages.EXCEPTION_CLASS_NAME.matcher(everything).find() || everything.contains("\tat ")) {
                problems.add("exception class name or stack trace: " + what);
            }
            if (!line.equals(r.errLines().getLast())) {
                problems.add("the error is not the last line: " + what);
            }
            if (r.err().contains("no --dataset given")) {
                problems.add("the default-dataset note came before an error: " + what);
            }
            for (String w : c.words()) {
                if (!line.contains(w)) {
                    problems.add("'" + w + "' missing in: " + line);
                }
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n\n", problems));
    }

    @Test
    void theDefaultDatasetNoteComesOnlyAfterValidation() {
        CliResult bad = CliResult.run("compare", "--backends", "fake", "--models", "nope", "--out", tmp.resolve("o").toString());
        assertEquals(2, bad.code(), bad.toString());
        assertFalse(bad.err().contains("no --dataset given"), bad.toString());

        CliResult good = CompareEndToEndTest.compareInProcess(tmp.resolve("ok"), "--backends", "fake", "--models", "tiny",
                "--precisions", "fp32", "--gallery", "0", "--limit", "1");
        assertEquals(0, good.code(), good.toString());
        assertTrue(good.err().contains("no --dataset given: a first look on synthetic:8"), good.toString());
    }

    @Test
    void listingsSayBrokenPluginsInWords() {
        for (String cmd : List.of("backends", "models", "datasets", "env")) {
            CliResult r = CliResult.run(cmd);
            assertEquals(0, r.code(), r.toString());
            assertFalse(Messages.EXCEPTION_CLASS_NAME.matcher(r.out() + String.join("\n", r.errLines())).find(), r.toString());
        }
    }

    @Test
    void messagesSayFileProblemsInWords() {
        assertEquals("/proc/x: no such file or folder", Messages.oneLine(new java.nio.file.NoSuchFileException("/proc/x")));
        assertEquals("/a: permission denied", Messages.oneLine(new java.nio.file.AccessDeniedException("/a")));
        assertEquals("kaboom", Messages.oneLine(new IllegalStateException("kaboom")));
        assertEquals("bad thing", Messages.oneLine(new RuntimeException("java.lang.IllegalArgumentException: bad thing")));
        assertFalse(Messages.EXCEPTION_CLASS_NAME.matcher(Messages.oneLine(new NullPointerException())).find());
        assertEquals("out of memory (Java heap space)", Messages.oneLine(new OutOfMemoryError("Java heap space")));
        assertEquals("a native library or class cannot be loaded (no jniopencv_core in java.library.path)",
                Messages.oneLine(new UnsatisfiedLinkError("no jniopencv_core in java.library.path")));
    }
}
