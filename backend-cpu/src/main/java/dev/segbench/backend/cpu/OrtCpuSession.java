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

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * One ORT session. Not thread-safe for concurrent {@link #run} calls (the harness drives one stream per session).
 *
 * <p>Zero-copy I/O: a native input segment is handed to ORT as a direct buffer, which ORT 1.29 wraps without copying
 * (a heap segment is copied once into native memory first), and the output is pre-allocated and pinned, so ORT writes the result straight into
 * memory this session owns. Output memory is reused per session: one buffer, grown to the largest output seen, is
 * lent to the latest result and comes back when that result is closed. A run while an earlier result is still open
 * gets a buffer of its own. A result stays valid until it is closed, even after the session is closed.
 */
final class OrtCpuSession implements InferenceSession {

    private final OrtEnvironment env;
    private final OrtSession session;
    private final ModelArtifact artifact;
    private final int classes;
    private final int stride;
    /** Input dims fixed by the graph (-1 where dynamic), for validation messages. */
    private final long[] graphInputShape;

    private final Object lock = new Object();
    private boolean closed;
    private OutputBuffer spare;

    private OrtCpuSession(OrtEnvironment env, OrtSession session, ModelArtifact artifact, ModelInfo info,
                          long[] graphInputShape) {
        this.env = env;
        this.session = session;
        this.artifact = artifact;
        this.classes = info.numClasses();
        this.stride = info.outputStride();
        this.graphInputShape = graphInputShape;
    }

    /** Checks the graph's inputs and outputs against the artifact contract; closes {@code session} if they differ. */
    static OrtCpuSession create(OrtEnvironment env, OrtSession session, ModelArtifact artifact, ModelInfo info)
            throws BackendException, OrtException {
        try {
            long[] inputShape = tensorInfo(session.getInputInfo(), ModelArtifact.INPUT_NAME, artifact,
                    OnnxJavaType.FLOAT, 4).getShape();
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
            return new OrtCpuSession(env, session, artifact, info, inputShape);
        } catch (BackendException | OrtException | RuntimeException e) {
            try {
                session.close();
            } catch (OrtException closeFailure) {
                e.addSuppressed(closeFailure); // the validation failure is what the caller needs to see
            }
            throw e;
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
        // Everything after borrow sits inside the try: the buffer must go back even when the input's arena is
        // already closed or owned by another thread (asByteBuffer / copyFrom throw then).
        // Heap segments (e.g. over a float[]) cannot become direct buffers: copy those once into native memory.
        try (Arena staging = inSegment.isNative() ? null : Arena.ofConfined()) {
            if (staging != null) {
                inSegment = staging.allocate(input.byteSize(), 64).copyFrom(inSegment);
            }
            runInto(inSegment.asByteBuffer().order(ByteOrder.nativeOrder()), inShape,
                    outSegment.asByteBuffer().order(ByteOrder.nativeOrder()), outShape);
        } catch (OrtException e) {
            giveBack(out);
            throw translate("running " + artifact.modelId() + " on " + input, e);
        } catch (RuntimeException | Error e) {
            giveBack(out);
            throw e;
        }
        return new CpuResult(new HostTensor(outType, outShape, outSegment), out);
    }

    private void runInto(ByteBuffer inBytes, long[] inShape, ByteBuffer outBytesView, long[] outShape)
            throws OrtException {
        try (OnnxTensor in = OnnxTensor.createTensor(env, inBytes.asFloatBuffer(), inShape);
             OnnxTensor pinned = artifact.labelsOut()
                     ? OnnxTensor.createTensor(env, outBytesView, outShape, OnnxJavaType.UINT8)
                     : OnnxTensor.createTensor(env, outBytesView.asFloatBuffer(), outShape)) {
            // ORT writes the output into outBytesView; the Result holds only our pinned tensor, so closing it frees
            // nothing of ours.
            session.run(Map.of(ModelArtifact.INPUT_NAME, in), Map.of(artifact.outputName(), pinned)).close();
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
        try {
            session.close();
        } catch (OrtException e) {
            // The native session is gone either way; there is nothing a caller could do with this.
            throw new IllegalStateException("ONNX Runtime failed to release session for " + artifact.modelId(), e);
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
        private OutputBuffer buffer;

        CpuResult(HostTensor output, OutputBuffer buffer) {
            this.output = output;
            this.buffer = buffer;
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
