package dev.segbench.backend.pytorch;

import java.io.File;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.bytedeco.pytorch.global.torch;

/**
 * Loads the libtorch bundled in the pytorch jar, and nothing else called libtorch; process-wide thread settings.
 *
 * <p>The loading rule: every bundled native library (pytorch's and OpenBLAS's) is extracted into JavaCPP's cache
 * BEFORE the first torch class is touched, then libgomp, libc10, libtorch_cpu and libtorch are loaded by absolute path
 * in dependency order, and only then JavaCPP's own loading runs. JavaCPP otherwise extracts and loads them one by
 * one, libtorch.so before libtorch_cpu.so, so the dynamic linker resolves a dependency by name and can find another
 * copy: with a cold cache the bundled one is not on disk yet and Debian's python3-torch has libtorch 1.13 in /lib (the
 * JVM died with SIGSEGV), and any copy on LD_LIBRARY_PATH wins over the libraries' $ORIGIN run path even with a warm
 * cache. After loading, the mapped libtorch, libtorch_cpu and libc10 must all come from the cache folder; otherwise
 * the backend is unavailable with the path it found.
 */
final class TorchRuntime {

    /** The libraries whose foreign copies broke the load; all must be mapped from the JavaCPP cache. */
    static final List<String> OWN_LIBRARIES = List.of("libtorch.so", "libtorch_cpu.so", "libc10.so");

    /**
     * The bundled libraries in dependency order, each loaded by absolute path so that every later dependency on it is
     * satisfied by the copy already in the process: JavaCPP's own order loads libtorch.so before libtorch_cpu.so, and
     * LD_LIBRARY_PATH is searched before the libraries' $ORIGIN run path.
     */
    private static final List<String> LOAD_ORDER = List.of("libgomp.so.1", "libc10.so", "libtorch_cpu.so", "libtorch.so");

    private static final Pattern TORCH_VERSION = Pattern.compile("TORCH_VERSION=([0-9][0-9A-Za-z.+]*)");

    private static boolean loaded;
    private static int interOpThreads = -1;
    private static String ompWaitPolicy = "";

    private TorchRuntime() {
    }

    /** Loads libtorch once per process by the rule above; throws with the reason where it cannot. */
    static synchronized void load() throws IOException {
        if (loaded) {
            return;
        }
        String platform = Loader.getPlatform();
        // class literals do not initialise the classes, so nothing native has loaded yet at this point
        Loader.cacheResources(openblas.class, "/org/bytedeco/openblas/" + platform + "/");
        File[] extracted = Loader.cacheResources(torch.class, "/org/bytedeco/pytorch/" + platform + "/");
        Loader.load(openblas.class); // libtorch_cpu's libopenblas.so.0, by absolute path from the cache
        ompWaitPolicy = passiveOpenMpWaits();
        for (String lib : LOAD_ORDER) {
            System.load(find(extracted, lib).getAbsolutePath());
        }
        Loader.load(torch.class);
        Path cache = Loader.getCacheDir().toPath().toRealPath();
        List<String> foreign = foreignLibraries(cache);
        if (!foreign.isEmpty()) {
            throw new IllegalStateException("libtorch was loaded from " + String.join(", ", foreign)
                    + " instead of the bundled copy in " + cache);
        }
        // OpenBLAS's own threads fight libtorch's OpenMP pool: 1x1 convolutions ran 9x slower with both active
        openblas_nolapack.blas_set_num_threads(1);
        // NNPACK does not initialise on CPUs it does not know (it warned on every convolution here); oneDNN runs those
        torch.globalContext().setUserEnabledNNPACK(false);
        if (!"false".equals(System.getProperty(KEEP_FREED_MEMORY))) {
            keepFreedMemory();
        }
        loaded = true;
    }

    /** Property: {@code false} leaves glibc's allocator as it is (for comparing; see {@link #keepFreedMemory}). */
    static final String KEEP_FREED_MEMORY = "segbench.pytorch.keep-freed-memory";

    /**
     * libtorch's CPU tensors come from malloc, and glibc serves every block above its mmap threshold (at most 32 MB,
     * smaller than a batch-8 activation) with a fresh mmap and returns it on free, so each op of each run page-faulted
     * its output in again. Serving them from the heap and keeping freed memory there makes a run reuse the pages of
     * the one before. Process-wide, so it also applies to the rest of the run's process (each run has its own).
     */
    private static void keepFreedMemory() {
        try {
            Linker linker = Linker.nativeLinker();
            MethodHandle mallopt = linker.downcallHandle(linker.defaultLookup().find("mallopt").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            int mmapMax = -4; // glibc's M_MMAP_MAX: 0 = no block from mmap
            int trimThreshold = -1; // M_TRIM_THRESHOLD: free memory kept on the heap up to this
            // invoke, not invokeExact: a void call site drops mallopt's int answer (1 = done), which changes nothing here
            mallopt.invoke(mmapMax, 0);
            mallopt.invoke(trimThreshold, Integer.MAX_VALUE);
        } catch (Throwable notGlibc) {
            // another C library: its allocator stays as it is
        }
    }

    /** The OpenMP wait policy libgomp was loaded with; the user's environment wins over the backend's default. */
    static final String OMP_WAIT_POLICY = "OMP_WAIT_POLICY";

    /**
     * Makes libgomp put its idle workers to sleep at once instead of spinning for ~300k iterations after each parallel
     * region (OMP_WAIT_POLICY=PASSIVE), unless the user set OMP_WAIT_POLICY or GOMP_SPINCOUNT. A spinning worker holds
     * a core that the JVM's own threads or the next region's master need: on the 2-core machine arch1 at 2 threads
     * ran several times slower with spinning than passive whenever anything else ran. libgomp reads the variable once,
     * when it is loaded, so this runs before it is.
     *
     * @return the policy in force, as a fact
     */
    private static String passiveOpenMpWaits() {
        String user = System.getenv(OMP_WAIT_POLICY);
        if (user != null || System.getenv("GOMP_SPINCOUNT") != null) {
            return user != null ? user + " (environment)" : "GOMP_SPINCOUNT=" + System.getenv("GOMP_SPINCOUNT") + " (environment)";
        }
        try (Arena arena = Arena.ofConfined()) {
            Linker linker = Linker.nativeLinker();
            MethodHandle setenv = linker.downcallHandle(linker.defaultLookup().find("setenv").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
            int rc = (int) setenv.invokeExact(arena.allocateFrom(OMP_WAIT_POLICY), arena.allocateFrom("PASSIVE"), 0);
            return rc == 0 ? "PASSIVE" : "libgomp default";
        } catch (Throwable noSetenv) {
            return "libgomp default";
        }
    }

    /** {@code name} in the extracted resources (JavaCPP answers with the folder it extracted them into). */
    private static File find(File[] extracted, String name) throws IOException {
        for (File f : extracted) {
            File candidate = f.isDirectory() ? new File(f, name) : f;
            if (candidate.getName().equals(name) && candidate.isFile()) {
                return candidate;
            }
        }
        throw new IOException("the pytorch jar has no " + name + " for " + Loader.getPlatform());
    }

    /** The mapped copies of {@link #OWN_LIBRARIES} that do not lie under {@code cache} (from /proc/self/maps). */
    static List<String> foreignLibraries(Path cache) throws IOException {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) {
            return List.of(); // not Linux: no system libtorch to collide with in the way this guards against
        }
        List<String> foreign = new ArrayList<>();
        for (String line : Files.readAllLines(maps)) {
            int slash = line.indexOf('/');
            if (slash < 0) {
                continue;
            }
            Path file = Path.of(line.substring(slash).strip());
            String name = file.getFileName().toString();
            boolean ours = OWN_LIBRARIES.stream().anyMatch(lib -> name.equals(lib) || name.startsWith(lib + "."));
            if (ours && !realPath(file).startsWith(cache) && !foreign.contains(file.toString())) {
                foreign.add(file.toString());
            }
        }
        return foreign;
    }

    private static Path realPath(Path file) {
        try {
            return file.toRealPath();
        } catch (IOException e) {
            return file;
        }
    }

    /**
     * Intra-op threads for the calling thread's next operations. With OpenMP the count is a per-thread setting,
     * so every run sets it on the thread that runs.
     */
    static void intraOpThreads(int threads) {
        if (torch.get_num_threads() != threads) { // setting it also rebuilds libtorch's pthreadpool: only on change
            torch.set_num_threads(threads);
        }
    }

    /**
     * Inter-op threads, which libtorch accepts once per process and only before its inter-op pool starts; later
     * requests keep the first value. This backend's interpreter runs one node at a time and never uses that pool.
     *
     * @return the inter-op thread count in force
     */
    static synchronized int interOpThreads(int requested) {
        if (interOpThreads < 0) {
            try {
                torch.set_num_interop_threads(requested);
            } catch (RuntimeException alreadyStarted) {
                // the pool was started by someone else in this process: keep what it has
            }
            interOpThreads = (int) torch.get_num_interop_threads();
        }
        return interOpThreads;
    }

    /** torch version, parallel backend, CPU capability, oneDNN version: what libtorch reports about itself. */
    static Map<String, String> facts() {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("torch", version());
        facts.put("torch.cpu-capability", string(torch.get_cpu_capability()));
        String parallel = string(torch.get_parallel_info());
        parallel.lines().map(String::strip).filter(l -> l.startsWith("ATen parallel backend:"))
                .findFirst().ifPresent(l -> facts.put("torch.parallel-backend", l.substring(l.indexOf(':') + 1).strip()));
        parallel.lines().map(String::strip).filter(l -> l.startsWith("ATen/Parallel:") || l.startsWith("OpenMP "))
                .findFirst().ifPresent(l -> facts.put("torch.openmp", l));
        facts.put("torch.onednn", string(torch.get_mkldnn_version()).lines().findFirst().orElse(""));
        facts.put("torch.omp-wait-policy", ompWaitPolicy);
        return facts;
    }

    /** The libtorch version from its build settings ("TORCH_VERSION=2.10.0"). */
    static String version() {
        Matcher m = TORCH_VERSION.matcher(string(torch.show_config()));
        return m.find() ? m.group(1) : "unknown";
    }

    /** The whole of get_parallel_info(), for the availability's device line. */
    static String parallelInfo() {
        return string(torch.get_parallel_info());
    }

    private static String string(BytePointer p) {
        try (p) {
            return p.getString().strip();
        }
    }
}
