package dev.segbench.harness.cli;

import dev.segbench.api.BadSampleException;
import dev.segbench.api.CacheFolder;
import dev.segbench.api.DatasetException;
import dev.segbench.api.ModelException;
import dev.segbench.api.Progress;
import dev.segbench.results.UserException;
import dev.segbench.harness.plugins.Plugins;
import dev.segbench.harness.Messages;
import dev.segbench.harness.env.EnvironmentProbe;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code segbench} command: global options, subcommands, and the mapping of errors to exit codes. */
@Command(name = "segbench", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
        description = "Compare inference backends for NAS-segm segmentation models: mIoU, latency, throughput.",
        subcommands = {CompareCommand.class, DiagnoseCommand.class, PredictCommand.class, BackendsCommand.class, ModelsCommand.class,
                DatasetsCommand.class, ReportCommand.class, MergeCommand.class, EnvCommand.class,
                CommandLine.HelpCommand.class})
public final class Cli implements Runnable {

    /** Exit code for bad input: options, files, checkpoints, datasets. */
    public static final int USER_ERROR = 2;
    public static final int INTERNAL_ERROR = 1;
    /** Exit code of compare when every result was written but at least one run failed (CI can gate on it). */
    public static final int SOME_RUNS_FAILED = 3;

    @Option(names = "--plugins", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "Also load plugin jars from DIR (besides ./plugins and $SEGBENCH_HOME/plugins); repeatable.")
    List<Path> pluginDirs = new ArrayList<>();

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Show stack traces of errors.")
    boolean debug;

    @Option(names = "--progress", paramLabel = "auto|always|never", scope = ScopeType.INHERIT, defaultValue = "auto",
            description = "Progress bars on stderr: auto (only on a terminal), always, never (default: ${DEFAULT-VALUE}).")
    String progressMode;

    final PrintStream out;
    final PrintStream err;
    private Plugins plugins;

    Cli(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "missing command (try 'segbench --help')");
    }

    /** The plugins, loaded on first use; for the rest of the command they are also the context class loader. */
    Plugins plugins() {
        if (plugins == null) {
            try {
                plugins = Plugins.load(Plugins.defaultFolders(pluginDirs), pluginDirs);
            } catch (IllegalArgumentException e) {
                throw new UserException("--plugins: " + e.getMessage());
            }
            // Plugin code that looks up its own classes or services through the context loader must find its jars.
            Thread.currentThread().setContextClassLoader(plugins.classLoader());
        }
        return plugins;
    }

    Progress progress() {
        boolean show = switch (progressMode) {
            case "always" -> true;
            case "never" -> false;
            case "auto" -> System.console() != null && System.console().isTerminal();
            default -> throw new UserException("--progress: '" + progressMode + "' is not auto, always or never");
        };
        return show ? new ConsoleProgress(err) : Progress.NONE;
    }

    /** $XDG_CACHE_HOME/segbench or ~/.cache/segbench: engines and extracted native libraries (see CacheFolder). */
    static Path defaultCacheDir() {
        return CacheDirOption.resolve(null);
    }

    /** Runs the command line and returns the exit code (0 ok, 1 internal error, 2 user error). */
    public static int execute(PrintStream out, PrintStream err, String... args) {
        if (System.getProperty(CacheFolder.PROPERTY) == null) {
            System.setProperty(CacheFolder.PROPERTY, defaultCacheDir().toString());
        }
        Cli cli = new Cli(out, err);
        CommandLine cl = new CommandLine(cli);
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("segbench: " + ex.getMessage().strip().lines().findFirst().orElse("")
                    + " (see '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            return USER_ERROR;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            boolean user = isUserError(ex);
            if (user) {
                err.println("segbench: " + Messages.oneLine(ex));
            } else {
                err.println("segbench: internal error: " + Messages.oneLine(ex)
                        + (cli.debug ? "" : " (run with --debug for the stack trace)"));
            }
            if (cli.debug) {
                ex.printStackTrace(err);
            }
            return user ? USER_ERROR : INTERNAL_ERROR;
        });
        ClassLoader contextLoader = Thread.currentThread().getContextClassLoader();
        try {
            return cl.execute(args);
        } finally {
            Thread.currentThread().setContextClassLoader(contextLoader);
            if (cli.plugins != null) {
                cli.plugins.close();
            }
        }
    }

    static boolean isUserError(Throwable e) {
        return e instanceof UserException || e instanceof ModelException || e instanceof DatasetException
                || e instanceof BadSampleException || e instanceof IOException
                || e instanceof java.io.UncheckedIOException;
    }

    /** {@code --version}: the harness version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"segbench " + EnvironmentProbe.harnessVersion()};
        }
    }
}
