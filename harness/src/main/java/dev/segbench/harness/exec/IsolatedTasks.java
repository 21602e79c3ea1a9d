package dev.segbench.harness.exec;

import dev.segbench.api.Progress;
import dev.segbench.results.ResultsJson;
import dev.segbench.results.settings.Settings;
import dev.segbench.harness.plugins.Plugins;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Work of a command other than compare (e.g. diagnose) done in a child JVM of its own, watched like a compare run:
 * a backend that crashes, exits or hangs there costs only that task, which ends with one line saying how.
 */
public final class IsolatedTasks {

    static final String KIND = "task";

    /**
     * What a child does; a public class with a public no-argument constructor. {@code payload} is the JSON the parent
     * gave; the returned object travels back as JSON.
     */
    public interface Task {
        Object perform(Plugins plugins, String payload, Progress progress, Consumer<String> log) throws Exception;
    }

    /** A task's answer: its result, or why the child ended without one. */
    public record Outcome<R>(R result, String failure) {
    }

    record TaskJob(String kind, List<Path> pluginFolders, List<Path> requiredFolders, String taskClass, String payload,
                   Path resultFile) implements ChildProcess.Job {
    }

    private final List<Path> pluginFolders;
    private final List<Path> requiredFolders;
    private final Path workDir;
    private final ChildProcess children;

    /**
     * @param workDir where job and result files live while children run
     * @param logDir  where each task's stderr log and crash reports are kept
     */
    public IsolatedTasks(List<Path> pluginFolders, List<Path> requiredFolders, Path workDir, Path logDir,
                         Settings.Execution limits, Progress progress, Consumer<String> log) {
        this.pluginFolders = List.copyOf(pluginFolders);
        this.requiredFolders = List.copyOf(requiredFolders);
        this.workDir = workDir;
        this.children = new ChildProcess(workDir, logDir, limits, progress, log);
    }

    /**
     * Runs {@code task} with {@code payload} (serialised to JSON) in a child named {@code name} (file-safe), whose
     * environment gets {@code environment} (a backend's declared one, see {@link BackendEnvironment}).
     */
    public <R> Outcome<R> run(String name, Class<? extends Task> task, Object payload, Class<R> resultType,
                              Map<String, String> environment) throws InterruptedException {
        String json;
        try {
            json = ResultsJson.mapper().writeValueAsString(payload);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise the payload of " + name, e);
        }
        TaskJob job = new TaskJob(KIND, pluginFolders, requiredFolders, task.getName(), json,
                workDir.resolve(name + ".result.json").toAbsolutePath());
        ChildProcess.Ended<R> ended = children.run(name, job, resultType, true, environment, null);
        if (ended.result() != null) {
            return new Outcome<>(ended.result(), null);
        }
        return new Outcome<>(null, ExitDiagnosis.describe(ended.ending()));
    }

    /** The child's side: loads the plugins and performs the task. */
    static Object perform(TaskJob job, ChildProtocol.Writer protocol) throws Exception {
        try (Plugins plugins = Plugins.load(job.pluginFolders(), job.requiredFolders())) {
            Thread.currentThread().setContextClassLoader(plugins.classLoader());
            Task task = (Task) Class.forName(job.taskClass(), true, plugins.classLoader()).getDeclaredConstructor().newInstance();
            return task.perform(plugins, job.payload(), protocol, protocol::log);
        }
    }
}
