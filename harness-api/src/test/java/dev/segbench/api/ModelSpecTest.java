package dev.segbench.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Model specs: parsed by the dataset specs' parser; the id is name= or the file's base name; catalogue ids pass. */
class ModelSpecTest {

    @Test
    void aSpecsIdIsItsNameOrItsFilesBaseName() throws Exception {
        ModelSpec plain = ModelSpec.parse("onnx:/models/deeplab.v3.onnx").orElseThrow();
        assertEquals("onnx", plain.scheme());
        assertEquals("/models/deeplab.v3.onnx", plain.location());
        assertEquals("deeplab.v3", plain.id());
        ModelSpec named = ModelSpec.parse("onnx:m.onnx?name=mine&mean=0.5,0.5,0.5").orElseThrow();
        assertEquals("mine", named.id());
        assertEquals(Map.of("name", "mine", "mean", "0.5,0.5,0.5"), named.parameters());
        assertEquals(named, ModelSpec.parse(named.toString()).orElseThrow(), "toString parses back");
    }

    @Test
    void aCatalogueIdIsNoSpec() throws Exception {
        assertTrue(ModelSpec.parse("arch0").isEmpty());
    }

    @Test
    void badSpecsAreOneLineErrors() {
        String twice = assertThrows(ModelException.class, () -> ModelSpec.parse("onnx:m.onnx?name=a&name=b")).getMessage();
        assertEquals("onnx:m.onnx?name=a&name=b: option 'name' given twice", twice);
        String notPair = assertThrows(ModelException.class, () -> ModelSpec.parse("onnx:m.onnx?mean")).getMessage();
        assertTrue(notPair.contains("'mean' is not key=value"), notPair);
        String unknown = assertThrows(ModelException.class, () -> ModelSpec.parse("onnx:m.onnx?colour=red").orElseThrow()
                .requireKnownOptions(Set.of("name", "mean"))).getMessage();
        assertEquals("onnx:m.onnx?colour=red: unknown option 'colour' (onnx models take mean, name)", unknown);
    }
}
