package dev.segbench.harness.diagnose;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.segbench.api.Availability;
import dev.segbench.api.Backend;
import dev.segbench.api.BackendException;
import dev.segbench.api.Capability;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelException;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.SessionOptions;
import java.util.EnumSet;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Test backends for diagnose, registered in the test resources: the real cpu backend running a rewritten graph.
 * {@link Perturbed} adds noise after one convolution, {@link Renamed} gives every tensor another name,
 * {@link Opaque} runs the graph as it is but does not declare intermediate outputs.
 */
public final class CpuGraphRewrites {

    private CpuGraphRewrites() {
    }

    /** The convolution whose output {@link Perturbed} perturbs: the middle one of the graph's Conv nodes. */
    public static String perturbedTensor(byte[] onnx) throws com.google.protobuf.InvalidProtocolBufferException {
        List<String> convs = ModelProto.parseFrom(onnx).getGraph().getNodeList().stream()
                .filter(n -> n.getOpType().equals("Conv")).map(n -> n.getOutput(0)).toList();
        return convs.get(convs.size() / 2);
    }

    /** The cpu backend with a rewrite of its fp32 graph. */
    abstract static class Rewriting implements Backend {

        private Backend cpu() {
            return ServiceLoader.load(Backend.class, Thread.currentThread().getContextClassLoader()).stream()
                    .map(ServiceLoader.Provider::get).filter(b -> b.id().equals("cpu")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no cpu backend on the class path"));
        }

        abstract byte[] rewrite(byte[] onnx) throws Exception;

        Set<Capability> capabilities(Set<Capability> cpu) {
            return cpu;
        }

        @Override
        public String description() {
            return "test: the cpu backend on a rewritten graph";
        }

        /** Last in rank: never a compare's automatic reference (other tests pick it by rank). */
        @Override
        public int rank() {
            return 10_000;
        }

        @Override
        public Availability availability() {
            Availability a = cpu().availability();
            if (!a.available()) {
                return a;
            }
            return Availability.available(a.version(), a.devices(), capabilities(a.capabilities()));
        }

        @Override
        public Set<Precision> precisions() {
            return Set.of(Precision.FP32);
        }

        @Override
        public InferenceSession open(ModelSource model, SessionOptions options) throws BackendException {
            return cpu().open(model.withArtifacts((precision, labelsOut) -> {
                ModelArtifact a = model.artifact(precision, labelsOut);
                try {
                    return new ModelArtifact(a.modelId(), a.precision(), a.labelsOut(), rewrite(a.onnx()),
                            a.onnxSha256() + "-" + id(), a.weights());
                } catch (Exception e) {
                    throw new ModelException("cannot rewrite " + a.modelId() + ": " + e, e);
                }
            }), options);
        }
    }

    /** Noise after the middle convolution: X = X' + 0.2 X' sin(1000 X'), about 14% relative error there. */
    public static final class Perturbed extends Rewriting {
        @Override
        public String id() {
            return "perturbed";
        }

        @Override
        byte[] rewrite(byte[] onnx) throws Exception {
            String target = perturbedTensor(onnx);
            String pre = target + "#pre";
            ModelProto.Builder m = ModelProto.parseFrom(onnx).toBuilder();
            GraphProto.Builder g = m.getGraphBuilder();
            int at = -1;
            for (int i = 0; i < g.getNodeCount(); i++) {
                NodeProto n = g.getNode(i);
                if (n.getOutputList().contains(target)) {
                    g.setNode(i, n.toBuilder().setOutput(n.getOutputList().indexOf(target), pre));
                    at = i;
                }
            }
            g.addInitializer(scalar("noise#freq", 1000f)).addInitializer(scalar("noise#amp", 0.2f));
            List<NodeProto> noise = List.of(
                    node("Mul", List.of(pre, "noise#freq"), "noise#phase"),
                    node("Sin", List.of("noise#phase"), "noise#sin"),
                    node("Mul", List.of("noise#sin", "noise#amp"), "noise#scaled"),
                    node("Mul", List.of(pre, "noise#scaled"), "noise#delta"),
                    node("Add", List.of(pre, "noise#delta"), target));
            for (int i = 0; i < noise.size(); i++) {
                g.addNode(at + 1 + i, noise.get(i));
            }
            return m.build().toByteArray();
        }
    }

    /** Every tensor but the graph's input and output under another name: nothing to compare by name. */
    public static final class Renamed extends Rewriting {
        @Override
        public String id() {
            return "renamed";
        }

        @Override
        byte[] rewrite(byte[] onnx) throws Exception {
            ModelProto.Builder m = ModelProto.parseFrom(onnx).toBuilder();
            GraphProto.Builder g = m.getGraphBuilder();
            Set<String> keep = Set.of(ModelArtifact.INPUT_NAME, ModelArtifact.LOGITS_NAME, ModelArtifact.LABELS_NAME);
            Set<String> produced = new java.util.HashSet<>();
            g.getNodeList().forEach(n -> produced.addAll(n.getOutputList()));
            UnaryOperator<String> rename = t -> produced.contains(t) && !keep.contains(t) ? t + "#renamed" : t;
            for (int i = 0; i < g.getNodeCount(); i++) {
                NodeProto.Builder n = g.getNode(i).toBuilder();
                for (int j = 0; j < n.getInputCount(); j++) {
                    n.setInput(j, rename.apply(n.getInput(j)));
                }
                for (int j = 0; j < n.getOutputCount(); j++) {
                    n.setOutput(j, rename.apply(n.getOutput(j)));
                }
                g.setNode(i, n);
            }
            return m.build().toByteArray();
        }
    }

    /** The graph as it is, without the intermediate-outputs capability. */
    public static final class Opaque extends Rewriting {
        @Override
        public String id() {
            return "opaque";
        }

        @Override
        byte[] rewrite(byte[] onnx) {
            return onnx;
        }

        @Override
        Set<Capability> capabilities(Set<Capability> cpu) {
            Set<Capability> c = EnumSet.noneOf(Capability.class);
            c.addAll(cpu);
            c.remove(Capability.INTERMEDIATE_OUTPUTS);
            return c;
        }
    }

    /** Runs like cpu but its process dies (exit 66) when asked for intermediate tensors: a crashing backend. */
    public static final class Crashing extends Rewriting {
        @Override
        public String id() {
            return "crashing";
        }

        @Override
        byte[] rewrite(byte[] onnx) {
            return onnx;
        }

        @Override
        public InferenceSession open(ModelSource model, SessionOptions options) throws BackendException {
            InferenceSession cpu = super.open(model, options);
            return new InferenceSession() {
                @Override
                public ModelArtifact artifact() {
                    return cpu.artifact();
                }

                @Override
                public dev.segbench.api.InferenceResult run(dev.segbench.api.HostTensor input) throws BackendException {
                    return cpu.run(input);
                }

                @Override
                public dev.segbench.api.InferenceResult run(dev.segbench.api.HostTensor input, Set<String> capture) {
                    Runtime.getRuntime().halt(66);
                    throw new AssertionError("halted");
                }

                @Override
                public void close() {
                    cpu.close();
                }
            };
        }
    }

    private static TensorProto scalar(String name, float value) {
        return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE).addFloatData(value).build();
    }

    private static NodeProto node(String op, List<String> inputs, String output) {
        return NodeProto.newBuilder().setOpType(op).setName(output + "_" + op).addAllInput(inputs).addOutput(output).build();
    }
}
