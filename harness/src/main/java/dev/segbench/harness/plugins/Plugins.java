package dev.segbench.harness.plugins;

import dev.segbench.api.Availability;
import dev.segbench.api.Backend;
import dev.segbench.api.DatasetProvider;
import dev.segbench.api.ModelCatalog;
import dev.segbench.api.ModelException;
import dev.segbench.api.ModelInfo;
import dev.segbench.api.ModelSource;
import dev.segbench.api.ModelSpec;
import dev.segbench.api.WeightsSpec;
import dev.segbench.results.UserException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Everything found with {@link ServiceLoader}: backends, model catalogues and dataset providers on
 * the class path plus those in the jars of the plugin folders (loaded by one URLClassLoader whose
 * parent is the application loader). The first provider of an id wins; later ones become warnings.
 * The plugin loader lives as long as this object: {@link #close()} it once nothing found here runs.
 */
public final class Plugins implements AutoCloseable {

    private final Map<String, Backend> backends = new LinkedHashMap<>();
    private final List<ModelCatalog> catalogs = new ArrayList<>();
    private final Map<String, DatasetProvider> datasets = new LinkedHashMap<>();
    private final List<Path> jars;
    private final List<Path> folders;
    private final List<Path> requiredFolders;
    private final ClassLoader loader;
    private final List<String> warnings = new ArrayList<>();

    private Plugins(ClassLoader loader, List<Path> jars, List<Path> folders, List<Path> requiredFolders) {
        this.jars = List.copyOf(jars);
        this.folders = List.copyOf(folders);
        this.requiredFolders = List.copyOf(requiredFolders);
        this.loader = loader;
        for (Backend b : load(Backend.class, loader)) {
            if (backends.putIfAbsent(b.id(), b) != null) {
                warnings.add("backend id '" + b.id() + "' is provided twice; using " + backends.get(b.id()).getClass().getName()
                        + ", ignoring " + b.getClass().getName());
            }
        }
        catalogs.addAll(load(ModelCatalog.class, loader));
        for (DatasetProvider d : load(DatasetProvider.class, loader)) {
            if (datasets.putIfAbsent(d.scheme(), d) != null) {
                warnings.add("dataset scheme '" + d.scheme() + "' is provided twice; ignoring " + d.getClass().getName());
            }
        }
    }

    /** The default plugin folders: ./plugins and $SEGBENCH_HOME/plugins, then the given ones. */
    public static List<Path> defaultFolders(List<Path> extra) {
        Set<Path> dirs = new LinkedHashSet<>();
        dirs.add(Path.of("plugins"));
        String home = System.getenv("SEGBENCH_HOME");
        if (home != null && !home.isBlank()) {
            dirs.add(Path.of(home, "plugins"));
        }
        dirs.addAll(extra);
        return List.copyOf(dirs);
    }

    /**
     * Loads the class path's providers and those of every jar in {@code folders}. A folder that
     * does not exist is ignored unless it was named explicitly ({@code required}).
     */
    public static Plugins load(List<Path> folders, List<Path> required) {
        for (Path dir : required) {
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException(dir + (Files.exists(dir) ? ": not a folder" : ": plugin folder does not exist"));
            }
        }
        List<Path> jars = new ArrayList<>();
        for (Path dir : folders) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.list(dir)) {
                files.filter(f -> f.getFileName().toString().endsWith(".jar")).sorted().forEach(jars::add);
            } catch (IOException e) {
                throw new UncheckedIOException(dir + ": cannot list plugin folder", e);
            }
        }
        ClassLoader parent = Plugins.class.getClassLoader();
        if (jars.isEmpty()) {
            return new Plugins(parent, jars, folders, required);
        }
        URLClassLoader loader = new URLClassLoader("segbench-plugins", urls(jars), parent);
        try {
            return new Plugins(loader, jars, folders, required);
        } catch (RuntimeException | Error e) {
            closeQuietly(loader);
            throw e;
        }
    }

    /** The loader that sees the plugin jars (the application loader when there are none). */
    public ClassLoader classLoader() {
        return loader;
    }

    /** Closes the plugin jars; classes they have not loaded yet can no longer be loaded. */
    @Override
    public void close() {
        if (loader instanceof URLClassLoader plugins) {
            closeQuietly(plugins);
        }
    }

    private static void closeQuietly(URLClassLoader loader) {
        try {
            loader.close();
        } catch (IOException ignored) {
            // only open jar files are released here; the process is done with them either way
        }
    }

    private static URL[] urls(List<Path> jars) {
        try {
            URL[] urls = new URL[jars.size()];
            for (int i = 0; i < urls.length; i++) {
                urls[i] = jars.get(i).toUri().toURL();
            }
            return urls;
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }

    private <T> List<T> load(Class<T> type, ClassLoader loader) {
        List<T> found = new ArrayList<>();
        var it = ServiceLoader.load(type, loader).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                found.add(it.next());
            } catch (ServiceConfigurationError e) {
                // A broken plugin must not take the whole tool down: report it and go on.
                warnings.add("cannot load a " + type.getSimpleName() + ": " + e.getMessage());
            }
        }
        return found;
    }

    /**
     * A backend's availability; a probe that throws despite the contract (a broken plugin, a
     * missing class) makes the backend unavailable with that reason instead of stopping the tool.
     */
    public static Availability availability(Backend backend) {
        try {
            return backend.availability();
        } catch (RuntimeException | LinkageError e) {
            return Availability.unavailable("availability probe failed: " + dev.segbench.harness.Messages.oneLine(e));
        }
    }

    /** The folders searched for plugin jars (a child process loads the same). */
    public List<Path> folders() {
        return folders;
    }

    /** Those of {@link #folders()} that must exist (named with --plugins). */
    public List<Path> requiredFolders() {
        return requiredFolders;
    }

    public List<Path> pluginJars() {
        return jars;
    }

    public synchronized List<String> warnings() {
        return List.copyOf(warnings);
    }

    /** Backends in rank order (lower first), then id. */
    public List<Backend> backends() {
        return backends.values().stream().sorted(Comparator.comparingInt(Backend::rank).thenComparing(Backend::id)).toList();
    }

    public Optional<Backend> backend(String id) {
        return Optional.ofNullable(backends.get(id));
    }

    /** The backend with this id, or a user error ({@code context} first) that lists the known ids. */
    public Backend requireBackend(String id, String context) {
        return backend(id).orElseThrow(() -> new UserException(context + "unknown backend '" + id + "' (known: "
                + backends().stream().map(Backend::id).collect(java.util.stream.Collectors.joining(", ")) + ")"));
    }

    public List<ModelCatalog> catalogs() {
        return List.copyOf(catalogs);
    }

    /** Every model of every catalogue, first catalogue first. */
    public List<ModelInfo> models() {
        Map<String, ModelInfo> all = new LinkedHashMap<>();
        for (ModelCatalog c : catalogs) {
            for (ModelInfo m : modelsOf(c)) {
                all.putIfAbsent(m.id(), m);
            }
        }
        return List.copyOf(all.values());
    }

    /**
     * Binds a model as the user names it: a catalogue id ("arch0", with {@code weights}) or a {@link ModelSpec}
     * ("onnx:PATH?name=x") that the catalogue of its scheme opens (the model carries its own weights).
     */
    public ModelSource loadModel(String entry, WeightsSpec weights) throws ModelException {
        Optional<ModelSpec> spec = ModelSpec.parse(entry);
        if (spec.isPresent()) {
            String scheme = spec.get().scheme();
            ModelCatalog catalog = catalogs.stream().filter(c -> c.specScheme().equals(Optional.of(scheme))).findFirst()
                    .orElseThrow(() -> new UserException("unknown model scheme '" + scheme + "' in " + entry + " ("
                            + modelNames() + ")"));
            if (!weights.isSeeded()) {
                throw new UserException("--weights: model " + spec.get().id() + " (" + entry + ") carries its own weights");
            }
            return catalog.open(spec.get());
        }
        String id = entry.strip();
        ModelCatalog catalog = catalogFor(id).orElseThrow(() -> new UserException("unknown model '" + id + "' ("
                + modelNames() + ")"));
        return catalog.load(id, weights);
    }

    /** The model id of {@code entry}: a catalogue id as given, or its spec's {@link ModelSpec#id()}. */
    public static String modelId(String entry) {
        return dev.segbench.results.settings.Settings.Selection.modelId(entry);
    }

    /** "known: arch0, arch1, or onnx:PATH" for an error naming an unknown model. */
    private String modelNames() {
        List<String> names = new ArrayList<>(models().stream().map(ModelInfo::id).toList());
        catalogs.forEach(c -> c.specScheme().ifPresent(s -> names.add(s + ":PATH")));
        return "known: " + String.join(", ", names);
    }

    /** The catalogue that serves {@code modelId}. */
    public Optional<ModelCatalog> catalogFor(String modelId) {
        return catalogs.stream().filter(c -> modelsOf(c).stream().anyMatch(m -> m.id().equals(modelId))).findFirst();
    }

    /** A catalogue's models; a catalogue that throws (a broken plugin) contributes none and a warning. */
    private synchronized List<ModelInfo> modelsOf(ModelCatalog c) {
        try {
            return c.models();
        } catch (RuntimeException | LinkageError e) {
            String w = "model catalogue " + c.getClass().getName() + " cannot list its models: " + dev.segbench.harness.Messages.oneLine(e);
            if (!warnings.contains(w)) {
                warnings.add(w);
            }
            return List.of();
        }
    }

    public List<DatasetProvider> datasetProviders() {
        return List.copyOf(datasets.values());
    }

    public Optional<DatasetProvider> datasetProvider(String scheme) {
        return Optional.ofNullable(datasets.get(scheme));
    }
}
