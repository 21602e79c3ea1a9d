package dev.segbench.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.api.ModelCatalog;
import dev.segbench.api.ModelException;
import dev.segbench.api.ModelInfo;
import dev.segbench.api.Preprocessing;
import dev.segbench.api.VocClasses;
import dev.segbench.api.WeightsSpec;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NasSegmCatalogTest {

    private final ModelCatalog catalog = new NasSegmCatalog();

    @Test
    void isFoundThroughServiceLoader() {
        List<String> names = ServiceLoader.load(ModelCatalog.class).stream().map(p -> p.get().name()).toList();
        assertTrue(names.contains("nas-segm"), "ServiceLoader found " + names);
    }

    @Test
    void listsTheThreeModelsWithTheVocContract() {
        assertEquals(List.of("arch0", "arch1", "arch2"), catalog.models().stream().map(ModelInfo::id).toList());
        for (ModelInfo m : catalog.models()) {
            assertEquals(VocClasses.NAMES, m.classNames());
            assertEquals(21, m.numClasses());
            assertEquals(Preprocessing.IMAGENET, m.preprocessing());
            assertFalse(m.description().isBlank());
        }
    }

    /** Counts and strides derived from the genotypes match the reference implementation's. */
    @ParameterizedTest
    @CsvSource({
        "arch0, '[[8, [0,0,5,2], [0,2,8,8], [0,5,1,4]], [[3,3], [3,2], [3,0]]]', 4, 2629909, 4.42",
        "arch1, '[[2, [1,0,3,6], [0,1,2,8], [2,0,6,1]], [[2,3], [3,1], [4,4]]]', 8, 2810133, 2.93",
        "arch2, '[[5, [0,0,4,1], [3,2,0,1], [5,6,5,0]], [[1,3], [4,3], [2,2]]]', 8, 2853141, 3.48"})
    void matchesTheArchitectureDocument(String id, String genotype, int stride, long params, double gmacs512) {
        ModelInfo m = catalog.find(id).orElseThrow();
        assertEquals(genotype, m.genotype());
        assertEquals(stride, m.outputStride());
        assertEquals(params, m.parameterCount());
        double gmacs = m.multiplyAdds(512, 512) / 1e9;
        System.out.printf("%s: %.3f G multiply-adds at 512x512 (document: %.2f G)%n", id, gmacs, gmacs512);
        // Convolutions only (see Layout): a lower bound within a few percent of the reference's figure.
        assertTrue(gmacs <= gmacs512 && gmacs >= 0.94 * gmacs512, id + " multiply-adds at 512x512: " + gmacs);
    }

    @Test
    void multiplyAddsGrowWithInputSize() {
        ModelInfo m = catalog.find("arch1").orElseThrow();
        assertTrue(m.multiplyAdds(1024, 1024) > 3.5 * m.multiplyAdds(512, 512));
    }

    @Test
    void unknownModelIsAOneLineError() {
        ModelException e = assertThrows(ModelException.class, () -> catalog.load("arch9", WeightsSpec.seeded(1)));
        assertEquals("unknown model 'arch9' in catalogue nas-segm (known: arch0, arch1, arch2)", e.getMessage());
    }
}
