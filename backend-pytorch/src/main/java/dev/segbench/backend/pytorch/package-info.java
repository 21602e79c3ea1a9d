/**
 * The PyTorch backend ({@code --backends pytorch}): libtorch's CPU build through JavaCPP, executing the model's ONNX
 * graph node by node ({@link dev.segbench.backend.pytorch.TorchInterpreter}) after onnx-graph has parsed it and
 * folded its shape arithmetic. {@link dev.segbench.backend.pytorch.TorchRuntime} holds the rule that loads the
 * bundled libtorch and no other.
 */
package dev.segbench.backend.pytorch;
