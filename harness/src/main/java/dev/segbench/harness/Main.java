package dev.segbench.harness;

import dev.segbench.harness.cli.Cli;

/** Entry point of the {@code segbench} command line. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        int code = Cli.execute(System.out, System.err, args);
        System.out.flush();
        System.exit(code);
    }
}
