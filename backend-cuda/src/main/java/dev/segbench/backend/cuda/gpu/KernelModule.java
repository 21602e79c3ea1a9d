package dev.segbench.backend.cuda.gpu;

import dev.segbench.api.BackendException;
import dev.segbench.api.BackendException.Code;
import dev.segbench.cuda.CudaDevice;
import dev.segbench.cuda.CudaStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUmod_st;
import org.bytedeco.cuda.nvrtc._nvrtcProgram;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.SizeTPointer;

import static org.bytedeco.cuda.global.cudart.cuLaunchKernel;
import static org.bytedeco.cuda.global.cudart.cuModuleGetFunction;
import static org.bytedeco.cuda.global.cudart.cuModuleLoadData;
import static org.bytedeco.cuda.global.cudart.cuModuleUnload;
import static org.bytedeco.cuda.global.nvrtc.nvrtcCompileProgram;
import static org.bytedeco.cuda.global.nvrtc.nvrtcCreateProgram;
import static org.bytedeco.cuda.global.nvrtc.nvrtcDestroyProgram;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetCUBIN;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetCUBINSize;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetErrorString;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetProgramLog;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetProgramLogSize;

/**
 * The backend's CUDA C kernels (resource {@code kernels.cu}), compiled with NVRTC to a CUBIN for the device's
 * architecture on first use in the process (later sessions on the same architecture reuse the CUBIN) and loaded with
 * the driver API.
 */
public final class KernelModule implements AutoCloseable {

    public static final String SOURCE_RESOURCE = "kernels.cu";
    static final int BLOCK = 256;

    /**
     * Parameter kinds of every kernel in {@code kernels.cu}: P device pointer, L {@code long long}, I {@code int},
     * F {@code float}. {@link #launch} checks its arguments against this before calling the driver (a mismatch would
     * otherwise be read as garbage by the kernel), and a test checks the table against nvcc's PTX of the source.
     */
    public static final java.util.Map<String, String> SIGNATURES = signatures();

    private static java.util.Map<String, String> signatures() {
        java.util.Map<String, String> m = new java.util.TreeMap<>();
        for (String t : List.of("f32", "f16")) {
            m.put("clip_" + t, "PPLFF");
            m.put("add_" + t, "PPPL");
            m.put("add_bcast_" + t, "PPPLIIILLLLLLLL");
            m.put("mul_" + t, "PPPL");
            m.put("mul_bcast_" + t, "PPPLIIILLLLLLLL");
            m.put("hardsigmoid_" + t, "PPLFF");
            m.put("sigmoid_" + t, "PPL");
            m.put("maxpool_" + t, "PPLIIIIIIIIIIII");
            m.put("expand_" + t, "PPLIIILLLL");
            m.put("resize_" + t, "PPLIIIIFFI");
            m.put("gap_" + t, "PPL");
            m.put("concat_" + t, "PPLLLL");
            m.put("argmax_" + t, "PPLIL");
        }
        for (String c : List.of("f32_f16", "f16_f32", "i64_u8", "i64_f32", "i64_f16", "f32_i64", "f16_i64", "u8_f32", "u8_i64", "f32_u8")) {
            m.put("cast_" + c, "PPL");
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    /** The kinds (see {@link #SIGNATURES}) of Java launch arguments. */
    static String kinds(Object... args) {
        StringBuilder b = new StringBuilder();
        for (Object a : args) {
            b.append(switch (a) {
                case Dev d -> 'P';
                case Long l -> 'L';
                case Integer i -> 'I';
                case Float f -> 'F';
                default -> '?';
            });
        }
        return b.toString();
    }

    /** A device address kernel argument (to tell it apart from a {@code long long} value). */
    public record Dev(long address) {
    }

    /** CUBINs compiled in this process, by architecture ("sm_90"); the source is fixed for the process. */
    private static final ConcurrentMap<String, byte[]> CUBINS = new ConcurrentHashMap<>();

    private final CUmod_st module;
    private final Map<String, CUfunc_st> functions = new HashMap<>();
    private final OptionalDouble compileSeconds;
    private boolean closed;

    private KernelModule(CUmod_st module, OptionalDouble compileSeconds) {
        this.module = module;
        this.compileSeconds = compileSeconds;
    }

    /** Seconds NVRTC took for this module; empty when the CUBIN came from an earlier session in this process. */
    public OptionalDouble compileSeconds() {
        return compileSeconds;
    }

    private static final class Source {
        static final String TEXT = load();
    }

    /** The kernel source (read once from the jar). */
    public static String source() {
        return Source.TEXT;
    }

    private static String load() {
        try (InputStream in = KernelModule.class.getResourceAsStream(SOURCE_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + SOURCE_RESOURCE + " missing from the backend-cuda jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** NVRTC options: a real CUBIN for this exact architecture, so the driver needs no PTX JIT. */
    public static List<String> compileOptions(CudaDevice device) {
        return List.of("--gpu-architecture=sm_" + device.major() + device.minor(), "--std=c++17");
    }

    /** The kernels for {@code device}: compiled by NVRTC once per architecture and process, then loaded. */
    public static KernelModule load(CudaDevice device) throws BackendException {
        OptionalDouble seconds = OptionalDouble.empty();
        byte[] cubin = CUBINS.get(device.smTag());
        if (cubin == null) {
            long start = System.nanoTime();
            cubin = compile(device);
            seconds = OptionalDouble.of((System.nanoTime() - start) / 1e9);
            CUBINS.putIfAbsent(device.smTag(), cubin);
        }
        CUmod_st module = new CUmod_st();
        try (BytePointer image = new BytePointer(cubin)) {
            CudnnException.checkDriver(cuModuleLoadData(module, image), "cuModuleLoadData(kernels for " + device.smTag() + ")");
        }
        return new KernelModule(module, seconds);
    }

    private static byte[] compile(CudaDevice device) throws BackendException {
        _nvrtcProgram program = new _nvrtcProgram();
        checkNvrtc(nvrtcCreateProgram(program, new BytePointer(source()), new BytePointer(SOURCE_RESOURCE), 0,
                (PointerPointer<?>) null, (PointerPointer<?>) null), "nvrtcCreateProgram");
        try {
            List<String> options = compileOptions(device);
            PointerPointer<BytePointer> opts = new PointerPointer<>(options.toArray(String[]::new));
            int status = nvrtcCompileProgram(program, options.size(), opts);
            if (status != 0) {
                SizeTPointer logSize = new SizeTPointer(1);
                nvrtcGetProgramLogSize(program, logSize);
                BytePointer log = new BytePointer(Math.max(1, logSize.get()));
                nvrtcGetProgramLog(program, log);
                throw new BackendException(Code.BUILD_FAILED, "NVRTC could not compile the cuda backend's kernels for "
                        + device.smTag() + ": " + nvrtcGetErrorString(status).getString() + ": "
                        + String.join(" | ", log.getString().strip().lines().toList()));
            }
            SizeTPointer size = new SizeTPointer(1);
            checkNvrtc(nvrtcGetCUBINSize(program, size), "nvrtcGetCUBINSize");
            try (BytePointer cubin = new BytePointer(size.get())) {
                checkNvrtc(nvrtcGetCUBIN(program, cubin), "nvrtcGetCUBIN");
                byte[] bytes = new byte[(int) size.get()];
                cubin.get(bytes);
                return bytes;
            }
        } finally {
            nvrtcDestroyProgram(program);
        }
    }

    private static void checkNvrtc(int status, String call) throws BackendException {
        if (status != 0) {
            throw new BackendException(Code.BUILD_FAILED, call + " failed: " + nvrtcGetErrorString(status).getString());
        }
    }

    private CUfunc_st function(String name) {
        CUfunc_st f = functions.get(name);
        if (f == null) {
            f = new CUfunc_st();
            CudnnException.checkDriver(cuModuleGetFunction(f, module, name), "cuModuleGetFunction(" + name + ")");
            functions.put(name, f);
        }
        return f;
    }

    /** Grid size for a grid-stride loop over {@code n} elements. */
    static int gridFor(long n) {
        return (int) Math.max(1, Math.min((n + BLOCK - 1) / BLOCK, 65_535L * 16));
    }

    /**
     * Refuses a launch the kernel would misread: an unknown kernel, arguments whose kinds or count differ from
     * {@link #SIGNATURES} (the driver copies raw bytes, so a mismatch is read as garbage, not reported), or a grid or
     * block outside what the launch can take. Called by {@link #launch} before the driver sees anything.
     */
    static void checkLaunch(String name, int grid, int block, Object... args) {
        String expected = SIGNATURES.get(name);
        if (expected == null) {
            throw new IllegalStateException("no kernel " + name + " in " + SOURCE_RESOURCE);
        }
        String actual = kinds(args);
        if (!actual.equals(expected)) {
            throw new IllegalStateException("kernel " + name + " takes (" + expected + ") but was launched with (" + actual + ")");
        }
        if (grid < 1 || block < 1 || block > 1024) {
            throw new IllegalStateException("kernel " + name + " launched with grid " + grid + " and block " + block
                    + " (need grid >= 1 and block in 1..1024)");
        }
    }

    /** Launches {@code name} with args: {@link Dev} addresses, Long ({@code long long}), Integer, Float. */
    public void launch(String name, int grid, int block, CudaStream stream, Object... args) {
        if (closed) {
            throw new IllegalStateException("kernel module closed");
        }
        checkLaunch(name, grid, block, args);
        // The driver copies the argument values during cuLaunchKernel (also under capture), so the holders are freed
        // right after it: explicitly, because a GC-driven free could run while the call still reads them.
        Pointer[] holders = new Pointer[args.length];
        PointerPointer<Pointer> params = new PointerPointer<>(args.length);
        try {
            for (int i = 0; i < args.length; i++) {
                holders[i] = switch (args[i]) {
                    case Dev d -> new LongPointer(1).put(d.address());
                    case Long l -> new LongPointer(1).put(l);
                    case Integer v -> new IntPointer(1).put(v);
                    case Float f -> new FloatPointer(1).put(f);
                    default -> throw new IllegalArgumentException("kernel argument " + i + " of " + name + ": " + args[i]);
                };
                params.put(i, holders[i]);
            }
            CudnnException.checkDriver(cuLaunchKernel(function(name), grid, 1, 1, block, 1, 1, 0, stream.handle(), params,
                    (PointerPointer<?>) null), "cuLaunchKernel(" + name + ")");
        } finally {
            for (Pointer h : holders) {
                if (h != null) {
                    h.close();
                }
            }
            params.close();
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            cuModuleUnload(module);
        }
    }
}
