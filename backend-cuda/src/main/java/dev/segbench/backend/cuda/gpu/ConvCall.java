package dev.segbench.backend.cuda.gpu;

import dev.segbench.api.BackendException;
import dev.segbench.onnx.graph.ElemType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.bytedeco.cuda.global.cudnn.CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM;
import static org.bytedeco.cuda.global.cudnn.CUDNN_DEFAULT_MATH;
import static org.bytedeco.cuda.global.cudnn.CUDNN_FMA_MATH;
import static org.bytedeco.cuda.global.cudnn.CUDNN_TENSOR_OP_MATH;

/**
 * One convolution of a plan, ready to enqueue: its descriptors and how it runs, chosen outside any CUDA graph capture
 * by the fallback chain of finding 2 of issue 13:
 * <ol>
 *   <li>cudnnFind (or cudnnGet) ranks algorithms for plain cudnnConvolutionForward, not for the fused call, so each
 *       ranked algorithm is tried with the fused cudnnConvolutionBiasActivationForward and the first that cuDNN accepts
 *       is kept. With the IDENTITY activation only IMPLICIT_PRECOMP_GEMM is tried: cuDNN documents that the fused call
 *       needs it then.</li>
 *   <li>IMPLICIT_PRECOMP_GEMM is tried last if the ranking did not include it.</li>
 *   <li>If cuDNN refuses the fused call for every algorithm, the unfused sequence runs instead (as ONNX Runtime does):
 *       {@code y = z} (residual), {@code y = conv(x) + y}, {@code y += bias}, {@code y = act(y)}.</li>
 * </ol>
 * A refusal is any cuDNN 9 NOT_SUPPORTED status; any other failure is an error. The choice is cached per convolution
 * problem ({@link Key}) so later shapes, plans and sessions skip the search.
 */
final class ConvCall implements AutoCloseable {

    enum Mode { FUSED, UNFUSED }

    /** How one convolution problem runs; {@code tried} says what was refused on the way, for the plan description. */
    record Choice(Mode mode, int algo, int mathType, long workspaceBytes, float measuredMs, String tried) {
    }

    /** What identifies a choice: the whole convolution problem and the activation and residual fused into it. */
    record Key(String geometry, ElemType type, Lowering.CudnnActivation activation, double coef, boolean residual) {
        static Key of(Lowering.Conv c) {
            return new Key(c.geometry().toString(), c.type(), c.activation(), c.coef(), c.z() != 0);
        }
    }

    /** The search settings: measure (cudnnFind) or ask the heuristics, TF32 allowed, largest workspace. */
    record Options(boolean benchmark, boolean tf32, long workspaceLimit) {
    }

    /** The plan's shared cuDNN workspace; reserving may reallocate it, so the address is read when used. */
    interface Workspace {
        /** Makes the workspace at least {@code bytes} and returns its address. */
        long reserve(long bytes);
    }

    /** A zeroed device buffer of at least {@code bytes} for convolutions without a bias (the fused call always adds one). */
    interface ZeroBias {
        long address(long bytes);
    }

    private final Lowering.Conv call;
    private final ConvDescriptors d;
    private final Choice choice;
    private final boolean fromCache;
    private final long biasAddress;

    private ConvCall(Lowering.Conv call, ConvDescriptors d, Choice choice, boolean fromCache, long biasAddress) {
        this.call = call;
        this.d = d;
        this.choice = choice;
        this.fromCache = fromCache;
        this.biasAddress = biasAddress;
    }

    /**
     * Creates the descriptors of {@code c} and decides how it runs, trying candidates on the device (so only outside
     * capture). The descriptors are destroyed again if anything fails.
     */
    static ConvCall prepare(Cudnn cudnn, Lowering.Conv c, Options options, Map<Key, Choice> cache, Workspace workspace,
                            ZeroBias zeroBias) throws BackendException {
        ConvDescriptors d = ConvDescriptors.create(cudnn, c, searchMath(c.type(), options.tf32()));
        try {
            long bias = c.bias() != 0 ? c.bias() : zeroBias.address((long) c.geometry().k() * c.type().byteSize());
            Key key = Key.of(c);
            Choice cached = cache.get(key);
            Choice choice = cached != null ? cached : choose(cudnn, c, d, options, workspace, bias);
            cudnn.check(cudnn.setConvolutionMathType(d.conv(), choice.mathType()), "cudnnSetConvolutionMathType " + c.nodes());
            workspace.reserve(choice.workspaceBytes());
            if (cached == null) {
                cache.put(key, choice);
            }
            return new ConvCall(c, d, choice, cached != null, bias);
        } catch (RuntimeException | Error | BackendException e) {
            d.close();
            throw e;
        }
    }

    /** The math type the algorithm search runs with: strict FMA for FP32 unless TF32 is allowed, tensor cores for FP16. */
    static int searchMath(ElemType type, boolean tf32) {
        return type == ElemType.FLOAT16 ? CUDNN_TENSOR_OP_MATH : (tf32 ? CUDNN_DEFAULT_MATH : CUDNN_FMA_MATH);
    }

    /** The math type a candidate runs with: strict FP32 stays on FMA even if the ranking reports DEFAULT (which allows TF32). */
    static int runMath(ElemType type, boolean tf32, int rankedMath) {
        return type == ElemType.FLOAT32 && !tf32 ? CUDNN_FMA_MATH : rankedMath;
    }

    private record Candidate(int algo, int mathType, float measuredMs) {
    }

    private static Choice choose(Cudnn cudnn, Lowering.Conv c, ConvDescriptors d, Options options, Workspace workspace,
                                 long bias) throws BackendException {
        List<Candidate> ranked = new ArrayList<>();
        for (Cudnn.AlgoPerf p : cudnn.forwardAlgorithms(options.benchmark(), d.x(), d.w(), d.conv(), d.y())) {
            if (p.status() == Cudnn.Statuses.SUCCESS && p.memoryBytes() <= options.workspaceLimit()) {
                ranked.add(new Candidate(p.algo(), runMath(c.type(), options.tf32(), p.mathType()), p.timeMs()));
            }
        }
        Candidate gemm = new Candidate(CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM,
                searchMath(c.type(), options.tf32()), -1f);
        if (ranked.stream().noneMatch(x -> x.algo() == gemm.algo())) {
            ranked.add(gemm);
        }
        List<Candidate> fused = c.activation() == Lowering.CudnnActivation.IDENTITY
                ? ranked.stream().filter(x -> x.algo() == gemm.algo()).toList() : ranked;
        List<String> tried = new ArrayList<>();
        for (Candidate k : fused) {
            Choice ok = trial(cudnn, c, d, options, workspace, bias, k, Mode.FUSED, tried);
            if (ok != null) {
                return ok;
            }
        }
        for (Candidate k : ranked) {
            Choice ok = trial(cudnn, c, d, options, workspace, bias, k, Mode.UNFUSED, tried);
            if (ok != null) {
                return ok;
            }
        }
        throw new BackendException(BackendException.Code.UNSUPPORTED_OP, "cuDNN runs no algorithm for the convolution "
                + c.nodes() + " " + c.geometry() + " (" + c.type() + "): " + String.join("; ", tried));
    }

    /** Runs the call once with candidate {@code k}; its choice if cuDNN accepted it, null if cuDNN refused it. */
    private static Choice trial(Cudnn cudnn, Lowering.Conv c, ConvDescriptors d, Options options, Workspace workspace,
                                long bias, Candidate k, Mode mode, List<String> tried) {
        String label = mode.name().toLowerCase(java.util.Locale.ROOT) + " algo " + k.algo();
        cudnn.check(cudnn.setConvolutionMathType(d.conv(), k.mathType()), "cudnnSetConvolutionMathType " + c.nodes());
        long bytes;
        try {
            bytes = cudnn.workspaceBytes(d.x(), d.w(), d.conv(), d.y(), k.algo());
        } catch (CudnnException e) {
            if (!Cudnn.Statuses.notSupported(e.status())) {
                throw e;
            }
            cudnn.clearCudaError();
            tried.add(label + ": no workspace size (" + e.status() + ")");
            return null;
        }
        if (bytes > options.workspaceLimit()) {
            tried.add(label + ": needs " + bytes + " B of workspace, over cuda.workspace-mb");
            return null;
        }
        long ws = workspace.reserve(bytes);
        ConvCall probe = new ConvCall(c, d, new Choice(mode, k.algo(), k.mathType(), bytes, k.measuredMs(), ""), false, bias);
        Refusal refusal = probe.run(cudnn, ws, bytes);
        if (refusal == null) {
            return new Choice(mode, k.algo(), k.mathType(), bytes, k.measuredMs(), String.join("; ", tried));
        }
        if (!Cudnn.Statuses.notSupported(refusal.status())) {
            throw CudnnException.of(refusal.call() + " (trying " + label + ")", refusal.status(), cudnn.errorString(refusal.status()));
        }
        cudnn.clearCudaError();
        tried.add(label + ": " + refusal.call() + " refused (status " + refusal.status() + ")");
        return null;
    }

    private record Refusal(String call, int status) {
    }

    /** Enqueues the convolution on the handle's stream; throws naming the cuDNN call that failed. */
    void enqueue(Cudnn cudnn, long workspace, long workspaceBytes) {
        Refusal r = run(cudnn, workspace, workspaceBytes);
        if (r != null) {
            throw CudnnException.of(r.call(), r.status(), cudnn.errorString(r.status()));
        }
    }

    /** The calls of this convolution in its mode; the first failing call and status, or null when all succeeded. */
    private Refusal run(Cudnn cudnn, long workspace, long workspaceBytes) {
        boolean residual = call.z() != 0;
        String nodes = " " + call.nodes();
        int s;
        if (choice.mode() == Mode.FUSED) {
            s = cudnn.convolutionBiasActivation(1f, d.x(), call.x(), d.w(), call.w(), d.conv(), choice.algo(), workspace,
                    workspaceBytes, residual ? 1f : 0f, d.y(), residual ? call.z() : call.y(), d.bias(), biasAddress, d.act(),
                    d.y(), call.y());
            return s == Cudnn.Statuses.SUCCESS ? null : new Refusal("cudnnConvolutionBiasActivationForward" + nodes, s);
        }
        if (residual && call.z() != call.y()) {
            s = cudnn.addTensor(1f, d.y(), call.z(), 0f, d.y(), call.y()); // y = z
            if (s != Cudnn.Statuses.SUCCESS) {
                return new Refusal("cudnnAddTensor (residual)" + nodes, s);
            }
        }
        s = cudnn.convolution(1f, d.x(), call.x(), d.w(), call.w(), d.conv(), choice.algo(), workspace, workspaceBytes,
                residual ? 1f : 0f, d.y(), call.y());
        if (s != Cudnn.Statuses.SUCCESS) {
            return new Refusal("cudnnConvolutionForward" + nodes, s);
        }
        if (call.bias() != 0) {
            s = cudnn.addTensor(1f, d.bias(), call.bias(), 1f, d.y(), call.y());
            if (s != Cudnn.Statuses.SUCCESS) {
                return new Refusal("cudnnAddTensor (bias)" + nodes, s);
            }
        }
        if (call.activation() != Lowering.CudnnActivation.IDENTITY) {
            s = cudnn.activation(d.act(), 1f, d.y(), call.y(), 0f, d.y(), call.y());
            if (s != Cudnn.Statuses.SUCCESS) {
                return new Refusal("cudnnActivationForward" + nodes, s);
            }
        }
        return null;
    }

    /** Device calls this convolution enqueues per inference. */
    int launches() {
        if (choice.mode() == Mode.FUSED) {
            return 1;
        }
        return (call.z() != 0 && call.z() != call.y() ? 1 : 0) + 1 + (call.bias() != 0 ? 1 : 0)
                + (call.activation() != Lowering.CudnnActivation.IDENTITY ? 1 : 0);
    }

    Choice choice() {
        return choice;
    }

    boolean fromCache() {
        return fromCache;
    }

    String describe() {
        return call.nodes().getFirst() + ": " + choice.mode().name().toLowerCase(java.util.Locale.ROOT) + " algo " + choice.algo()
                + (choice.measuredMs() >= 0 ? " (" + choice.measuredMs() + " ms)" : "") + ", workspace "
                + choice.workspaceBytes() + " B" + (fromCache ? ", cached" : "")
                + (choice.tried().isEmpty() ? "" : " [refused: " + choice.tried() + "]");
    }

    @Override
    public void close() {
        d.close();
    }
}
