package dev.segbench.harness.exec;

import dev.segbench.api.Availability;
import dev.segbench.api.Backend;
import dev.segbench.api.Progress;
import dev.segbench.harness.plan.BackendProbe;
import dev.segbench.harness.plan.BackendState;
import dev.segbench.harness.plan.RunSettings;
import dev.segbench.harness.plugins.Plugins;
import java.nio.file.Path;
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
     * Asks in one child JVM: a probe loads native libraries, which may crash, and keeps them out of this process.
     * If that child dies, each backend is asked again in a child of its own, so one crashing probe makes only its
     * backend unavailable (with the reason).
     */
    public static BackendProbe inChild(List<Path> pluginFolders, List<Path> requiredFolders, Path workDir, Path logDir,
                                       RunSettings.Execution limits, Consumer<String> log) {
        ChildProcess children = new ChildProcess(workDir, logDir, limits, Progress.NONE, log);
        return backends -> {
            try {
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
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while probing backends", e);
            } finally {
                ChildProcess.deleteTree(workDir);
            }
        };
    }

    private static ChildProcess.Ended<ChildJob.ProbeResult> ask(ChildProcess children, List<Path> pluginFolders, List<Path> requiredFolders,
                                                 Path workDir, String name, List<String> ids) throws InterruptedException {
        ChildJob job = new ChildJob(ChildJob.PROBE, pluginFolders, requiredFolders, null, null, null, null, null, ids,
                workDir.resolve(name + ".result.json").toAbsolutePath());
        return children.run(name, job, ChildJob.ProbeResult.class, false);
    }
}
