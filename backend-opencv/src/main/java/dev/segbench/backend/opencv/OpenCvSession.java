package dev.segbench.backend.opencv;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.segbench.api.BackendException;
import dev.segbench.api.DType;
import dev.segbench.api.ArenaResult;
import dev.segbench.api.HostTensor;
import dev.segbench.api.InferenceResult;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelInfo;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_dnn;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_dnn.Net;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One model on OpenCV DNN. OpenCV fixes the sizes of the graph's Resize nodes when it reads the network, so a graph
 * whose height and width are symbolic cannot run ("Inconsistent shape for ConcatLayer"): the session writes each
 * input shape (batch, height, width) into the graph's input dims and keeps one {@link Net} per shape, the
 * {@value #CACHED_SHAPES} used last (an accuracy pass over images of many sizes would otherwise hold a network per
 * size). The profile's optimal shape is built at open, which also refuses a graph OpenCV cannot import.
 *
 * <p>An OpenCV {@code Net} is not thread-safe (forward() writes its own blobs), so runs are serialised on the
 * session and the backend does not declare concurrent runs: one network per worker would multiply the per-shape
 * cache and its build time for what the 2-core machines we measure on cannot use anyway.
 */
final class OpenCvSession implements InferenceSession {

    /** Networks kept per session: the performance shape plus a few accuracy-pass image sizes. */
    static final int CACHED_SHAPES = 4;

    /** An input shape the session builds a network for. */
    record Shape(int batch, int height, int width) {
        @Override
        public String toString() {
            return "[" + batch + ",3," + height + "," + width + "]";
        }
    }

    private final ModelArtifact artifact;
    private final OnnxMl.ModelProto graph;
    private final int classes;
    private final int stride;
    private final int threads;
    /** Access-ordered: the eldest entry is the network used longest ago; guarded by {@code this}. */
    private final LinkedHashMap<Shape, Net> nets = new LinkedHashMap<>(8, 0.75f, true);
    private boolean closed;

    private OpenCvSession(ModelArtifact artifact, OnnxMl.ModelProto graph, ModelInfo info, int threads) {
        this.artifact = artifact;
        this.graph = graph;
        this.classes = info.numClasses();
        this.stride = info.outputStride();
        this.threads = threads;
    }

    /** Checks the graph's input and output, then builds the network for {@code first}; refuses what OpenCV cannot read. */
    static OpenCvSession open(ModelArtifact artifact, ModelInfo info, int threads, Shape first) throws BackendException {
        OnnxMl.ModelProto graph;
        try {
            graph = OnnxMl.ModelProto.parseFrom(artifact.onnxBuffer());
        } catch (InvalidProtocolBufferException e) {
            throw invalid(artifact, "not an ONNX model (" + e.getMessage() + ")");
        }
        if (graph.getGraph().getInputList().stream().noneMatch(v -> v.getName().equals(ModelArtifact.INPUT_NAME))) {
            throw invalid(artifact, "graph has no input '" + ModelArtifact.INPUT_NAME + "'");
        }
        if (graph.getGraph().getOutputList().stream().noneMatch(v -> v.getName().equals(artifact.outputName()))) {
            throw invalid(artifact, "graph has no output '" + artifact.outputName() + "'");
        }
        if (info.outputStride() < 1) {
            throw invalid(artifact, "model info gives output stride " + info.outputStride());
        }
        OpenCvSession session = new OpenCvSession(artifact, graph, info, threads);
        synchronized (session) {
            session.netFor(first);
        }
        return session;
    }

    @Override
    public ModelArtifact artifact() {
        return artifact;
    }

    @Override
    public synchronized InferenceResult run(HostTensor input) throws BackendException {
        if (closed) {
            throw new IllegalStateException("session for " + artifact.modelId() + " is closed");
        }
        Shape shape = validate(input);
        Net net = netFor(shape);
        long[] outShape = {shape.batch(), classes, ceilDiv(shape.height(), stride), ceilDiv(shape.width(), stride)};
        long outBytes = HostTensor.elementCount(outShape) * Float.BYTES;
        Arena resultArena = Arena.ofShared(); // shared: the harness may close a result on another thread
        try (Arena staging = input.data().isNative() ? null : Arena.ofConfined()) {
            MemorySegment in = input.data().asSlice(0, input.byteSize());
            if (staging != null) { // a heap segment has no address OpenCV could read: copy it once
                in = staging.allocate(input.byteSize(), 64).copyFrom(in);
            }
            MemorySegment out = resultArena.allocate(outBytes, 64);
            try (FloatPointer data = new FloatPointer(in.asByteBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer());
                 Mat blob = new Mat(new int[] {shape.batch(), 3, shape.height(), shape.width()}, opencv_core.CV_32F, data)) {
                net.setInput(blob);
                OpenCvNative.useThreads(threads);
                try (Mat logits = net.forward()) {
                    copyOut(logits, outShape, out);
                }
            }
            return new ArenaResult(new HostTensor(DType.FLOAT32, outShape, out), resultArena, artifact.modelId());
        } catch (RuntimeException e) {
            resultArena.close();
            if (e.getClass() == RuntimeException.class) { // JavaCPP's translation of a cv::Exception
                throw new BackendException(BackendException.Code.RUNTIME_ERROR, "running " + artifact.modelId()
                        + " at " + shape + " on OpenCV: " + oneLine(e.getMessage()), e);
            }
            throw e;
        }
    }

    /**
     * Runs with the captured tensors as extra network outputs, each asked for by the name OpenCV's ONNX importer gave
     * the layer of the node that makes it ({@link #layerNames}); a requested layer is not fused into its neighbour (OpenCV keeps
     * the blobs asked for), so its value is the float graph's. Names OpenCV has no layer for (folded constants,
     * Identity) are left out.
     */
    @Override
    public synchronized InferenceResult run(HostTensor input, java.util.Set<String> capture) throws BackendException {
        if (closed) {
            throw new IllegalStateException("session for " + artifact.modelId() + " is closed");
        }
        Shape shape = validate(input);
        Net net = netFor(shape);
        java.util.List<String> names = new java.util.ArrayList<>();
        java.util.List<String> layers = new java.util.ArrayList<>();
        Map<String, java.util.List<String>> candidates = layerNames(graph.getGraph());
        for (String name : java.util.stream.Stream.concat(java.util.stream.Stream.of(artifact.outputName()),
                capture.stream().filter(n -> !n.equals(artifact.outputName()))).toList()) {
            for (String layer : candidates.getOrDefault(name, java.util.List.of())) {
                if (net.getLayerId(layer) >= 0) {
                    names.add(name);
                    layers.add(layer);
                    break;
                }
            }
        }
        if (names.isEmpty() || !names.getFirst().equals(artifact.outputName())) {
            throw new BackendException(BackendException.Code.RUNTIME_ERROR, artifact.modelId()
                    + ": OpenCV has no layer for the output " + artifact.outputName());
        }
        try (Arena staging = Arena.ofConfined();
             org.bytedeco.opencv.opencv_core.MatVector outs = new org.bytedeco.opencv.opencv_core.MatVector();
             org.bytedeco.opencv.opencv_core.StringVector outNames = new org.bytedeco.opencv.opencv_core.StringVector(
                     layers.toArray(String[]::new))) {
            MemorySegment in = staging.allocate(input.byteSize(), 64).copyFrom(input.data().asSlice(0, input.byteSize()));
            try (FloatPointer data = new FloatPointer(in.asByteBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer());
                 Mat blob = new Mat(new int[] {shape.batch(), 3, shape.height(), shape.width()}, opencv_core.CV_32F, data)) {
                net.setInput(blob);
                OpenCvNative.useThreads(threads);
                net.forward(outs, outNames);
            }
            Map<String, HostTensor> tensors = new LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) {
                try (Mat m = outs.get(i)) { // a new native Mat header referencing the output blob
                    if (m.type() == opencv_core.CV_32F && m.isContinuous()) {
                        tensors.put(names.get(i), heapCopy(m));
                    }
                }
            }
            HostTensor output = tensors.get(artifact.outputName());
            if (output == null) {
                throw new BackendException(BackendException.Code.RUNTIME_ERROR, artifact.modelId()
                        + ": OpenCV returned no float output " + artifact.outputName());
            }
            if (!capture.contains(artifact.outputName())) {
                tensors.remove(artifact.outputName());
            }
            Map<String, HostTensor> extras = java.util.Collections.unmodifiableMap(tensors);
            return new InferenceResult() {
                @Override
                public HostTensor output() {
                    return output;
                }

                @Override
                public Map<String, HostTensor> extraOutputs() {
                    return extras;
                }

                @Override
                public void close() {
                    // heap copies: nothing native to free
                }
            };
        } catch (RuntimeException e) {
            if (e.getClass() == RuntimeException.class) { // JavaCPP's translation of a cv::Exception
                throw new BackendException(BackendException.Code.RUNTIME_ERROR, "running " + artifact.modelId()
                        + " at " + shape + " with captured tensors on OpenCV: " + oneLine(e.getMessage()), e);
            }
            throw e;
        }
    }

    /**
     * Tensor name (a node's first output) -> the names OpenCV may have given that node's layer: its importer names a
     * layer {@code onnx_node!NODE_NAME}, or {@code onnx_node_output_0!OUTPUT} for a node without a name, or with
     * OPENCV_DNN_ONNX_USE_LEGACY_NAMES the node name or output as they are (extractNodeName in onnx_importer.cpp).
     */
    static Map<String, java.util.List<String>> layerNames(OnnxMl.GraphProto g) {
        Map<String, java.util.List<String>> names = new java.util.HashMap<>();
        for (OnnxMl.NodeProto n : g.getNodeList()) {
            if (n.getOutputCount() == 0 || n.getOutput(0).isEmpty()) {
                continue;
            }
            String out = n.getOutput(0);
            names.put(out, n.getName().isEmpty() ? java.util.List.of("onnx_node_output_0!" + out, out)
                    : java.util.List.of("onnx_node!" + n.getName(), n.getName()));
        }
        return names;
    }

    /** An FP32 heap copy of a continuous CV_32F Mat, in its dims. */
    private static HostTensor heapCopy(Mat m) {
        long[] dims = new long[m.dims()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = m.size(i);
        }
        float[] values = new float[(int) HostTensor.elementCount(dims)];
        MemorySegment.copy(MemorySegment.ofAddress(m.data().address()).reinterpret((long) values.length * Float.BYTES),
                java.lang.foreign.ValueLayout.JAVA_FLOAT, 0, values, 0, values.length);
        return new HostTensor(DType.FLOAT32, dims, MemorySegment.ofArray(values));
    }

    /** Copies the network's output (memory the Net reuses on the next forward) into {@code out}, checking its shape. */
    private void copyOut(Mat logits, long[] expected, MemorySegment out) throws BackendException {
        long[] got = new long[logits.dims()];
        for (int i = 0; i < got.length; i++) {
            got[i] = logits.size(i);
        }
        if (!Arrays.equals(got, expected) || logits.type() != opencv_core.CV_32F || !logits.isContinuous()) {
            throw new BackendException(BackendException.Code.RUNTIME_ERROR, artifact.modelId() + ": OpenCV returned "
                    + Arrays.toString(got) + " of type " + logits.type() + ", expected continuous CV_32F "
                    + Arrays.toString(expected));
        }
        out.copyFrom(MemorySegment.ofAddress(logits.data().address()).reinterpret(out.byteSize()));
    }

    /** The network for {@code shape}, built on first use; the least recently used one goes when the cache is full. */
    private Net netFor(Shape shape) throws BackendException {
        Net net = nets.get(shape);
        if (net != null) {
            return net;
        }
        net = build(shape);
        nets.put(shape, net);
        if (nets.size() > CACHED_SHAPES) {
            var eldest = nets.entrySet().iterator();
            eldest.next().getValue().close();
            eldest.remove();
        }
        return net;
    }

    /** Reads the graph with {@code shape} written into its input dims, on OpenCV's own CPU backend. */
    private Net build(Shape shape) throws BackendException {
        byte[] fixed = withInputShape(graph, shape).toByteArray();
        Net net;
        try {
            net = opencv_dnn.readNetFromONNX(fixed);
        } catch (RuntimeException e) {
            throw importFailure(e.getMessage());
        }
        if (net.empty()) {
            net.close();
            throw invalid(artifact, "OpenCV read an empty network");
        }
        net.setPreferableBackend(opencv_dnn.DNN_BACKEND_OPENCV);
        net.setPreferableTarget(opencv_dnn.DNN_TARGET_CPU);
        return net;
    }

    /** The graph with the input's four dims set to {@code shape}; a symbolic dim becomes its value. */
    static OnnxMl.ModelProto withInputShape(OnnxMl.ModelProto model, Shape shape) {
        long[] dims = {shape.batch(), 3, shape.height(), shape.width()};
        OnnxMl.ModelProto.Builder builder = model.toBuilder();
        for (OnnxMl.ValueInfoProto.Builder input : builder.getGraphBuilder().getInputBuilderList()) {
            if (!input.getName().equals(ModelArtifact.INPUT_NAME)) {
                continue;
            }
            OnnxMl.TensorShapeProto.Builder tensorShape = input.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder();
            tensorShape.clearDim();
            for (long d : dims) {
                tensorShape.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
            }
        }
        return builder.build();
    }

    /** OpenCV's names the op it has no layer for as {@code Can't create layer "NAME" of type "OP"}. */
    private static final Pattern UNKNOWN_LAYER = Pattern.compile("Can't create layer \"([^\"]*)\" of type \"([^\"]*)\"");
    /** OpenCV's error text: "OpenCV(4.13.0) /path/file.cpp:123: error: (-2:Unspecified error) WHAT in function 'f'". */
    private static final Pattern CV_ERROR = Pattern.compile("error: \\([^)]*\\) (.*?)(?: in function '[^']*')?$");

    /** One line from OpenCV's import failure: the unknown op by name where that is the cause. */
    private BackendException importFailure(String message) {
        String text = String.valueOf(message);
        Matcher unknown = UNKNOWN_LAYER.matcher(text);
        if (unknown.find()) {
            return new BackendException(BackendException.Code.UNSUPPORTED_OP, artifact.modelId() + ": OpenCV DNN "
                    + OpenCvNative.version() + " has no layer for ONNX op " + unknown.group(2) + " (node "
                    + unknown.group(1) + ")");
        }
        return invalid(artifact, "OpenCV cannot import the graph: " + oneLine(text));
    }

    /** The importer names the node it failed on: {@code Node [OP@DOMAIN]:(NAME)}. */
    private static final Pattern NODE = Pattern.compile("Node \\[([^@\\]]+)@[^\\]]*\\]:\\(([^)]*)\\)");

    /** The innermost OpenCV error description of {@code message}, on one line. */
    static String oneLine(String message) {
        String text = String.valueOf(message);
        String last = text;
        // OpenCV nests the failing layer's error in the importer's on lines starting with "> "
        for (String line : text.lines().map(l -> l.replaceFirst("^\\s*>", "").strip()).filter(l -> !l.isEmpty()).toList()) {
            Matcher m = CV_ERROR.matcher(line);
            last = m.find() ? m.group(1) : line;
        }
        Matcher node = NODE.matcher(text);
        String where = node.find() ? "ONNX op " + node.group(1) + " (node " + node.group(2) + "): " : "";
        return where + last.replaceAll("\\s+", " ").strip();
    }

    private static BackendException invalid(ModelArtifact artifact, String problem) {
        return new BackendException(BackendException.Code.MODEL_INVALID, artifact.modelId() + " ("
                + artifact.precision().id() + "): " + problem);
    }

    private Shape validate(HostTensor input) {
        long[] s = input.shape();
        boolean ok = input.dtype() == DType.FLOAT32 && s.length == 4 && s[1] == 3;
        for (int i = 0; ok && i < 4; i++) {
            ok = s[i] >= 1 && s[i] <= Integer.MAX_VALUE;
        }
        if (!ok) {
            throw new IllegalArgumentException(artifact.modelId() + ": expected input FLOAT32[N,3,H,W], got "
                    + input.dtype() + Arrays.toString(s));
        }
        if (!input.data().scope().isAlive()) {
            // OpenCV would read the freed memory through the raw address: refuse here instead of crashing the JVM
            throw new IllegalStateException(artifact.modelId() + ": input " + input + " lives in a closed arena");
        }
        return new Shape((int) s[0], (int) s[2], (int) s[3]);
    }

    private static long ceilDiv(long value, int divisor) {
        return (value + divisor - 1) / divisor;
    }

    /** How many networks the session holds now (tests check the cache). */
    synchronized int cachedNetworks() {
        return nets.size();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        nets.values().forEach(Net::close);
        nets.clear();
    }}
