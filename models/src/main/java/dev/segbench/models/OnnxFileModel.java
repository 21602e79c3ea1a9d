package dev.segbench.models;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelException;
import dev.segbench.api.ModelInfo;
import dev.segbench.api.ModelSource;
import dev.segbench.api.ModelSpec;
import dev.segbench.api.Precision;
import dev.segbench.api.Preprocessing;
import dev.segbench.api.VocClasses;
import dev.segbench.api.WeightsInfo;
import dev.segbench.api.io.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A segmentation model from an ONNX file: the graph's data input and its logits output renamed to the harness's
 * "input" and "logits" (every other output dropped), checked, and its variants built from it like the built-ins'
 * (labels-out head, fp16 conversion, QDQ int8 through {@link QdqGraphs}).
 */
final class OnnxFileModel implements ModelInfo, ModelSource {

    static final Set<String> OPTIONS = Set.of(ModelSpec.NAME, "mean", "std", "input", "output", "layout", "classes");
    private static final Set<Integer> LABEL_TYPES = Set.of(TensorProto.DataType.INT64_VALUE, TensorProto.DataType.INT32_VALUE,
            TensorProto.DataType.UINT8_VALUE, TensorProto.DataType.INT8_VALUE, TensorProto.DataType.INT16_VALUE,
            TensorProto.DataType.UINT16_VALUE);
    /** Where GMACs are counted and the output's stride and classes inferred. */
    static final int PROBE_SIZE = 512;

    private final ModelSpec spec;
    private final Path file;
    private final WeightsInfo weights;
    private final ModelProto fp32;
    private final Preprocessing preprocessing;
    private final int numClasses;
    private final int outputStride;
    private final String originalInput;
    private final String originalOutput;
    private final Map<Boolean, ModelProto> fp32Graphs = new HashMap<>();
    private final Map<String, ModelArtifact> artifacts = new HashMap<>();
    private final Map<Boolean, QdqGraphs.Plan> plans = new HashMap<>();
    private final Map<Long, Long> multiplyAdds = new HashMap<>();
    private QdqInt8Graphs int8;

    private OnnxFileModel(ModelSpec spec, Path file, WeightsInfo weights, ModelProto fp32, Preprocessing preprocessing,
                          int numClasses, int outputStride, String originalInput, String originalOutput) {
        this.spec = spec;
        this.file = file;
        this.weights = weights;
        this.fp32 = fp32;
        this.preprocessing = preprocessing;
        this.numClasses = numClasses;
        this.outputStride = outputStride;
        this.originalInput = originalInput;
        this.originalOutput = originalOutput;
    }

    static OnnxFileModel open(ModelSpec spec) throws ModelException {
        spec.requireKnownOptions(OPTIONS);
        String where = "onnx:" + spec.location();
        String layout = spec.parameters().getOrDefault("layout", "logits");
        boolean labelsLayout = layout.equals("labels");
        if (!labelsLayout && !layout.equals("logits")) {
            throw new ModelException(where + ": layout=" + layout + " is not logits or labels");
        }
        long labelClasses = labelsLayout ? positive(spec, "classes") : -1;
        if (!labelsLayout && spec.parameters().containsKey("classes")) {
            throw new ModelException(where + ": classes= is for layout=labels (logits carry their class count)");
        }
        Preprocessing preprocessing = new Preprocessing(1f / 255f, floats(spec, "mean", Preprocessing.IMAGENET.mean()),
                floats(spec, "std", Preprocessing.IMAGENET.std()));
        Path file = Path.of(spec.location().startsWith("~/") ? System.getProperty("user.home") + spec.location().substring(1)
                : spec.location());
        if (!Files.isRegularFile(file)) {
            throw new ModelException(where + ": " + (Files.exists(file) ? "not a regular file" : "file does not exist"));
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ModelException(where + ": cannot read the file (" + e.getMessage() + ")", e);
        }
        ModelProto model;
        try {
            model = ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new ModelException(where + ": not an ONNX model (" + e.getMessage() + ")");
        }
        if (model.getIrVersion() == 0 || !model.hasGraph() || model.getGraph().getNodeCount() == 0
                || model.getOpsetImportCount() == 0) {
            throw new ModelException(where + ": not an ONNX model (no IR version, opset or graph nodes)");
        }
        if (opset(model) < 11) {
            throw new ModelException(where + ": opset " + opset(model) + " is too old (segbench needs 11 or newer: the"
                    + " labels-out head resizes with sizes); export it again with a newer opset_version");
        }
        GraphProto g = model.getGraph();
        Set<String> initializers = g.getInitializerList().stream().map(TensorProto::getName).collect(Collectors.toSet());
        List<String> inputs = g.getInputList().stream().map(ValueInfoProto::getName).filter(n -> !initializers.contains(n)).toList();
        List<String> outputs = g.getOutputList().stream().map(ValueInfoProto::getName).toList();
        String input = pick(where, "input", spec.parameters().get("input"), inputs);
        String output = pick(where, "output", spec.parameters().get("output"), outputs);
        checkInitializers(where, g);

        ValueInfoProto in = g.getInputList().stream().filter(v -> v.getName().equals(input)).findFirst().orElseThrow();
        List<Long> inDims = dims(in);
        if (elemType(in) != TensorProto.DataType.FLOAT_VALUE || inDims == null || inDims.size() != 4
                || inDims.get(1) > 0 && inDims.get(1) != 3) {
            throw new ModelException(where + ": input " + input + " is " + describe(in) + ", not float [N, 3, H, W]");
        }
        ValueInfoProto out = g.getOutputList().stream().filter(v -> v.getName().equals(output)).findFirst().orElseThrow();
        List<Long> outDims = dims(out);
        if (labelsLayout) {
            if (!LABEL_TYPES.contains(elemType(out)) || outDims != null && outDims.size() != 3
                    && !(outDims.size() == 4 && outDims.get(1) <= 1)) {
                throw new ModelException(where + ": output " + output + " is " + describe(out) + ", not integer labels"
                        + " [N, H, W] or [N, 1, H, W] (layout=labels)");
            }
        } else if (elemType(out) != TensorProto.DataType.FLOAT_VALUE || outDims != null && outDims.size() != 4) {
            throw new ModelException(where + ": output " + output + " is " + describe(out) + ", not float logits [N, C, H, W]");
        }

        ModelProto normalised = normalise(model, input, output);
        if (labelsLayout) {
            normalised = labelsAsLogits(normalised, outDims == null ? 0 : outDims.size(), labelClasses);
            outDims = null;
        }
        GraphShapes.Result shapes = GraphShapes.infer(normalised.getGraph(), ModelArtifact.INPUT_NAME,
                new long[] {1, 3, PROBE_SIZE, PROBE_SIZE});
        long[] logits = shapes.shape(ModelArtifact.LOGITS_NAME);
        if (logits != null && logits.length != 4) {
            throw new ModelException(where + ": output " + output + " is " + Arrays.toString(logits)
                    + " for a 512x512 input, not logits [N, C, H, W]");
        }
        long classes = outDims != null && outDims.get(1) > 0 ? outDims.get(1) : logits != null ? logits[1] : -1;
        if (classes <= 0) {
            throw new ModelException(where + ": the number of classes (dimension 1 of output " + output + ") is not fixed"
                    + " in the graph and could not be inferred (" + shapes.unknownOp() + " is not known to segbench)");
        }
        int stride = 1;
        if (logits != null) {
            if (logits[2] > PROBE_SIZE || logits[3] > PROBE_SIZE || logits[2] <= 0 || logits[3] <= 0) {
                throw new ModelException(where + ": output " + output + " is " + Arrays.toString(logits)
                        + " for a 512x512 input: logits larger than the input");
            }
            stride = (int) Math.round((double) PROBE_SIZE / logits[2]);
        }
        String sha = Sha256.hex(bytes);
        return new OnnxFileModel(spec, file, WeightsInfo.file(sha, file.toString()), normalised, preprocessing,
                (int) classes, stride, input, output);
    }

    private static float[] floats(ModelSpec spec, String key, float[] fallback) throws ModelException {
        String text = spec.parameters().get(key);
        if (text == null) {
            return fallback;
        }
        String[] parts = text.split(",");
        try {
            float[] v = new float[3];
            for (int c = 0; c < 3; c++) {
                v[c] = Float.parseFloat(parts[parts.length == 1 ? 0 : c].strip());
            }
            if (parts.length != 1 && parts.length != 3 || key.equals("std") && (v[0] <= 0 || v[1] <= 0 || v[2] <= 0)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            throw new ModelException(spec + ": " + key + "=" + text + " is not one or three numbers (R,G,B on 0-1 pixels"
                    + (key.equals("std") ? ", positive" : "") + ")");
        }
    }

    private static long positive(ModelSpec spec, String key) throws ModelException {
        String text = spec.parameters().get(key);
        try {
            long v = Long.parseLong(text == null ? "" : text.strip());
            if (v > 0 && v <= 255) {
                return v;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new ModelException(spec + ": layout=labels needs " + key + "=N, the number of classes (1..255)"
                + (text == null ? "" : ", not '" + text + "'"));
    }

    /**
     * A labels graph as a logits one, so every backend and the harness take it alike: the labels one-hot encoded,
     * {@code [N, classes, H, W]} float, whose argmax is the labels again.
     */
    private static ModelProto labelsAsLogits(ModelProto graph, int rank, long classes) {
        GraphProto.Builder g = graph.getGraph().toBuilder().clearOutput();
        String raw = "labels_layout/labels";
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto.Builder n = g.getNodeBuilder(i);
            for (int o = 0; o < n.getOutputCount(); o++) {
                if (n.getOutput(o).equals(ModelArtifact.LOGITS_NAME)) {
                    n.setOutput(o, raw);
                }
            }
        }
        String labels = raw;
        if (rank != 3) { // [N, 1, H, W] or unknown: drop the channel axis when there is one
            NodeProto.Builder squeeze = NodeProto.newBuilder().setOpType("Squeeze").setName("labels_layout/squeezed")
                    .addInput(labels).addOutput("labels_layout/squeezed");
            if (opset(graph) >= 13) { // axes became an input in opset 13
                g.addInitializer(longTensor("labels_layout/axis_1", 1));
                squeeze.addInput("labels_layout/axis_1");
            } else {
                squeeze.addAttribute(ai.onnx.proto.OnnxMl.AttributeProto.newBuilder().setName("axes")
                        .setType(ai.onnx.proto.OnnxMl.AttributeProto.AttributeType.INTS).addInts(1));
            }
            g.addNode(squeeze);
            labels = "labels_layout/squeezed";
        }
        g.addNode(NodeProto.newBuilder().setOpType("Cast").setName("labels_layout/int64").addInput(labels)
                .addOutput("labels_layout/int64").addAttribute(ai.onnx.proto.OnnxMl.AttributeProto.newBuilder().setName("to")
                        .setType(ai.onnx.proto.OnnxMl.AttributeProto.AttributeType.INT).setI(TensorProto.DataType.INT64_VALUE)));
        g.addInitializer(longTensor("labels_layout/depth", classes));
        java.nio.ByteBuffer values = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putFloat(0f).putFloat(1f);
        g.addInitializer(TensorProto.newBuilder().setName("labels_layout/values").setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addDims(2).setRawData(com.google.protobuf.ByteString.copyFrom(values.array())));
        g.addNode(NodeProto.newBuilder().setOpType("OneHot").setName("labels_layout/one_hot").addInput("labels_layout/int64")
                .addInput("labels_layout/depth").addInput("labels_layout/values").addOutput(ModelArtifact.LOGITS_NAME)
                .addAttribute(ai.onnx.proto.OnnxMl.AttributeProto.newBuilder().setName("axis")
                        .setType(ai.onnx.proto.OnnxMl.AttributeProto.AttributeType.INT).setI(1)));
        g.addOutput(tensorInfo(ModelArtifact.LOGITS_NAME, TensorProto.DataType.FLOAT, "batch", classes, "height", "width"));
        return graph.toBuilder().setGraph(g).build();
    }

    private static TensorProto longTensor(String name, long value) {
        java.nio.ByteBuffer raw = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(value);
        return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE).addDims(1)
                .setRawData(com.google.protobuf.ByteString.copyFrom(raw.array())).build();
    }

    private static String pick(String where, String what, String asked, List<String> names) throws ModelException {
        if (asked != null) {
            if (!names.contains(asked)) {
                throw new ModelException(where + ": the graph has no " + what + " '" + asked + "' (its " + what + "s: "
                        + String.join(", ", names) + ")");
            }
            return asked;
        }
        if (names.size() != 1) {
            throw new ModelException(where + ": the graph has " + names.size() + " " + what + "s (" + String.join(", ", names)
                    + "): choose one with " + what + "=NAME");
        }
        return names.getFirst();
    }

    private static void checkInitializers(String where, GraphProto g) throws ModelException {
        for (TensorProto t : g.getInitializerList()) {
            if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
                throw new ModelException(where + ": initialiser " + t.getName() + " is stored in an external data file,"
                        + " which segbench does not read (save the model with its weights inside)");
            }
            int size = switch (t.getDataType()) {
                case TensorProto.DataType.FLOAT_VALUE, TensorProto.DataType.INT32_VALUE -> 4;
                case TensorProto.DataType.INT64_VALUE, TensorProto.DataType.DOUBLE_VALUE -> 8;
                case TensorProto.DataType.FLOAT16_VALUE, TensorProto.DataType.BFLOAT16_VALUE -> 2;
                case TensorProto.DataType.INT8_VALUE, TensorProto.DataType.UINT8_VALUE, TensorProto.DataType.BOOL_VALUE -> 1;
                default -> 0;
            };
            long elements = t.getDimsList().stream().mapToLong(Long::longValue).reduce(1, (a, b) -> a * b);
            if (size > 0 && !t.getRawData().isEmpty() && t.getRawData().size() != elements * size) {
                throw new ModelException(where + ": initialiser " + t.getName() + " holds " + t.getRawData().size()
                        + " bytes for shape " + t.getDimsList() + " (" + elements * size + " expected)");
            }
        }
    }

    /**
     * The graph with {@code input} renamed "input" and {@code output} "logits" (a tensor that had one of those names
     * gets a suffix), every other output and whatever only it needed dropped.
     */
    static ModelProto normalise(ModelProto model, String input, String output) {
        GraphProto g = model.getGraph();
        Map<String, String> rename = new HashMap<>();
        Set<String> names = new HashSet<>();
        g.getNodeList().forEach(n -> {
            names.addAll(n.getInputList());
            names.addAll(n.getOutputList());
        });
        g.getInputList().forEach(v -> names.add(v.getName()));
        g.getInitializerList().forEach(t -> names.add(t.getName()));
        for (String taken : List.of(ModelArtifact.INPUT_NAME, ModelArtifact.LOGITS_NAME)) {
            if (names.contains(taken) && !taken.equals(input) && !taken.equals(output)) {
                String fresh = taken + "_0";
                for (int i = 1; names.contains(fresh); i++) {
                    fresh = taken + "_" + i;
                }
                rename.put(taken, fresh);
            }
        }
        rename.put(input, ModelArtifact.INPUT_NAME);
        rename.put(output, ModelArtifact.LOGITS_NAME);

        // what the output needs, walking back from it
        Map<String, NodeProto> producer = new HashMap<>();
        g.getNodeList().forEach(n -> n.getOutputList().forEach(o -> producer.put(o, n)));
        Set<NodeProto> needed = new HashSet<>();
        Set<String> read = new HashSet<>();
        ArrayDeque<String> todo = new ArrayDeque<>(List.of(output));
        while (!todo.isEmpty()) {
            String t = todo.pop();
            if (!read.add(t)) {
                continue;
            }
            NodeProto p = producer.get(t);
            if (p != null && needed.add(p)) {
                todo.addAll(p.getInputList());
            }
        }
        GraphProto.Builder out = g.toBuilder().clearNode().clearInput().clearOutput().clearInitializer().clearValueInfo();
        for (NodeProto n : g.getNodeList()) {
            if (needed.contains(n)) {
                NodeProto.Builder b = n.toBuilder();
                for (int i = 0; i < b.getInputCount(); i++) {
                    b.setInput(i, rename.getOrDefault(b.getInput(i), b.getInput(i)));
                }
                for (int i = 0; i < b.getOutputCount(); i++) {
                    b.setOutput(i, rename.getOrDefault(b.getOutput(i), b.getOutput(i)));
                }
                out.addNode(b);
            }
        }
        for (ValueInfoProto v : g.getInputList()) {
            if (v.getName().equals(input) || read.contains(v.getName())) {
                out.addInput(v.toBuilder().setName(rename.getOrDefault(v.getName(), v.getName())));
            }
        }
        for (TensorProto t : g.getInitializerList()) {
            if (read.contains(t.getName())) {
                out.addInitializer(t.toBuilder().setName(rename.getOrDefault(t.getName(), t.getName())));
            }
        }
        for (ValueInfoProto v : g.getValueInfoList()) {
            if (read.contains(v.getName())) {
                out.addValueInfo(v.toBuilder().setName(rename.getOrDefault(v.getName(), v.getName())));
            }
        }
        g.getOutputList().stream().filter(v -> v.getName().equals(output)).findFirst()
                .ifPresent(v -> out.addOutput(v.toBuilder().setName(ModelArtifact.LOGITS_NAME)));
        return model.toBuilder().setGraph(out).build();
    }

    private static List<Long> dims(ValueInfoProto v) {
        if (!v.getType().getTensorType().hasShape()) {
            return null;
        }
        return v.getType().getTensorType().getShape().getDimList().stream()
                .map(d -> d.hasDimValue() ? d.getDimValue() : -1L).toList();
    }

    private static int elemType(ValueInfoProto v) {
        return v.getType().getTensorType().getElemType();
    }

    private static String describe(ValueInfoProto v) {
        List<Long> d = dims(v);
        String type = TensorProto.DataType.forNumber(elemType(v)) == null ? "type " + elemType(v)
                : TensorProto.DataType.forNumber(elemType(v)).name().toLowerCase(Locale.ROOT);
        return type + " " + (d == null ? "of unknown shape" : d.stream().map(x -> x < 0 ? "?" : x.toString())
                .collect(Collectors.joining(", ", "[", "]")));
    }

    // ---- ModelInfo ----------------------------------------------------------------------------------------------

    @Override
    public String id() {
        return spec.id();
    }

    @Override
    public String description() {
        return "ONNX file " + file + " (sha256 " + weights.sha256() + ")";
    }

    /** The op types of the graph, most frequent first: what stands for an architecture here. */
    @Override
    public String genotype() {
        Map<String, Long> counts = fp32.getGraph().getNodeList().stream()
                .collect(Collectors.groupingBy(NodeProto::getOpType, LinkedHashMap::new, Collectors.counting()));
        return counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .map(e -> e.getKey() + " x" + e.getValue()).collect(Collectors.joining(", "));
    }

    @Override
    public List<String> classNames() {
        return numClasses == VocClasses.COUNT ? VocClasses.NAMES
                : IntStream.range(0, numClasses).mapToObj(c -> "class" + c).toList();
    }

    @Override
    public Preprocessing preprocessing() {
        return preprocessing;
    }

    @Override
    public int outputStride() {
        return outputStride;
    }

    @Override
    public long parameterCount() {
        return GraphShapes.floatElements(fp32.getGraph());
    }

    /** From the graph's shapes at this size; -1 when an op the shape inference does not know stops it. */
    @Override
    public synchronized long multiplyAdds(int height, int width) {
        return multiplyAdds.computeIfAbsent(((long) height << 32) | width, k -> {
            GraphShapes.Result r = GraphShapes.infer(fp32.getGraph(), ModelArtifact.INPUT_NAME, new long[] {1, 3, height, width});
            return r.unknownOp() == null ? r.multiplyAdds() : -1;
        });
    }

    @Override
    public Map<String, String> details() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("file", file.toString());
        d.put("sha256", weights.sha256());
        d.put("opset", String.valueOf(opset(fp32)));
        d.put("input", originalInput + " " + describe(fp32.getGraph().getInput(0)));
        long[] atProbe = GraphShapes.infer(fp32.getGraph(), ModelArtifact.INPUT_NAME,
                new long[] {1, 3, PROBE_SIZE, PROBE_SIZE}).shape(ModelArtifact.LOGITS_NAME);
        d.put("output", originalOutput + " " + describe(fp32.getGraph().getOutput(0))
                + (atProbe == null ? "" : " (" + Arrays.toString(atProbe) + " at 512x512)") + ", " + numClasses + " classes"
                + (outputStride > 1 ? ", stride " + outputStride : ""));
        d.put("preprocessing", "mean " + Arrays.toString(preprocessing.mean()) + ", std " + Arrays.toString(preprocessing.std())
                + " on 0-1 RGB");
        return d;
    }

    static long opset(ModelProto m) {
        return m.getOpsetImportList().stream().filter(o -> o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx"))
                .mapToLong(OperatorSetIdProto::getVersion).findFirst().orElse(0);
    }

    // ---- ModelSource --------------------------------------------------------------------------------------------

    @Override
    public ModelInfo info() {
        return this;
    }

    @Override
    public WeightsInfo weights() {
        return weights;
    }

    @Override
    public synchronized ModelArtifact artifact(Precision precision, boolean labelsOut) throws ModelException {
        if (precision == Precision.INT8) {
            throw new ModelException(id() + ": the int8 graph is built from a calibration table"
                    + " (ModelSource.int8().artifact(table, ...)), not asked for by precision alone");
        }
        String key = precision.id() + "/" + labelsOut;
        ModelArtifact known = artifacts.get(key);
        if (known != null) {
            return known;
        }
        ModelProto graph = precision == Precision.FP16 ? Fp16Graphs.convert(fp32Graph(false), "onnx:" + spec.location())
                : fp32Graph(false);
        if (labelsOut) {
            graph = LabelsHead.append(graph);
        }
        byte[] onnx = graph.toByteArray();
        ModelArtifact artifact = new ModelArtifact(id(), precision, labelsOut, onnx, Sha256.hex(onnx), weights);
        artifacts.put(key, artifact);
        return artifact;
    }

    private synchronized ModelProto fp32Graph(boolean labelsOut) {
        return fp32Graphs.computeIfAbsent(labelsOut, l -> l ? LabelsHead.append(fp32) : fp32);
    }

    private synchronized QdqGraphs.Plan plan(boolean labelsOut) {
        return plans.computeIfAbsent(labelsOut, l -> QdqGraphs.plan(fp32Graph(l).getGraph()));
    }

    /** Int8 graphs quantize Convs: a graph without one has none (its int8 runs are skipped saying so). */
    @Override
    public synchronized Optional<Int8Graphs> int8() {
        if (fp32.getGraph().getNodeList().stream().noneMatch(n -> n.getOpType().equals("Conv"))) {
            return Optional.empty();
        }
        if (int8 == null) {
            // the ranges depend on how the images are normalised, which a spec's mean= and std= change while the file
            // (the weights sha256 of the cache key) stays the same
            String normalisation = preprocessing.scale() + Arrays.toString(preprocessing.mean())
                    + Arrays.toString(preprocessing.std());
            int8 = new QdqInt8Graphs(id(), weights, this::fp32Graph, this::plan, "+norm-"
                    + Sha256.hex(normalisation.getBytes(java.nio.charset.StandardCharsets.UTF_8)).substring(0, 8));
        }
        return Optional.of(int8);
    }

    static ValueInfoProto tensorInfo(String name, TensorProto.DataType type, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            shape.addDim(d instanceof Number n ? TensorShapeProto.Dimension.newBuilder().setDimValue(n.longValue())
                    : TensorShapeProto.Dimension.newBuilder().setDimParam(d.toString()));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape))).build();
    }
}
