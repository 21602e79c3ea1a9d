package dev.segbench.harness.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** --models splits at commas between models, not inside mean=/std= lists. */
class ModelListSplitTest {

    @Test
    void commasInsideNumberListsStayInTheirSpec() {
        assertEquals(List.of("arch0", "onnx:a.onnx?mean=0.5,0.4,-0.3&std=.2,.2,.2", "onnx:b.onnx", "arch1"),
                List.of("arch0,onnx:a.onnx?mean=0.5,0.4,-0.3&std=.2,.2,.2,onnx:b.onnx,arch1".split(ModelOptions.SPLIT)));
    }
}
