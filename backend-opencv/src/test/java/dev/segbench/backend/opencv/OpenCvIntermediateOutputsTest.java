package dev.segbench.backend.opencv;

import dev.segbench.backend.cpu.OrtCpuBackend;
import dev.segbench.testfixtures.IntermediateOutputsCheck;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every node result OpenCV DNN returns by layer (tensor) name equals what ONNX Runtime computes for the same name. */
class OpenCvIntermediateOutputsTest {

    @Test
    void capturedTensorsOfArch2EqualTheCpuBackends() throws Exception {
        IntermediateOutputsCheck.Captures c = IntermediateOutputsCheck.arch2(new OrtCpuBackend(), new OpenCvBackend());
        assertTrue(c.got().keySet().containsAll(c.convolutions()), "every convolution's output, unfused: missing "
                + c.convolutions().stream().filter(n -> !c.got().containsKey(n)).toList());
        c.assertSameTensors("convolution outputs are taken before the ReLU/Clip after them (not fused)");
    }
}
