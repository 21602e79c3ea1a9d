package dev.segbench.harness.exec;

import dev.segbench.api.Availability;
import dev.segbench.api.Backend;
import dev.segbench.api.Progress;
import dev.segbench.harness.plan.BackendProbe;
import dev.segbench.harness.plan.BackendState;
import dev.segbench.results.settings.Settings;
import dev.segbench.harness.plugins.Plugins;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** The two ways to ask backends whether they can run here. */
public final class BackendProbes {

    private BackendProbes() {
    }

    /** Asks in this JVM. */
    public static BackendProbe inProcess() {
        return backends -> {
            Map<String, BackendState> out = new LinkedHashMap<>();
            for (Backend b : backends) {
                out.put(b.id(), new BackendState(b.id(), b.rank(), Plugins.availability(b), b.precisions()));
            }
            return out;
        };
    }

    /**
     * Asks in one child JVM, started at once: a probe loads native libraries, which may crash, and keeps them out of
     * this process. If that child dies, each backend is asked again in a child of its own, so one crashing probe makes
     * only its backend unavailable (with the reason). It works in a private temporary folder, so the child (about
     * 1.5 s: a JVM start and the native libraries) runs while the parent checks the rest of the input, before anything
     * may be written to the results folder; {@link Early#probe} waits for it and then moves its logs into {@code logDir}.
     */
    public static Early startInChild(List<Backend> backends, List<Path> pluginFolders, List<Path> requiredFolders,
                                     Path logDir, Settings.Execution limits) throws IOException {
        return new Early(backends, pluginFolders, requiredFolders, logDir, limits);
    }

    /** A probe already running in a child JVM; closing it stops the child and removes its temporary folder. */
    public static final class Early implements AutoCloseable {
        private final List<String> ids;
        private final Path temp;
        private final Path tempLogs;
        private final Path logDir;
        private final ChildProcess children;
        private final List<String> messages = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        private final java.util.concurrent.FutureTask<Map<String, BackendState>> task;
        private final Thread thread;

        private Early(List<Backend> backends, List<Path> pluginFolders, List<Path> requiredFolders, Path logDir,
                      Settings.Execution limits) throws IOException {
            this.ids = backends.stream().map(Backend::id).toList();
            this.temp = Files.createTempDirectory("segbench-probe-");
            this.tempLogs = temp.resolve("logs");
            this.logDir = logDir;
            Path work = temp.resolve("work");
            this.children = new ChildProcess(work, tempLogs, limits, Progress.NONE, messages::add);
            List<Backend> copy = List.copyOf(backends);
            this.task = new java.util.concurrent.FutureTask<>(
                    () -> BackendProbes.probe(children, pluginFolders, requiredFolders, work, copy, messages::add));
            this.thread = new Thread(task, "segbench-probe");
            thread.setDaemon(true);
            thread.start();
        }

        /** The states of {@code backends}, which must be those it was started with; its messages go to the log then. */
        public Map<String, BackendState> probe(List<Backend> backends, Consumer<String> log) {
            if (!backends.stream().map(Backend::id).toList().equals(ids)) {
                throw new IllegalStateException("probe started for " + ids + " but asked for " + backends);
            }
            Map<String, BackendState> states;
            try {
                states = task.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while probing backends", e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            }
            moveLogs();
            // Reasons and messages name crash reports by the folder they were written to; they are in logDir now.
            String from = tempLogs.toAbsolutePath().toString();
            String to = logDir.toAbsolutePath().toString();
            messages.forEach(m -> log.accept(m.replace(from, to)));
            Map<String, BackendState> out = new LinkedHashMap<>();
            states.forEach((id, st) -> out.put(id, st.availability().available() || st.availability().reason() == null
                    || !st.availability().reason().contains(from) ? st
                    : new BackendState(st.id(), st.rank(), Availability.unavailable(st.availability().reason().replace(from, to)),
                    st.precisions())));
            return out;
        }

        private void moveLogs() {
            try {
                if (!Files.isDirectory(tempLogs)) {
                    return;
                }
                Files.createDirectories(logDir);
                try (var files = Files.list(tempLogs)) {
                    for (Path f : files.toList()) {
                        Files.move(f, logDir.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot move the probe's log into " + logDir, e);
            }
        }

        @Override
        public void close() {
            children.stop(); // kills the child in flight and starts no other, so the probe thread ends soon
            try {
                thread.join(10_000); // its files go only once it no longer writes them
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            dev.segbench.api.io.Folders.deleteQuietly(temp);
        }
    }

    /** Asks in one child; if that child dies, asks each backend in a child of its own. */
    private static Map<String, BackendState> probe(ChildProcess children, List<Path> pluginFolders, List<Path> requiredFolders,
                                                   Path workDir, List<Backend> backends, Consumer<String> log)
            throws InterruptedException {
        ChildProcess.Ended<ChildJob.ProbeResult> all = ask(children, pluginFolders, requiredFolders, workDir, "probe",
                backends.stream().map(Backend::id).toList());
        if (all.result() != null) {
            return all.result().backends();
        }
        log.accept("warning: the backend availability probe failed (" + ExitDiagnosis.describe(all.ending())
                + "); asking each backend on its own");
        Map<String, BackendState> out = new LinkedHashMap<>();
        for (Backend b : backends) {
            ChildProcess.Ended<ChildJob.ProbeResult> one = ask(children, pluginFolders, requiredFolders, workDir,
                    "probe-" + b.id().replaceAll("[^A-Za-z0-9_-]", "_"), List.of(b.id()));
            out.put(b.id(), one.result() != null ? one.result().backends().get(b.id())
                    : new BackendState(b.id(), b.rank(), Availability.unavailable("availability probe crashed: "
                            + ExitDiagnosis.describe(one.ending())), b.precisions()));
        }
        return out;
    }

    private static ChildProcess.Ended<ChildJob.ProbeResult> ask(ChildProcess children, List<Path> pluginFolders, List<Path> requiredFolders,
                                                 Path workDir, String name, List<String> ids) throws InterruptedException {
        ChildJob job = new ChildJob(ChildJob.PROBE, pluginFolders, requiredFolders, null, null, null, null, null, ids,
                workDir.resolve(name + ".result.json").toAbsolutePath());
        return children.run(name, job, ChildJob.ProbeResult.class, false);
    }
}
