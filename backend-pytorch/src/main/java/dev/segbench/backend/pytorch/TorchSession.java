package dev.segbench.backend.pytorch;

import dev.segbench.api.BackendException;
import dev.segbench.api.BackendException.Code;
import dev.segbench.api.DType;
import dev.segbench.api.ArenaResult;
import dev.segbench.api.HostTensor;
import dev.segbench.api.InferenceResult;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.ModelArtifact;
import dev.segbench.onnx.graph.ElemType;
import dev.segbench.onnx.graph.Graph;
import dev.segbench.onnx.graph.OnnxImporter;
import dev.segbench.onnx.graph.ShapeInference;
import dev.segbench.onnx.graph.ShapedGraph;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * One model on libtorch. {@link #run} may be called from several threads at once: the weights are read-only
 * tensors, every run keeps its intermediate tensors to itself (in its own PointerScope, freed when it returns,
 * because tensors left to the garbage collector doubled the time), and libtorch's operators are thread-safe on
 * separate tensors. Each run sets the session's intra-op thread count on its own thread (OpenMP keeps it per thread)
 * and runs under InferenceMode (no autograd bookkeeping).
 *
 * <p>Shapes: onnx-graph specialises the graph per input shape (folding the shape arithmetic, e.g. the Resize sizes);
 * those are cached per session. The input is handed to libtorch without a copy, and so is the output: the result
 * holds the output tensor itself (libtorch's own memory), so it stays valid after the session is closed.
 */
final class TorchSession implements InferenceSession {

    /** Specialised graphs kept per session; the accuracy pass sees one shape per image size. */
    private static final int MAX_CACHED_SHAPES = 64;

    private final ModelArtifact artifact;
    private final Graph graph;
    private final TorchInterpreter interpreter;
    private final int threads;
    private final Map<List<Long>, ShapedGraph> shaped = new ConcurrentHashMap<>();
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private boolean closed;

    private TorchSession(ModelArtifact artifact, Graph graph, TorchInterpreter interpreter, int threads) {
        this.artifact = artifact;
        this.graph = graph;
        this.interpreter = interpreter;
        this.threads = threads;
    }

    /**
     * Parses the graph, refuses an op the interpreter does not run (one line naming it), makes the weights tensors,
     * and specialises the graph for {@code expectedShape} (null: none) so shape errors surface here too.
     */
    static TorchSession open(ModelArtifact artifact, int threads, long[] expectedShape)
            throws BackendException {
        String what = artifact.modelId() + " (" + artifact.precision().id() + (artifact.labelsOut() ? ", labels-out" : "") + ")";
        Graph graph;
        TorchInterpreter interpreter;
        try {
            graph = OnnxImporter.parse(artifact.onnx());
            checkSignature(graph, artifact);
            interpreter = TorchInterpreter.of(graph);
        } catch (BackendException e) {
            throw new BackendException(e.code(), what + ": " + e.getMessage(), e);
        }
        TorchSession session = new TorchSession(artifact, graph, interpreter, threads);
        if (expectedShape != null) {
            try {
                session.shapedGraph(expectedShape);
            } catch (BackendException | RuntimeException e) {
                session.close();
                if (e instanceof BackendException b) {
                    throw new BackendException(b.code(), what + ": " + b.getMessage(), b);
                }
                throw e;
            }
        }
        return session;
    }

    private static void checkSignature(Graph graph, ModelArtifact artifact) throws BackendException {
        if (graph.inputs().size() != 1 || !graph.inputs().get(0).name().equals(ModelArtifact.INPUT_NAME)
                || graph.inputs().get(0).type() != ElemType.FLOAT32 || graph.inputs().get(0).dims().length != 4) {
            throw new BackendException(Code.MODEL_INVALID, "the graph must have one FLOAT32 NCHW input '"
                    + ModelArtifact.INPUT_NAME + "'");
        }
        ElemType outType = artifact.labelsOut() ? ElemType.UINT8 : ElemType.FLOAT32;
        boolean found = graph.outputs().stream().anyMatch(o -> o.name().equals(artifact.outputName()) && o.type() == outType);
        if (!found) {
            throw new BackendException(Code.MODEL_INVALID, "the graph has no " + outType + " output '"
                    + artifact.outputName() + "'");
        }
    }

    @Override
    public ModelArtifact artifact() {
        return artifact;
    }

    private ShapedGraph shapedGraph(long[] shape) throws BackendException {
        List<Long> key = Arrays.stream(shape).boxed().toList();
        ShapedGraph g = shaped.get(key);
        if (g == null) {
            g = ShapeInference.infer(graph, shape);
            if (shaped.size() >= MAX_CACHED_SHAPES) {
                shaped.clear();
            }
            shaped.put(key, g);
        }
        return g;
    }

    @Override
    public InferenceResult run(HostTensor input) throws BackendException {
        long[] shape = validate(input);
        lifecycle.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("session for " + artifact.modelId() + " is closed");
            }
            ShapedGraph g = shapedGraph(shape);
            TorchRuntime.intraOpThreads(threads);
            MemorySegment in = input.data().asSlice(0, input.byteSize());
            try (Arena staging = in.isNative() ? null : Arena.ofConfined();
                 PointerScope scope = new PointerScope();
                 InferenceMode inferenceMode = new InferenceMode()) {
                MemorySegment nativeIn = staging == null ? in : staging.allocate(in.byteSize(), 64).copyFrom(in);
                Tensor x = torch.from_blob(address(nativeIn), shape, new TensorOptions(ScalarType.Float));
                Tensor y = interpreter.run(g, x).get(artifact.outputName()).contiguous();
                if (y.is_alias_of(x)) { // an output that is the input itself must not point at the caller's memory
                    y = y.clone();
                }
                return handOver(y, g.shape(artifact.outputName()));
            }
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /**
     * Runs the graph and keeps every node result named in {@code capture}, copied to FP32 on the heap as soon as its
     * node ran (a later in-place ReLU would overwrite it). Results that are not floating point (shape arithmetic
     * folded away at specialisation never runs here) are left out; the output is captured under its name too.
     */
    @Override
    public InferenceResult run(HostTensor input, java.util.Set<String> capture) throws BackendException {
        long[] shape = validate(input);
        lifecycle.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("session for " + artifact.modelId() + " is closed");
            }
            ShapedGraph g = shapedGraph(shape);
            TorchRuntime.intraOpThreads(threads);
            MemorySegment in = input.data().asSlice(0, input.byteSize());
            Map<String, HostTensor> captured = new java.util.LinkedHashMap<>();
            try (Arena staging = Arena.ofConfined();
                 PointerScope scope = new PointerScope();
                 InferenceMode inferenceMode = new InferenceMode()) {
                MemorySegment nativeIn = staging.allocate(in.byteSize(), 64).copyFrom(in);
                Tensor x = torch.from_blob(address(nativeIn), shape, new TensorOptions(ScalarType.Float));
                Tensor y = interpreter.run(g, x, (name, t) -> {
                    if (capture.contains(name) && t.is_floating_point()) {
                        captured.put(name, heapCopy(t));
                    }
                }).get(artifact.outputName()).contiguous();
                if (y.is_alias_of(x)) { // the staging input is freed when this run returns
                    y = y.clone();
                }
                ArenaResult out = handOver(y, g.shape(artifact.outputName()));
                Map<String, HostTensor> extras = java.util.Collections.unmodifiableMap(captured);
                return new InferenceResult() {
                    @Override
                    public HostTensor output() {
                        return out.output();
                    }

                    @Override
                    public Map<String, HostTensor> extraOutputs() {
                        return extras;
                    }

                    @Override
                    public void close() {
                        out.close();
                    }
                };
            }
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /** An FP32 heap copy of a libtorch tensor, in its shape. */
    private static HostTensor heapCopy(Tensor t) {
        Tensor f = t.to(ScalarType.Float).contiguous();
        long[] shape = f.sizes().vec().get();
        float[] values = new float[(int) f.numel()];
        MemorySegment.copy(MemorySegment.ofAddress(f.data_ptr().address()).reinterpret(f.nbytes()),
                java.lang.foreign.ValueLayout.JAVA_FLOAT, 0, values, 0, values.length);
        return new HostTensor(DType.FLOAT32, shape, MemorySegment.ofArray(values));
    }

    /** A JavaCPP pointer to memory this session does not own (nothing to free). */
    private static Pointer address(MemorySegment segment) {
        return new Pointer() {
            {
                address = segment.address();
            }
        };
    }

    /**
     * The output tensor as the result, without a copy: its memory stays libtorch's, held by one more reference than
     * the run's PointerScope releases, and is given back when the result's arena closes. Copying it into Java memory
     * cost an allocation, a zero fill and a copy of the whole output (22 MB of logits at 512x512) on every run.
     */
    private ArenaResult handOver(Tensor y, long[] shape) {
        DType dtype = artifact.labelsOut() ? DType.UINT8 : DType.FLOAT32;
        ScalarType expected = artifact.labelsOut() ? ScalarType.Byte : ScalarType.Float;
        if (y.scalar_type().value != expected.value || y.numel() != HostTensor.elementCount(shape)) {
            throw new IllegalStateException(artifact.modelId() + ": output is " + y.scalar_type() + " with " + y.numel()
                    + " elements, expected " + expected + Arrays.toString(shape));
        }
        long bytes = y.nbytes();
        long address = y.data_ptr().address();
        Tensor held = y.retainReference();
        Arena arena = Arena.ofShared(); // shared: the harness may close a result on another thread
        MemorySegment out = MemorySegment.ofAddress(address).reinterpret(bytes, arena, unused -> held.releaseReference());
        return new ArenaResult(new HostTensor(dtype, shape, out), arena, artifact.modelId());
    }

    /** Returns the input shape after checking it; IllegalArgumentException names what was expected. */
    private long[] validate(HostTensor input) {
        long[] shape = input.shape();
        boolean ok = input.dtype() == DType.FLOAT32 && shape.length == 4 && shape[1] == 3;
        for (int i = 0; ok && i < shape.length; i++) {
            ok = shape[i] >= 1;
        }
        if (!ok) {
            throw new IllegalArgumentException(artifact.modelId() + ": expected input FLOAT32[N,3,H,W], got "
                    + input.dtype() + Arrays.toString(shape));
        }
        if (!input.data().scope().isAlive()) {
            // libtorch would read the freed memory through the raw address: refuse here instead of crashing the JVM
            throw new IllegalStateException(artifact.modelId() + ": input " + input + " lives in a closed arena");
        }
        return shape;
    }

    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            interpreter.close();
            shaped.clear();
        } finally {
            lifecycle.writeLock().unlock();
        }
    }
}
