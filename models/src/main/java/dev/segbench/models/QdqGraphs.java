package dev.segbench.models;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.UnsafeByteOperations;
import dev.segbench.api.CalibrationTable;
import dev.segbench.api.Int8Activations;
import dev.segbench.api.ModelException;
import dev.segbench.api.ModelSource;
import dev.segbench.api.io.Sha256;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Int8 variants of an FP32 graph, by rewriting it: the calibration graph (the tensors to calibrate as extra outputs)
 * and the QDQ graph. Placement follows what ONNX Runtime's x86 QDQ fusions need (ort-cpu-notes.md), which is also
 * what TensorRT's explicit quantization takes:
 * <ul>
 *   <li>weights per output channel, symmetric int8 (DequantizeLinear axis 0, zero point 0; 7 bits for ORT, see
 *       {@link Options#of}); the bias int32 at input scale x weight scale, or left in float for TensorRT;</li>
 *   <li>one QuantizeLinear/DequantizeLinear pair per activation tensor: the graph input, every Relu/Clip/Add/Concat/
 *       GlobalAveragePool/Mul output (and HardSigmoid, Sigmoid, pooling, MatMul, Gemm ... of external graphs), every
 *       data input of a Conv, MatMul or Gemm, and every Conv output except one whose sole consumer is a Relu/Clip (ORT folds
 *       that activation into the quantized Conv, as the Q after it saturates where the activation would clip);</li>
 *   <li>a Resize output takes its input's scale and zero point (bilinear interpolation stays inside the input's
 *       range), so ORT drops the pair and resizes in 8 bits;</li>
 *   <li>the classifier (the last Conv; every Conv the outputs are computed from with no Conv in between) keeps FP32 weights and an FP32 output: its logits decide the labels, and
 *       quantizing them to 256 levels would flip close calls; everything after it (the labels-out tail) is FP32.</li>
 * </ul>
 * Shape nodes keep reading the FP32 tensors, so shape arithmetic never depends on a Q/DQ pair.
 */
final class QdqGraphs {

    /** Bump when the placement rules change meaning; the tensor list's digest is appended automatically. */
    static final String PLACEMENT_VERSION = "nas-segm-qdq/1";

    private static final Set<String> FLOAT_PRODUCERS = Set.of("Conv", "Relu", "Clip", "Add", "Mul", "Resize",
            "GlobalAveragePool", "Expand", "HardSigmoid", "Sigmoid", "HardSwish", "MaxPool", "AveragePool", "Sub", "Div",
            "MatMul", "Gemm", "LeakyRelu", "Tanh");
    /** Ops computed in int8 when their data inputs are quantized: each data input gets a Q/DQ pair. */
    private static final Set<String> QUANTIZABLE = Set.of("Conv", "MatMul", "Gemm");
    private static final Set<String> FOLDED_ACTIVATIONS = Set.of("Relu", "Clip");

    /** How the QDQ graph is built; {@link #of(Int8Activations)} gives each flavour's measured-best settings. */
    record Options(Int8Activations activations, boolean int32Bias, int weightBits) {
        Options {
            if (weightBits < 2 || weightBits > 8) {
                throw new IllegalArgumentException("weight bits must be 2..8, got " + weightBits);
            }
        }

        /**
         * TensorRT: full 8-bit weights, float bias. ONNX Runtime x86: 7-bit weights ("reduce range"), because its
         * AVX2 u8 x s8 kernels (VPMADDUBSW) saturate pairwise sums at 16 bits: with 8-bit weights arch1 agreed with
         * FP32 on 95.9% of the sample's labels, with 7-bit weights on 99.4% (minmax calibration).
         */
        static Options of(Int8Activations activations) {
            return activations == Int8Activations.SYMMETRIC_INT8
                    ? new Options(activations, false, 8)
                    : new Options(activations, true, 7);
        }
    }

    /**
     * Which activations the int8 graph quantizes.
     *
     * @param quantized  every tensor that gets a Q/DQ pair, in graph order
     * @param sharedWith a Resize output -> the tensor whose scale and zero point it reuses
     * @param classifiers the outputs of the classifier Convs (kept in FP32): those the graph's outputs are computed
     *                    from without another Conv in between (the last Conv of a NAS-segm graph; LR-ASPP's two)
     */
    record Plan(List<String> quantized, Map<String, String> sharedWith, Set<String> classifiers) {

        /** The tensors a calibration must measure: the quantized ones minus those that borrow a scale. */
        List<String> calibrated() {
            return quantized.stream().filter(t -> !sharedWith.containsKey(t)).toList();
        }

        /** PLACEMENT_VERSION plus a digest of the calibrated tensor names: changes whenever they do. */
        String graphVersion() {
            String names = String.join("\n", calibrated());
            return PLACEMENT_VERSION + "+" + Sha256.hex(names.getBytes(StandardCharsets.UTF_8)).substring(0, 12);
        }
    }

    private QdqGraphs() {
    }

    static Plan plan(GraphProto g) {
        Map<String, List<NodeProto>> consumers = consumers(g);
        Set<String> classifiers = classifiers(g);
        if (classifiers.isEmpty()) {
            throw new IllegalArgumentException("graph " + g.getName() + " has no Conv");
        }
        Set<String> initializers = new HashSet<>();
        g.getInitializerList().forEach(t -> initializers.add(t.getName()));
        Set<String> floats = new HashSet<>();
        Set<String> tail = new HashSet<>(); // the classifier's output and everything computed from it
        List<String> quantized = new ArrayList<>();
        Map<String, String> sharedWith = new LinkedHashMap<>();
        String input = g.getInput(0).getName();
        floats.add(input);
        quantized.add(input);
        for (NodeProto n : g.getNodeList()) {
            boolean inTail = classifiers.contains(n.getOutput(0)) || n.getInputList().stream().anyMatch(tail::contains);
            if (inTail) {
                tail.addAll(n.getOutputList());
                continue;
            }
            String op = n.getOpType();
            if (QUANTIZABLE.contains(op)) { // a data input from an op not listed above is quantized all the same
                for (int i = 0; i < (op.equals("Conv") ? 1 : 2); i++) {
                    String in = n.getInput(i);
                    if (!initializers.contains(in) && !quantized.contains(in)) {
                        floats.add(in);
                        quantized.add(in);
                    }
                }
            }
            boolean producesFloat = FLOAT_PRODUCERS.contains(op)
                    || (op.equals("Concat") && n.getInputList().stream().anyMatch(floats::contains));
            if (!producesFloat) {
                continue;
            }
            String out = n.getOutput(0);
            floats.add(out);
            List<NodeProto> readers = consumers.getOrDefault(out, List.of());
            if (op.equals("Conv") && readers.size() == 1 && FOLDED_ACTIVATIONS.contains(readers.getFirst().getOpType())) {
                continue;
            }
            quantized.add(out);
            if (op.equals("Resize") && quantized.contains(n.getInput(0))) {
                sharedWith.put(out, sharedWith.getOrDefault(n.getInput(0), n.getInput(0)));
            }
        }
        return new Plan(List.copyOf(quantized), sharedWith, Set.copyOf(classifiers));
    }

    /** The outputs of the Convs that the graph's outputs are computed from without another Conv in between. */
    private static Set<String> classifiers(GraphProto g) {
        Map<String, NodeProto> producer = new HashMap<>();
        g.getNodeList().forEach(n -> n.getOutputList().forEach(o -> producer.put(o, n)));
        Set<String> found = new LinkedHashSet<>();
        Set<String> seen = new HashSet<>();
        java.util.ArrayDeque<String> todo = new java.util.ArrayDeque<>();
        g.getOutputList().forEach(o -> todo.add(o.getName()));
        while (!todo.isEmpty()) {
            NodeProto p = producer.get(todo.pop());
            if (p == null || !seen.add(p.getOutput(0))) {
                continue;
            }
            if (p.getOpType().equals("Conv")) {
                found.add(p.getOutput(0));
            } else if (!p.getOpType().equals("Shape")) { // a shape carries no values of the tensor it measures
                todo.addAll(p.getInputList());
            }
        }
        return found;
    }

    /**
     * The convolutions {@link #quantize} quantizes (every Conv but the classifier), in graph order, each with the
     * tensor it reads and the tensor quantized after it (its folded Relu/Clip's output where it has one).
     */
    static List<ModelSource.Layer> layers(GraphProto g, Plan plan) {
        Map<String, List<NodeProto>> consumers = consumers(g);
        Set<String> quantized = new HashSet<>(plan.quantized());
        List<ModelSource.Layer> layers = new ArrayList<>();
        for (NodeProto n : g.getNodeList()) {
            if (!n.getOpType().equals("Conv") || plan.classifiers().contains(n.getOutput(0))) {
                continue;
            }
            String out = n.getOutput(0);
            if (!quantized.contains(out)) { // folded: the activation's output is the quantized one
                out = consumers.get(out).getFirst().getOutput(0);
            }
            layers.add(new ModelSource.Layer(n.getName(), n.getInput(0), out));
        }
        return List.copyOf(layers);
    }

    /** The FP32 model with each calibrated tensor as an extra FP32 output (after the original outputs). */
    static ModelProto calibrationGraph(ModelProto fp32, Plan plan) {
        ModelProto.Builder m = withOutputs(fp32, plan.calibrated()).toBuilder();
        setMetadata(m, "variant", "calibration");
        setMetadata(m, "graph_version", plan.graphVersion());
        return m.build();
    }

    /** {@code model} with each of {@code tensors} (rank-4 FP32 feature maps) as an extra output after its own. */
    static ModelProto withOutputs(ModelProto model, List<String> tensors) {
        ModelProto.Builder m = model.toBuilder();
        GraphProto.Builder g = m.getGraphBuilder();
        Set<String> outputs = new HashSet<>();
        g.getOutputList().forEach(o -> outputs.add(o.getName()));
        for (String t : tensors) {
            if (outputs.add(t)) {
                // every calibrated tensor is a feature map: rank 4, sizes left open (ONNX requires a shape)
                TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
                for (int d = 0; d < 4; d++) {
                    shape.addDim(TensorShapeProto.Dimension.getDefaultInstance());
                }
                g.addOutput(ValueInfoProto.newBuilder().setName(t).setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE)
                                .setShape(shape))));
            }
        }
        return m.build();
    }

    /**
     * The QDQ graph of {@code fp32} with activation scales from {@code table}.
     *
     * @throws ModelException when the table lacks a tensor the plan quantizes
     */
    static ModelProto quantize(ModelProto fp32, Plan plan, CalibrationTable table, Options options)
            throws ModelException {
        return quantize(fp32, plan, table, options, Set.of());
    }

    /**
     * The QDQ graph with the convolutions in {@code floatLayers} kept in float: FP32 weights and bias, and a pair
     * around them only where something else needs it. The ops after a kept layer (its activation, an Add or Concat
     * that reads it, ...) compute in float too, until a quantized convolution reads the result: a float region is
     * quantized once, where it ends, instead of at every op. A pair stays when its producer is a quantized op (ORT
     * fuses DQ-op-Q into one int8 kernel, TensorRT runs the op in int8 only between Q and DQ) or when a quantized op
     * reads it; a float op then reads the dequantized tensor, so the producer's fusion holds. A tensor made in float
     * (the graph input, a float op's output) that only float ops read gets no pair: they read it in float.
     *
     * @throws ModelException for a name that is not a quantizable convolution of the graph
     */
    static ModelProto quantize(ModelProto fp32, Plan plan, CalibrationTable table, Options options,
                               Set<String> floatLayers) throws ModelException {
        GraphProto g = fp32.getGraph();
        List<String> layerNames = layers(g, plan).stream().map(ModelSource.Layer::name).toList();
        for (String name : floatLayers) {
            if (!layerNames.contains(name)) {
                throw new ModelException("'" + name + "' is not a quantized convolution of " + table.key().modelId()
                        + " (" + layerNames.size() + " are, e.g. " + String.join(", ",
                        layerNames.subList(0, Math.min(3, layerNames.size()))) + ")");
            }
        }
        Map<String, TensorProto> initializers = new LinkedHashMap<>();
        g.getInitializerList().forEach(t -> initializers.put(t.getName(), t));
        Set<String> floatOps = floatOps(g, plan, floatLayers);
        Set<String> floatMade = new HashSet<>(); // tensors computed in float: the graph input, float ops' outputs
        floatMade.add(g.getInput(0).getName());
        for (NodeProto n : g.getNodeList()) {
            if (floatOps.contains(n.getName())) {
                floatMade.addAll(n.getOutputList());
            }
        }
        Set<String> readsInFloat = new HashSet<>(floatOps);
        g.getNodeList().stream().filter(n -> n.getOutputCount() > 0 && plan.classifiers().contains(n.getOutput(0)))
                .forEach(n -> readsInFloat.add(n.getName()));
        Set<String> quantized = new LinkedHashSet<>();
        Map<String, List<NodeProto>> consumers = consumers(g);
        for (String t : plan.quantized()) {
            boolean quantizedReader = consumers.getOrDefault(t, List.of()).stream()
                    .anyMatch(r -> !readsInFloat.contains(r.getName()) && !r.getOpType().equals("Shape"));
            if (!floatMade.contains(t) || quantizedReader) {
                quantized.add(t);
            }
        }

        Map<String, Activation> params = new HashMap<>();
        GraphProto.Builder out = g.toBuilder().clearNode().clearInitializer();
        Set<String> usedInitializers = new HashSet<>();
        List<TensorProto> added = new ArrayList<>();
        for (String t : plan.quantized()) {
            String source = plan.sharedWith().getOrDefault(t, t);
            if (!source.equals(t)) {
                continue;
            }
            CalibrationTable.Range r = table.range(t);
            if (r == null) {
                throw new ModelException("the calibration table for " + table.key().modelId() + " has no range for tensor "
                        + t + " (made for graph " + table.key().graphVersion() + ")");
            }
            Activation a = Activation.of(t, r, options.activations());
            params.put(t, a);
            added.add(a.scaleTensor());
            added.add(a.zeroPointTensor());
        }
        for (String t : plan.quantized()) {
            params.putIfAbsent(t, params.get(plan.sharedWith().get(t)));
        }

        String input = g.getInput(0).getName();
        if (quantized.contains(input)) {
            emitPair(out, input, params.get(input));
        }
        for (NodeProto n : g.getNodeList()) {
            NodeProto.Builder rewritten = n.toBuilder();
            boolean kept = floatLayers.contains(n.getName());
            boolean inFloat = readsInFloat.contains(n.getName());
            if (!n.getOpType().equals("Shape")) {
                for (int i = 0; i < n.getInputCount(); i++) {
                    String t = n.getInput(i);
                    if (quantized.contains(t) && !(inFloat && floatMade.contains(t))) {
                        rewritten.setInput(i, dequantized(t));
                    }
                }
            }
            if (n.getOpType().equals("Conv") && !plan.classifiers().contains(n.getOutput(0)) && !kept) {
                Activation in = params.get(n.getInput(0));
                if (in == null) {
                    throw new IllegalStateException("conv " + n.getName() + " reads unquantized " + n.getInput(0));
                }
                quantizeConvWeights(out, rewritten, initializers, in, options, added, usedInitializers);
            }
            out.addNode(rewritten);
            for (String o : n.getOutputList()) {
                if (quantized.contains(o)) {
                    emitPair(out, o, params.get(o));
                }
            }
        }
        Set<String> read = new HashSet<>();
        out.getNodeList().forEach(n -> read.addAll(n.getInputList()));
        for (TensorProto t : g.getInitializerList()) {
            if (read.contains(t.getName())) { // an initialiser still read as float (by a classifier, a shared reader)
                out.addInitializer(t);
            }
        }
        out.addAllInitializer(added);
        ModelProto.Builder m = fp32.toBuilder().setGraph(out);
        setMetadata(m, "precision", "int8");
        setMetadata(m, "int8_activations", options.activations().name().toLowerCase(java.util.Locale.ROOT));
        setMetadata(m, "graph_version", plan.graphVersion());
        setMetadata(m, "calibration_sha256", table.sha256());
        setMetadata(m, "calibration_method", table.key().method().id());
        setMetadata(m, "calibration_dataset", table.key().dataset() + " (" + table.key().imageIds().size() + " images)");
        if (!floatLayers.isEmpty()) {
            setMetadata(m, "int8_float_layers", String.join(",", layerNames.stream().filter(floatLayers::contains).toList()));
        }
        return m.build();
    }

    /**
     * The nodes that compute in float: the kept layers, and every activation op (Relu, Add, Concat, Resize, ...) that
     * reads a float op's output, so that a float region ends only where a quantized convolution reads it.
     */
    private static Set<String> floatOps(GraphProto g, Plan plan, Set<String> floatLayers) {
        Set<String> ops = new HashSet<>();
        Set<String> made = new HashSet<>();
        for (NodeProto n : g.getNodeList()) {
            String op = n.getOpType();
            boolean isFloat = floatLayers.contains(n.getName()) || (!op.equals("Conv") && !op.equals("Shape")
                    && n.getInputList().stream().anyMatch(made::contains));
            if (isFloat && !plan.classifiers().contains(n.getOutput(0))) {
                ops.add(n.getName());
                made.addAll(n.getOutputList());
            }
        }
        return ops;
    }

    static String dequantized(String tensor) {
        return tensor + "_dequantized";
    }

    private static String quantizedName(String tensor) {
        return tensor + "_quantized";
    }

    /** QuantizeLinear then DequantizeLinear of {@code tensor}; consumers read {@link #dequantized}. */
    private static void emitPair(GraphProto.Builder g, String tensor, Activation a) {
        g.addNode(NodeProto.newBuilder().setOpType("QuantizeLinear").setName(tensor + "/QuantizeLinear")
                .addInput(tensor).addInput(a.scaleName()).addInput(a.zeroPointName()).addOutput(quantizedName(tensor)));
        g.addNode(NodeProto.newBuilder().setOpType("DequantizeLinear").setName(tensor + "/DequantizeLinear")
                .addInput(quantizedName(tensor)).addInput(a.scaleName()).addInput(a.zeroPointName())
                .addOutput(dequantized(tensor)));
    }

    /** Replaces the Conv's weight (and bias) inputs with per-channel DequantizeLinear nodes of int8 (int32) data. */
    private static void quantizeConvWeights(GraphProto.Builder g, NodeProto.Builder conv, Map<String, TensorProto> inits,
                                            Activation input, Options options, List<TensorProto> added,
                                            Set<String> used) {
        String wSource = conv.getInput(1);
        TensorProto w = inits.get(wSource);
        if (w == null || w.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
            return; // weights computed in the graph: the Conv keeps float weights
        }
        int outChannels = (int) w.getDims(0);
        float[] weights = floats(w);
        TensorProto biasTensor = conv.getInputCount() > 2 ? inits.get(conv.getInput(2)) : null;
        float[] bias = biasTensor == null || biasTensor.getDataType() != TensorProto.DataType.FLOAT_VALUE ? null
                : floats(biasTensor);
        Quantization.PerChannel q = Quantization.perChannel(weights, outChannels, options.weightBits(),
                options.int32Bias() ? bias : null, input.scale());
        // exporters share one initialiser between Convs (equal biases, tied weights): each Conv gets its own copy
        String wName = used.add(wSource) ? wSource : wSource + "/" + conv.getOutput(0);
        added.add(tensor(wName + "_quantized", TensorProto.DataType.INT8, w.getDimsList(), q.weights()));
        added.add(floatTensor(wName + "_scale", q.scales()));
        added.add(tensor(wName + "_zero_point", TensorProto.DataType.INT8, List.of((long) outChannels),
                new byte[outChannels]));
        g.addNode(NodeProto.newBuilder().setOpType("DequantizeLinear").setName(wName + "/DequantizeLinear")
                .addInput(wName + "_quantized").addInput(wName + "_scale").addInput(wName + "_zero_point")
                .addOutput(dequantized(wName)).addAttribute(axis0()));
        conv.setInput(1, dequantized(wName));
        if (bias != null && options.int32Bias()) {
            String bSource = conv.getInput(2);
            String bName = used.add(bSource) ? bSource : bSource + "/" + conv.getOutput(0);
            ByteBuffer raw = ByteBuffer.allocate(4 * outChannels).order(ByteOrder.LITTLE_ENDIAN);
            for (int v : q.bias()) {
                raw.putInt(v);
            }
            added.add(tensor(bName + "_quantized", TensorProto.DataType.INT32, List.of((long) outChannels), raw.array()));
            added.add(floatTensor(bName + "_scale", q.biasScales()));
            added.add(tensor(bName + "_zero_point", TensorProto.DataType.INT32, List.of((long) outChannels),
                    new byte[4 * outChannels]));
            g.addNode(NodeProto.newBuilder().setOpType("DequantizeLinear").setName(bName + "/DequantizeLinear")
                    .addInput(bName + "_quantized").addInput(bName + "_scale").addInput(bName + "_zero_point")
                    .addOutput(dequantized(bName)).addAttribute(axis0()));
            conv.setInput(2, dequantized(bName));
        }
    }

    /** One activation's quantization parameters, as scalar initializers named after the tensor. */
    private record Activation(String name, float scale, int zeroPoint, Int8Activations flavour) {
        static Activation of(String tensor, CalibrationTable.Range r, Int8Activations flavour) {
            return new Activation(tensor, r.scale(flavour), r.zeroPoint(flavour), flavour);
        }

        String scaleName() {
            return name + "_scale";
        }

        String zeroPointName() {
            return name + "_zero_point";
        }

        TensorProto scaleTensor() {
            ByteBuffer raw = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(scale);
            return tensor(scaleName(), TensorProto.DataType.FLOAT, List.of(), raw.array());
        }

        TensorProto zeroPointTensor() {
            return flavour == Int8Activations.SYMMETRIC_INT8
                    ? tensor(zeroPointName(), TensorProto.DataType.INT8, List.of(), new byte[] {(byte) zeroPoint})
                    : tensor(zeroPointName(), TensorProto.DataType.UINT8, List.of(), new byte[] {(byte) zeroPoint});
        }
    }

    private static Map<String, List<NodeProto>> consumers(GraphProto g) {
        Map<String, List<NodeProto>> consumers = new HashMap<>();
        for (NodeProto n : g.getNodeList()) {
            for (String in : n.getInputList()) {
                consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
            }
        }
        for (ValueInfoProto o : g.getOutputList()) { // a graph output is read by the caller
            consumers.computeIfAbsent(o.getName(), k -> new ArrayList<>()).add(NodeProto.newBuilder()
                    .setOpType("GraphOutput").build());
        }
        return consumers;
    }

    private static AttributeProto axis0() {
        return AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT).setI(0).build();
    }

    private static float[] floats(TensorProto t) {
        return Fp16Graphs.floats(t);
    }

    private static TensorProto floatTensor(String name, float[] values) {
        ByteBuffer raw = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            raw.putFloat(v);
        }
        return tensor(name, TensorProto.DataType.FLOAT, List.of((long) values.length), raw.array());
    }

    private static TensorProto tensor(String name, TensorProto.DataType type, List<Long> dims, byte[] raw) {
        return TensorProto.newBuilder().setName(name).setDataType(type.getNumber()).addAllDims(dims)
                .setRawData(UnsafeByteOperations.unsafeWrap(raw)).build();
    }

    private static void setMetadata(ModelProto.Builder m, String key, String value) {
        for (int i = 0; i < m.getMetadataPropsCount(); i++) {
            if (m.getMetadataProps(i).getKey().equals(key)) {
                m.setMetadataProps(i, StringStringEntryProto.newBuilder().setKey(key).setValue(value));
                return;
            }
        }
        m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(key).setValue(value));
    }
}
