package dev.segbench.harness;

import dev.segbench.harness.cli.Cli;

/** Entry point of the {@code segbench} command line. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        // segbench's messages keep the console; native libraries' own messages may be routed to a log (compare)
        int code = Cli.execute(System.out, dev.segbench.harness.exec.NativeStderr.console(System.err), args);
        System.out.flush();
        System.exit(code);
    }
}
