package dev.segbench.backend.cpu;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.segbench.api.BackendException;
import dev.segbench.api.DType;
import dev.segbench.api.HostTensor;
import dev.segbench.api.InferenceResult;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelInfo;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * One model on ONNX Runtime's CPU provider. Not thread-safe for concurrent {@link #run} calls (the harness drives one
 * stream per session).
 *
 * <p>Zero-copy I/O: a native input segment is handed to ORT as a direct buffer, which ORT 1.29 wraps without copying
 * (a heap segment is copied once into native memory first), and the output is pre-allocated and pinned, so ORT writes the result straight into
 * memory this session owns. Output memory is reused per session: one buffer, grown to the largest output seen, is
 * lent to the latest result and comes back when that result is closed. A run while an earlier result is still open
 * gets a buffer of its own. A result stays valid until it is closed, even after the session is closed.
 *
 * <p>Two ORT sessions per shape class: the graph's symbolic batch/height/width take any size (the accuracy pass), and
 * a second session, opened on the first run of exactly the profile's optimal shape (the performance pass), has
 * those dimensions fixed with {@code setSymbolicDimensionValue}, which lets ORT's layout pass prove shapes, drop
 * the shape sub-graphs and keep Resize inside NCHWc (ort-cpu-notes.md).
 *
 * <p>A graph with several outputs (a calibration graph) returns the others as {@link InferenceResult#extraOutputs()},
 * copied out of ORT's memory.
 */
final class OrtCpuSession implements InferenceSession {

    /** Opens an ORT session of the same graph and options with some symbolic dimensions fixed. */
    @FunctionalInterface
    interface FixedShapeOpener {
        OrtSession open(Map<String, Long> dimensions) throws OrtException;
    }

    /** Opens an ORT session of other graph bytes (the graph with captured tensors as outputs) and the same options. */
    @FunctionalInterface
    interface GraphOpener {
        OrtSession open(byte[] onnx) throws OrtException;
    }

    /** Opens an ORT session of the same graph and options that profiles every run into {@code prefix}_*.json. */
    @FunctionalInterface
    interface ProfilingOpener {
        OrtSession open(Map<String, Long> dimensions, String prefix) throws OrtException;
    }

    private final OrtEnvironment env;
    private final OrtSession session;
    private final ModelArtifact artifact;
    private final int classes;
    private final int stride;
    /** Input dims fixed by the graph (-1 where dynamic), for validation messages. */
    private final long[] graphInputShape;
    private final List<String> extraOutputs;
    /** The shape the fixed-dimension session serves, or null where the graph has no symbolic dims to fix. */
    private final long[] fixedShape;
    private final Map<String, Long> fixedDimensions;
    private final FixedShapeOpener opener;
    private final GraphOpener captureOpener;
    private final ProfilingOpener profilingOpener;
    /** One session per capture set, each over the graph with those tensors as outputs; closed with this session. */
    private final Map<Set<String>, OrtSession> captureSessions = new HashMap<>();

    private final Object lock = new Object();
    private boolean closed;
    private OutputBuffer spare;
    private OrtSession fixedSession;
    private double fixedSessionOpenSeconds = -1;

    private OrtCpuSession(OrtEnvironment env, OrtSession session, ModelArtifact artifact, ModelInfo info,
                          long[] graphInputShape, List<String> extraOutputs, long[] fixedShape,
                          Map<String, Long> fixedDimensions, FixedShapeOpener opener, GraphOpener captureOpener,
                          ProfilingOpener profilingOpener) {
        this.env = env;
        this.session = session;
        this.artifact = artifact;
        this.classes = info.numClasses();
        this.stride = info.outputStride();
        this.graphInputShape = graphInputShape;
        this.extraOutputs = extraOutputs;
        this.fixedShape = fixedShape;
        this.fixedDimensions = fixedDimensions;
        this.opener = opener;
        this.captureOpener = captureOpener;
        this.profilingOpener = profilingOpener;
    }

    /**
     * Checks the graph's inputs and outputs against the artifact contract; closes {@code session} if they differ.
     *
     * @param fixedShape the NCHW shape to serve from a session with fixed dimensions (null: none)
     * @param opener     opens that session
     */
    static OrtCpuSession create(OrtEnvironment env, OrtSession session, ModelArtifact artifact, ModelInfo info,
                                long[] fixedShape, FixedShapeOpener opener, GraphOpener captureOpener,
                                ProfilingOpener profilingOpener)
            throws BackendException, OrtException {
        try {
            TensorInfo input = tensorInfo(session.getInputInfo(), ModelArtifact.INPUT_NAME, artifact,
                    OnnxJavaType.FLOAT, 4);
            long[] inputShape = input.getShape();
            if (inputShape[1] != -1 && inputShape[1] != 3) {
                throw invalid(artifact, "input '" + ModelArtifact.INPUT_NAME + "' has " + inputShape[1]
                        + " channels, expected 3");
            }
            OnnxJavaType outType = artifact.labelsOut() ? OnnxJavaType.UINT8 : OnnxJavaType.FLOAT;
            long[] outShape = tensorInfo(session.getOutputInfo(), artifact.outputName(), artifact, outType,
                    artifact.labelsOut() ? 3 : 4).getShape();
            if (!artifact.labelsOut() && outShape[1] != -1 && outShape[1] != info.numClasses()) {
                throw invalid(artifact, "output '" + artifact.outputName() + "' has " + outShape[1]
                        + " channels but the model has " + info.numClasses() + " classes");
            }
            if (info.outputStride() < 1) {
                throw invalid(artifact, "model info gives output stride " + info.outputStride());
            }
            List<String> extras = new ArrayList<>(session.getOutputNames());
            extras.remove(artifact.outputName());
            Map<String, Long> dims = fixedShape == null ? Map.of() : symbolicDimensions(input, fixedShape);
            return new OrtCpuSession(env, session, artifact, info, inputShape, List.copyOf(extras),
                    dims.isEmpty() ? null : fixedShape.clone(), dims, opener, captureOpener, profilingOpener);
        } catch (BackendException | OrtException | RuntimeException e) {
            try {
                session.close();
            } catch (OrtException closeFailure) {
                e.addSuppressed(closeFailure); // the validation failure is what the caller needs to see
            }
            throw e;
        }
    }

    /** Symbolic input dimension name -> the value {@code shape} gives it; empty when the graph names none. */
    private static Map<String, Long> symbolicDimensions(TensorInfo input, long[] shape) {
        String[] names = input.getDimensionNames();
        long[] dims = input.getShape();
        Map<String, Long> fixed = new LinkedHashMap<>();
        for (int i = 0; i < dims.length && i < names.length; i++) {
            if (dims[i] == -1 && names[i] != null && !names[i].isEmpty()) {
                if (fixed.containsKey(names[i]) && fixed.get(names[i]) != shape[i]) {
                    return Map.of(); // one name for two dims of different sizes: this shape cannot be fixed
                }
                fixed.put(names[i], shape[i]);
            }
        }
        return fixed;
    }

    /** Seconds it took to open the fixed-dimension session, or -1 while it has not been opened. */
    double fixedSessionOpenSeconds() {
        synchronized (lock) {
            return fixedSessionOpenSeconds;
        }
    }

    private static TensorInfo tensorInfo(Map<String, NodeInfo> nodes, String name, ModelArtifact artifact,
                                         OnnxJavaType type, int rank) throws BackendException {
        NodeInfo node = nodes.get(name);
        if (node == null) {
            throw invalid(artifact, "graph has no '" + name + "' (it has " + nodes.keySet() + ")");
        }
        if (!(node.getInfo() instanceof TensorInfo tensor) || tensor.type != type || tensor.getShape().length != rank) {
            throw invalid(artifact, "'" + name + "' is " + node.getInfo() + ", expected a rank-" + rank + " "
                    + type + " tensor");
        }
        return tensor;
    }

    private static BackendException invalid(ModelArtifact artifact, String problem) {
        return new BackendException(BackendException.Code.MODEL_INVALID, artifact.modelId() + " ("
                + artifact.precision().id() + "): " + problem);
    }

    @Override
    public ModelArtifact artifact() {
        return artifact;
    }

    @Override
    public InferenceResult run(HostTensor input) throws BackendException {
        checkOpen();
        long[] inShape = validate(input);
        long[] outShape = artifact.labelsOut()
                ? new long[] {inShape[0], inShape[2], inShape[3]}
                : new long[] {inShape[0], classes, ceilDiv(inShape[2], stride), ceilDiv(inShape[3], stride)};
        DType outType = artifact.labelsOut() ? DType.UINT8 : DType.FLOAT32;
        long outBytes = HostTensor.elementCount(outShape) * outType.byteSize();
        if (outBytes > Integer.MAX_VALUE) { // ORT's Java API addresses buffers with int
            throw new IllegalArgumentException("output " + outType + Arrays.toString(outShape)
                    + " exceeds 2 GiB; run a smaller batch");
        }
        OutputBuffer out = borrow(outBytes);
        MemorySegment outSegment = out.segment.asSlice(0, outBytes);
        MemorySegment inSegment = input.data().asSlice(0, input.byteSize());
        Map<String, HostTensor> extras;
        // Everything after borrow sits inside the try: the buffer must go back even when the input's arena is
        // already closed or owned by another thread (asByteBuffer / copyFrom throw then).
        // Heap segments (e.g. over a float[]) cannot become direct buffers: copy those once into native memory.
        try (Arena staging = inSegment.isNative() ? null : Arena.ofConfined()) {
            if (staging != null) {
                inSegment = staging.allocate(input.byteSize(), 64).copyFrom(inSegment);
            }
            extras = runInto(inSegment.asByteBuffer().order(ByteOrder.nativeOrder()), inShape,
                    outSegment.asByteBuffer().order(ByteOrder.nativeOrder()), outShape);
        } catch (OrtException e) {
            giveBack(out);
            throw translate("running " + artifact.modelId() + " on " + input, e);
        } catch (RuntimeException | Error e) {
            giveBack(out);
            throw e;
        }
        return new CpuResult(new HostTensor(outType, outShape, outSegment), extras, out);
    }

    private Map<String, HostTensor> runInto(ByteBuffer inBytes, long[] inShape, ByteBuffer outBytesView,
                                            long[] outShape) throws OrtException {
        OrtSession target = sessionFor(inShape);
        try (OnnxTensor in = OnnxTensor.createTensor(env, inBytes.asFloatBuffer(), inShape);
             OnnxTensor pinned = artifact.labelsOut()
                     ? OnnxTensor.createTensor(env, outBytesView, outShape, OnnxJavaType.UINT8)
                     : OnnxTensor.createTensor(env, outBytesView.asFloatBuffer(), outShape)) {
            Map<String, OnnxTensor> inputs = Map.of(ModelArtifact.INPUT_NAME, in);
            Map<String, OnnxTensor> pinnedOutputs = Map.of(artifact.outputName(), pinned);
            if (extraOutputs.isEmpty()) {
                // ORT writes the output into outBytesView; the Result holds only our pinned tensor, so closing it
                // frees nothing of ours.
                target.run(inputs, pinnedOutputs).close();
                return Map.of();
            }
            try (OrtSession.Result result = target.run(inputs, new LinkedHashSet<>(extraOutputs), pinnedOutputs)) {
                Map<String, HostTensor> extras = new LinkedHashMap<>();
                for (String name : extraOutputs) {
                    OnnxTensor t = (OnnxTensor) result.get(name).orElseThrow(() ->
                            new IllegalStateException("ONNX Runtime returned no output " + name));
                    if (t.getInfo().type != OnnxJavaType.FLOAT) {
                        throw new IllegalStateException("extra output " + name + " is " + t.getInfo().type
                                + ", expected FLOAT");
                    }
                    float[] values = new float[(int) t.getInfo().getNumElements()];
                    t.getFloatBuffer().get(values); // a copy: ORT frees its own memory with the Result
                    extras.put(name, new HostTensor(DType.FLOAT32, t.getInfo().getShape(), MemorySegment.ofArray(values)));
                }
                return extras;
            }
        }
    }

    /**
     * Runs the graph with the captured tensors as extra outputs, in a session of its own per capture set (the timed
     * session keeps its fusions). Outputs are copied to the heap; FP16 tensors come back widened to FP32, and
     * tensors of other types (shape arithmetic) are left out.
     */
    @Override
    public InferenceResult run(HostTensor input, Set<String> capture) throws BackendException {
        checkOpen();
        long[] inShape = validate(input);
        Set<String> key = Set.copyOf(capture);
        try (Arena staging = Arena.ofConfined()) {
            OrtSession target = captureSession(key);
            MemorySegment in = staging.allocate(input.byteSize(), 64).copyFrom(input.data().asSlice(0, input.byteSize()));
            try (OnnxTensor tensor = OnnxTensor.createTensor(env, in.asByteBuffer().order(ByteOrder.nativeOrder())
                    .asFloatBuffer(), inShape);
                 OrtSession.Result result = target.run(Map.of(ModelArtifact.INPUT_NAME, tensor))) {
                HostTensor output = null;
                Map<String, HostTensor> extras = new LinkedHashMap<>();
                for (Map.Entry<String, ai.onnxruntime.OnnxValue> e : result) {
                    if (!(e.getValue() instanceof OnnxTensor t)) {
                        continue;
                    }
                    if (e.getKey().equals(artifact.outputName())) {
                        output = copy(t);
                    }
                    if (key.contains(e.getKey()) && isFloat(t.getInfo().type)) {
                        extras.put(e.getKey(), copy(t));
                    }
                }
                if (output == null) {
                    throw new IllegalStateException("ONNX Runtime returned no output " + artifact.outputName());
                }
                HostTensor out = output;
                return new InferenceResult() {
                    @Override
                    public HostTensor output() {
                        return out;
                    }

                    @Override
                    public Map<String, HostTensor> extraOutputs() {
                        return Collections.unmodifiableMap(extras);
                    }

                    @Override
                    public void close() {
                        // heap copies: nothing native to free
                    }
                };
            }
        } catch (OrtException e) {
            throw translate("running " + artifact.modelId() + " with captured tensors on " + input, e);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new BackendException(BackendException.Code.MODEL_INVALID, artifact.modelId() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Times every node with ORT's profiler: a session of its own with profiling on and the input's dimensions fixed
     * (the layout the timed session runs for that shape), one warm-up run and {@code runs} profiled runs; the
     * profile file is deleted after reading.
     */
    @Override
    public Optional<Map<String, Double>> profileNodes(HostTensor input, int runs) throws BackendException {
        if (runs < 1) {
            throw new IllegalArgumentException("profileNodes needs at least one run, got " + runs);
        }
        checkOpen();
        long[] inShape = validate(input);
        Path folder = null;
        try (Arena staging = Arena.ofConfined()) {
            folder = Files.createTempDirectory("segbench-profile-");
            Map<String, Long> dims = symbolicDimensions(tensorInfo(session.getInputInfo(), ModelArtifact.INPUT_NAME,
                    artifact, OnnxJavaType.FLOAT, 4), inShape);
            MemorySegment in = staging.allocate(input.byteSize(), 64).copyFrom(input.data().asSlice(0, input.byteSize()));
            try (OrtSession profiled = profilingOpener.open(dims, folder.resolve("ort").toString());
                 OnnxTensor tensor = OnnxTensor.createTensor(env, in.asByteBuffer().order(ByteOrder.nativeOrder())
                         .asFloatBuffer(), inShape)) {
                for (int i = 0; i <= runs; i++) {
                    profiled.run(Map.of(ModelArtifact.INPUT_NAME, tensor)).close();
                }
                Path file = Path.of(profiled.endProfiling());
                List<String> nodes = ModelProto.parseFrom(artifact.onnx()).getGraph().getNodeList().stream()
                        .map(NodeProto::getName).toList();
                return Optional.of(NodeProfile.medians(Files.readString(file), nodes, 1));
            }
        } catch (OrtException e) {
            throw translate("profiling " + artifact.modelId() + " on " + input, e);
        } catch (IOException e) {
            throw new BackendException(BackendException.Code.RUNTIME_ERROR, "profiling " + artifact.modelId()
                    + ": cannot read ONNX Runtime's profile: " + e.getMessage(), e);
        } finally {
            deleteQuietly(folder);
        }
    }

    private static void deleteQuietly(Path folder) {
        if (folder == null) {
            return;
        }
        try (var files = Files.list(folder)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(folder);
        } catch (IOException e) {
            // a profile left in the temp folder costs disk only; the measurement already succeeded or failed
        }
    }

    private OrtSession captureSession(Set<String> capture) throws OrtException,
            com.google.protobuf.InvalidProtocolBufferException {
        synchronized (lock) {
            OrtSession s = captureSessions.get(capture);
            if (s == null) {
                s = captureOpener.open(CaptureGraph.withOutputs(artifact.onnx(), capture));
                captureSessions.put(capture, s);
            }
            return s;
        }
    }

    private static boolean isFloat(OnnxJavaType type) {
        return type == OnnxJavaType.FLOAT || type == OnnxJavaType.FLOAT16 || type == OnnxJavaType.BFLOAT16;
    }

    /** A heap copy of an ORT tensor: FP32 for float types (getFloatBuffer widens FP16), UINT8 labels as they are. */
    private static HostTensor copy(OnnxTensor t) {
        long[] shape = t.getInfo().getShape();
        if (t.getInfo().type == OnnxJavaType.UINT8) {
            byte[] bytes = new byte[(int) t.getInfo().getNumElements()];
            t.getByteBuffer().get(bytes);
            return new HostTensor(DType.UINT8, shape, MemorySegment.ofArray(bytes));
        }
        float[] values = new float[(int) t.getInfo().getNumElements()];
        t.getFloatBuffer().get(values);
        return new HostTensor(DType.FLOAT32, shape, MemorySegment.ofArray(values));
    }

    /** The fixed-dimension session for the profile's optimal shape (opened on first use), else the generic one. */
    private OrtSession sessionFor(long[] inShape) throws OrtException {
        if (fixedShape == null || !Arrays.equals(inShape, fixedShape)) {
            return session;
        }
        synchronized (lock) {
            if (fixedSession == null) {
                long t0 = System.nanoTime();
                fixedSession = opener.open(fixedDimensions);
                fixedSessionOpenSeconds = (System.nanoTime() - t0) / 1e9;
            }
            return fixedSession;
        }
    }

    /** Returns the input shape after checking it against the graph; IllegalArgumentException names both. */
    private long[] validate(HostTensor input) {
        long[] shape = input.shape();
        boolean ok = input.dtype() == DType.FLOAT32 && shape.length == 4 && shape[1] == 3;
        for (int i = 0; ok && i < shape.length; i++) {
            ok = shape[i] >= 1 && (graphInputShape[i] == -1 || graphInputShape[i] == shape[i]);
        }
        if (!ok) {
            throw new IllegalArgumentException(artifact.modelId() + ": expected input FLOAT32"
                    + dimsText(graphInputShape) + " (NCHW, C = 3), got " + input.dtype() + Arrays.toString(shape));
        }
        if (!input.data().scope().isAlive()) {
            // ORT would read the freed memory through the raw address: refuse here instead of crashing the JVM
            throw new IllegalStateException(artifact.modelId() + ": input " + input + " lives in a closed arena");
        }
        if (input.byteSize() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("input " + input + " exceeds 2 GiB; run a smaller batch");
        }
        return shape;
    }

    private static String dimsText(long[] dims) {
        String[] names = {"N", "3", "H", "W"};
        StringBuilder text = new StringBuilder("[");
        for (int i = 0; i < dims.length; i++) {
            text.append(i == 0 ? "" : ",").append(dims[i] == -1 ? names[i] : Long.toString(dims[i]));
        }
        return text.append(']').toString();
    }

    private static long ceilDiv(long value, int divisor) {
        return (value + divisor - 1) / divisor;
    }

    private OutputBuffer borrow(long bytes) {
        synchronized (lock) {
            OutputBuffer buffer = spare;
            spare = null;
            if (buffer != null && buffer.segment.byteSize() >= bytes) {
                return buffer;
            }
            if (buffer != null) {
                buffer.free();
            }
        }
        return OutputBuffer.allocate(bytes);
    }

    /** Keeps the larger of the returned buffer and the current spare; frees everything once the session is closed. */
    private void giveBack(OutputBuffer buffer) {
        OutputBuffer toFree = buffer;
        synchronized (lock) {
            if (!closed && (spare == null || spare.segment.byteSize() < buffer.segment.byteSize())) {
                toFree = spare;
                spare = buffer;
            }
        }
        if (toFree != null) {
            toFree.free();
        }
    }

    private void checkOpen() {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("session for " + artifact.modelId() + " is closed");
            }
        }
    }

    @Override
    public void close() {
        OutputBuffer toFree;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            toFree = spare;
            spare = null;
        }
        if (toFree != null) {
            toFree.free();
        }
        OrtSession fixed;
        List<OrtSession> captures;
        synchronized (lock) {
            fixed = fixedSession;
            fixedSession = null;
            captures = new ArrayList<>(captureSessions.values());
            captureSessions.clear();
        }
        List<OrtSession> all = new ArrayList<>();
        all.add(session);
        if (fixed != null) {
            all.add(fixed);
        }
        all.addAll(captures);
        OrtException first = null;
        for (OrtSession each : all) { // each closed even when an earlier one fails
            try {
                each.close();
            } catch (OrtException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            // The native sessions are gone either way; there is nothing a caller could do with this.
            throw new IllegalStateException("ONNX Runtime failed to release session for " + artifact.modelId(), first);
        }
    }

    /** Maps ORT's error codes onto the SPI's; ORT reports allocation failures only in the message text. */
    static BackendException translate(String context, OrtException e) {
        // one line: ORT's messages sometimes carry a node dump or stack on further lines
        String message = context + ": " + String.valueOf(e.getMessage()).replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
        String lower = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        BackendException.Code code;
        if (lower.contains("bad_alloc") || lower.contains("failed to allocate")) {
            code = BackendException.Code.OUT_OF_MEMORY;
        } else {
            code = switch (e.getCode()) {
                case ORT_INVALID_PROTOBUF, ORT_INVALID_GRAPH, ORT_NO_MODEL, ORT_NO_SUCHFILE ->
                        BackendException.Code.MODEL_INVALID;
                case ORT_NOT_IMPLEMENTED -> BackendException.Code.UNSUPPORTED_OP;
                default -> BackendException.Code.RUNTIME_ERROR;
            };
        }
        return new BackendException(code, message, e);
    }

    /** Native output memory with its own arena, so a result can outlive the session that filled it. */
    private record OutputBuffer(Arena arena, MemorySegment segment) {
        static OutputBuffer allocate(long bytes) {
            Arena arena = Arena.ofShared(); // shared: the harness may close a result on another thread
            return new OutputBuffer(arena, arena.allocate(Math.max(bytes, 1), 64));
        }

        void free() {
            arena.close();
        }
    }

    private final class CpuResult implements InferenceResult {
        private final HostTensor output;
        private final Map<String, HostTensor> extras;
        private OutputBuffer buffer;

        CpuResult(HostTensor output, Map<String, HostTensor> extras, OutputBuffer buffer) {
            this.output = output;
            this.extras = Collections.unmodifiableMap(extras);
            this.buffer = buffer;
        }

        @Override
        public synchronized Map<String, HostTensor> extraOutputs() {
            if (buffer == null) {
                throw new IllegalStateException("result of " + artifact.modelId() + " is closed");
            }
            return extras;
        }

        @Override
        public synchronized HostTensor output() {
            if (buffer == null) {
                throw new IllegalStateException("result of " + artifact.modelId() + " is closed");
            }
            return output;
        }

        @Override
        public void close() {
            OutputBuffer released;
            synchronized (this) {
                released = buffer;
                buffer = null;
            }
            if (released != null) {
                giveBack(released);
            }
        }
    }
}
