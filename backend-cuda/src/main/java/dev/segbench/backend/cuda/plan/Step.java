package dev.segbench.backend.cuda.plan;

import dev.segbench.onnx.graph.ConvGeometry;
import dev.segbench.onnx.graph.ElemType;
import dev.segbench.onnx.graph.PoolGeometry;
import dev.segbench.onnx.graph.ResizeGeometry;
import java.util.ArrayList;
import java.util.List;

/**
 * One planned device operation. {@code inputs} may name runtime tensors or constants (weights live outside the
 * activation arena); {@code output} is always a runtime tensor. {@code nodes} are the ONNX nodes it covers.
 */
public sealed interface Step {

    List<String> nodes();

    List<String> inputs();

    String output();

    /**
     * Kernel launches (cuDNN calls counted as one) with the lowering the GPU executor uses by default:
     * cuDNN fuses bias + ReLU (or identity) + residual into one call; any Clip, ReLU6 included, needs one more
     * clamp kernel because cudnnConvolutionBiasActivationForward only documents RELU and IDENTITY.
     */
    default int launches() {
        return 1;
    }

    /** The common case: one input tensor, one kernel. */
    sealed interface SingleInput extends Step {
        String input();

        @Override
        default List<String> inputs() {
            return List.of(input());
        }
    }

    /** Conv with folded-BN bias, optional residual {@code z} added before the activation (cuDNN's order). */
    record Conv(List<String> nodes, String input, String weights, String bias, String residual, Activation activation,
                ConvGeometry geometry, String output) implements Step {
        public Conv {
            nodes = List.copyOf(nodes);
        }

        @Override
        public List<String> inputs() {
            List<String> in = new ArrayList<>(List.of(input, weights));
            if (bias != null) {
                in.add(bias);
            }
            if (residual != null) {
                in.add(residual);
            }
            return in;
        }

        @Override
        public int launches() {
            return activation.kind() == Activation.Kind.CLIP ? 2 : 1;
        }
    }

    record Act(List<String> nodes, String input, Activation activation, String output) implements SingleInput {
        public Act {
            nodes = List.copyOf(nodes);
        }
    }

    /** Element-wise sum with numpy broadcasting. */
    record Add(List<String> nodes, String a, String b, String output) implements Step {
        public Add {
            nodes = List.copyOf(nodes);
        }

        @Override
        public List<String> inputs() {
            return List.of(a, b);
        }
    }

    /** Element-wise product with numpy broadcasting (hardswish's second half, squeeze-excitation gates). */
    record Mul(List<String> nodes, String a, String b, String output) implements Step {
        public Mul {
            nodes = List.copyOf(nodes);
        }

        @Override
        public List<String> inputs() {
            return List.of(a, b);
        }
    }

    /** ONNX HardSigmoid: max(0, min(1, alpha * x + beta)). */
    record HardSigmoid(List<String> nodes, String input, float alpha, float beta, String output) implements SingleInput {
        public HardSigmoid {
            nodes = List.copyOf(nodes);
        }
    }

    /** The logistic function 1 / (1 + exp(-x)). */
    record Sigmoid(List<String> nodes, String input, String output) implements SingleInput {
        public Sigmoid {
            nodes = List.copyOf(nodes);
        }
    }

    /** 2-D max pooling; padded positions never win. */
    record MaxPool(List<String> nodes, String input, PoolGeometry geometry, String output) implements SingleInput {
        public MaxPool {
            nodes = List.copyOf(nodes);
        }
    }

    record Resize(List<String> nodes, String input, ResizeGeometry geometry, String output) implements SingleInput {
        public Resize {
            nodes = List.copyOf(nodes);
        }
    }

    /** Mean over H and W of an NCHW tensor (GlobalAveragePool, ReduceMean over [2, 3]). */
    record GlobalAvgPool(List<String> nodes, String input, String output) implements SingleInput {
        public GlobalAvgPool {
            nodes = List.copyOf(nodes);
        }
    }

    /** Broadcast copy to the output shape (Expand). */
    record Expand(List<String> nodes, String input, String output) implements SingleInput {
        public Expand {
            nodes = List.copyOf(nodes);
        }
    }

    /** One strided copy kernel per input. */
    record Concat(List<String> nodes, List<String> inputs, int axis, String output) implements Step {
        public Concat {
            nodes = List.copyOf(nodes);
            inputs = List.copyOf(inputs);
        }

        @Override
        public int launches() {
            return inputs.size();
        }
    }

    record Cast(List<String> nodes, String input, ElemType to, String output) implements SingleInput {
        public Cast {
            nodes = List.copyOf(nodes);
        }
    }

    /** Index of the first maximum along {@code axis} (int64 result, ONNX ArgMax). */
    record ArgMax(List<String> nodes, String input, int axis, String output) implements SingleInput {
        public ArgMax {
            nodes = List.copyOf(nodes);
        }
    }

    /** Identity: a device-to-device copy. */
    record Copy(List<String> nodes, String input, String output) implements SingleInput {
        public Copy {
            nodes = List.copyOf(nodes);
        }
    }
}
