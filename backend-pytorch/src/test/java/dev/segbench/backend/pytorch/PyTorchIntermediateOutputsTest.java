package dev.segbench.backend.pytorch;

import dev.segbench.backend.cpu.OrtCpuBackend;
import dev.segbench.testfixtures.IntermediateOutputsCheck;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every node result libtorch keeps by tensor name equals what ONNX Runtime computes for the same name. */
class PyTorchIntermediateOutputsTest {

    @Test
    void capturedTensorsOfArch2EqualTheCpuBackends() throws Exception {
        IntermediateOutputsCheck.Captures c = IntermediateOutputsCheck.arch2(new OrtCpuBackend(), new PyTorchBackend());
        assertEquals(c.expected().keySet(), c.got().keySet(), "the same float tensors by name");
        c.assertSameTensors("convolution outputs are kept before the in-place ReLU/Clip after them");
    }
}
