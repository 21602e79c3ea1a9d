package dev.segbench.harness.exec;

import dev.segbench.api.DatasetSpec;
import dev.segbench.api.Backend;
import dev.segbench.api.BadSampleException;
import dev.segbench.api.CalibrationTable;
import dev.segbench.api.Dataset;
import dev.segbench.api.io.CalibrationFile;
import dev.segbench.api.DatasetProvider;
import dev.segbench.api.ModelSource;
import dev.segbench.api.WeightsSpec;
import dev.segbench.api.io.AtomicFiles;
import dev.segbench.results.ResultsJson;
import dev.segbench.harness.plan.BackendState;
import dev.segbench.harness.plan.Planner;
import dev.segbench.results.settings.Settings;
import dev.segbench.harness.run.RunTask;
import dev.segbench.harness.plugins.Plugins;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The main class of a child JVM: {@code ChildMain run|probe JOB.json}. Reads its {@link ChildJob}, does it, writes
 * the result file and exits 0. Its real stdout carries {@link ChildProtocol} lines only; {@code System.out} is
 * pointed at stderr (the run's log), so a backend that prints cannot garble the protocol. It ends itself as soon as
 * its stdin closes: the parent is gone (even killed with SIGKILL), and a run nobody waits for must not go on.
 */
public final class ChildMain {

    /** Exit status when the parent disappeared. */
    static final int ORPHANED = 97;
    /** The line on stdin that lets a prepared run start (see {@link #awaitGo}). */
    static final String GO = "go";
    private static final java.util.concurrent.CountDownLatch GO_SIGNAL = new java.util.concurrent.CountDownLatch(1);
    /** Exit status for a job the child could not even read or start (details on stderr). */
    static final int BROKEN_JOB = 98;

    private ChildMain() {
    }

    public static void main(String[] args) {
        PrintStream protocolOut = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        System.setOut(System.err);
        watchParent(System.in);
        ChildProtocol.Writer protocol = new ChildProtocol.Writer(protocolOut);
        int status;
        try {
            if (args.length != 2) {
                throw new IllegalArgumentException("usage: ChildMain run|probe JOB.json");
            }
            if (IsolatedTasks.KIND.equals(args[0])) {
                IsolatedTasks.TaskJob task = ResultsJson.mapper().readValue(Path.of(args[1]).toFile(), IsolatedTasks.TaskJob.class);
                awaitGo();
                AtomicFiles.write(task.resultFile(), ResultsJson.mapper().writeValueAsBytes(IsolatedTasks.perform(task, protocol)));
            } else {
                ChildJob job = ResultsJson.mapper().readValue(Path.of(args[1]).toFile(), ChildJob.class);
                Object result = ChildJob.PROBE.equals(args[0]) ? probe(job) : run(job, protocol);
                AtomicFiles.write(job.resultFile(), ResultsJson.mapper().writeValueAsBytes(result));
            }
            status = 0;
        } catch (Exception | Error e) {
            System.err.println("segbench child: " + e);
            e.printStackTrace(System.err);
            status = BROKEN_JOB;
        }
        protocolOut.flush();
        System.exit(status);
    }

    private static ChildJob.ProbeResult probe(ChildJob job) {
        try (Plugins plugins = plugins(job)) {
            Map<String, BackendState> states = new LinkedHashMap<>();
            for (String id : job.backends()) {
                Backend b = plugins.requireBackend(id, "");
                states.put(id, new BackendState(id, b.rank(), Plugins.availability(b), b.precisions()));
            }
            return new ChildJob.ProbeResult(states);
        }
    }

    private static ChildJob.RunResult run(ChildJob job, ChildProtocol.Writer protocol) throws Exception {
        Settings settings = job.settings();
        long t0 = System.nanoTime();
        try (Plugins plugins = plugins(job)) {
            long t1 = System.nanoTime();
            Backend backend = plugins.requireBackend(job.run().backend(), "");
            Path ckpt = settings.selection().weights().get(job.run().model());
            ModelSource source = plugins.loadModel(settings.selection().modelEntry(job.run().model()), ckpt == null
                    ? WeightsSpec.seeded(settings.selection().seed()) : WeightsSpec.checkpoint(ckpt));
            DatasetSpec spec = job.samples().spec(); // parsed once, by the planner
            DatasetProvider provider = plugins.datasetProvider(spec.scheme()).orElseThrow(
                    () -> new IllegalStateException("dataset scheme " + spec.scheme() + " is in no plugin of this process"));
            long t2 = System.nanoTime();
            try (Dataset dataset = spec.open(provider, settings.data().options())) {
                CalibrationTable calibration = job.calibration() == null ? null
                        : CalibrationFile.parse(job.calibration(), "calibration table of " + job.run().key()).getFirst();
                RunTask.Inputs inputs = new RunTask.Inputs(settings, job.run(), job.samples(), backend, source, dataset,
                        job.labels(), job.environment(), calibration, job.fallback());
                // The backend's availability probe loads its native runtime; that is not part of opening a session.
                // This process probes afresh: it runs only if its answer is the plan's, which the fingerprint records.
                String disagrees = RunTask.probeDisagrees(job.run(), Plugins.availability(backend));
                if (disagrees != null) {
                    return new ChildJob.RunResult(RunTask.failed(inputs, disagrees), null, List.of(), null);
                }
                long t3 = System.nanoTime();
                // What this process costs besides the run itself, for the run's log.
                System.err.printf(java.util.Locale.ROOT, "segbench child: ready to run after %.2f s of JVM uptime "
                        + "(plugins %.2f s, model %.2f s, dataset and backend %.2f s)%n",
                        java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() / 1e3,
                        (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9);
                awaitGo();
                try {
                    RunTask.Outcome o = RunTask.execute(inputs, protocol, protocol::log);
                    System.err.printf(java.util.Locale.ROOT, "segbench child: run took %.2f s%n", (System.nanoTime() - t3) / 1e9);
                    return new ChildJob.RunResult(o.run(), o.endToEndHistogram(), o.gallery(), null);
                } catch (BadSampleException e) {
                    return new ChildJob.RunResult(null, null, List.of(), e.getMessage());
                }
            }
        }
    }

    private static Plugins plugins(ChildJob job) {
        Plugins plugins = Plugins.load(job.pluginFolders(), job.requiredFolders());
        Thread.currentThread().setContextClassLoader(plugins.classLoader());
        return plugins;
    }

    /**
     * Waits for the parent's go: a run child prepares (JVM start, plugins, model, dataset) while its parent still
     * writes the previous run's results, and starts the measured work only once the parent is idle.
     */
    private static void awaitGo() throws InterruptedException {
        GO_SIGNAL.await();
    }

    /** Reads the parent's lines on stdin (the go) and halts when stdin ends: the parent closed it or died. */
    private static void watchParent(InputStream in) {
        Thread t = new Thread(() -> {
            try (java.io.BufferedReader lines = new java.io.BufferedReader(new java.io.InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (GO.equals(line.strip())) {
                        GO_SIGNAL.countDown();
                    }
                }
            } catch (java.io.IOException ignored) {
                // a broken pipe means the same as the end
            }
            Runtime.getRuntime().halt(ORPHANED);
        }, "segbench-parent-watch");
        t.setDaemon(true);
        t.start();
    }
}
