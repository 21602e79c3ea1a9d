package dev.segbench.harness;

import dev.segbench.harness.cli.Cli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the command line in-process and captures exit code, stdout and stderr. */
public record CliResult(int code, String out, String err) {

    public static CliResult run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Cli.execute(o, e, args);
        }
        return new CliResult(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Lines of stderr that are not JVM warnings about native access or Unsafe (those come from libraries). */
    public java.util.List<String> errLines() {
        return err.lines().filter(l -> !l.startsWith("WARNING:") && !l.isBlank()).toList();
    }

    /**
     * A user error as every command must report it: exit 2, exactly one "segbench:" line, the last one, naming each of
     * {@code fragments}, with no exception class name and no stack trace.
     */
    public static void assertOneLineUserError(CliResult r, String... fragments) {
        org.junit.jupiter.api.Assertions.assertEquals(2, r.code(), r.toString());
        java.util.List<String> errors = r.errLines().stream().filter(l -> l.startsWith("segbench:")).toList();
        org.junit.jupiter.api.Assertions.assertEquals(1, errors.size(), "exactly one error line on stderr: " + r);
        String line = errors.getFirst();
        org.junit.jupiter.api.Assertions.assertEquals(line, r.errLines().getLast(), "the error is the last line");
        org.junit.jupiter.api.Assertions.assertFalse(line.contains("Exception"), "no exception class names for user errors: " + line);
        org.junit.jupiter.api.Assertions.assertFalse(r.err().contains("\tat "), "no stack trace: " + r);
        for (String f : fragments) {
            org.junit.jupiter.api.Assertions.assertTrue(line.contains(f), "'" + f + "' in: " + line);
        }
    }

    @Override
    public String toString() {
        return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
