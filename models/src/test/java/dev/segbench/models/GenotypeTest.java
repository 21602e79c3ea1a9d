package dev.segbench.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.api.ModelException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GenotypeTest {

    private static final String ARCH0 = "[[8, [0,0,5,2], [0,2,8,8], [0,5,1,4]], [[3,3], [3,2], [3,0]]]";
    private static final String ARCH1 = "[[2, [1,0,3,6], [0,1,2,8], [2,0,6,1]], [[2,3], [3,1], [4,4]]]";

    @Test
    void parsesAndPrintsTheDocumentForm() throws ModelException {
        Genotype g = Genotype.parse("[[8,[0,0,5,2],[0, 2, 8, 8],\n[0,5,1,4]],[[3,3],[3,2],[3,0]]]");
        assertEquals(8, g.firstOp());
        assertEquals(new Genotype.Block(0, 2, 8, 8), g.blocks().get(1));
        assertEquals(new Genotype.Connection(3, 0), g.connections().get(2));
        assertEquals(ARCH0, g.text());
        assertEquals(g, Genotype.parse(g.text()));
    }

    /** The collect rule and the strides it implies (doc: arch0 collects [4, 5, 6], arch1 [5, 6]). */
    @Test
    void collectRuleGivesTheOutputStride() throws ModelException {
        Genotype arch0 = Genotype.parse(ARCH0);
        assertEquals(List.of(4, 5, 6), arch0.collected());
        assertEquals(4, arch0.outputStride());
        Genotype arch1 = Genotype.parse(ARCH1);
        assertEquals(List.of(5, 6), arch1.collected());
        assertEquals(8, arch1.outputStride());
        // x[4] = cell(x[2] stride 16, x[3] stride 32) -> 16; x[5] = (x[3], x[1] stride 8) -> 8; x[6] = (x[4], x[4]) -> 16
        assertEquals(List.of(4, 8, 16, 32, 16, 8, 16), java.util.Arrays.stream(arch1.poolStrides()).boxed().toList());
    }

    @Test
    void cellOutputIsTheSumOfLooseEnds() throws ModelException {
        // arch0: op0 -> f1; block1 eats f0,f0 -> f4; block2 eats f0,f2 -> f7; block3 eats f0,f5 -> f10
        assertEquals(List.of(1, 4, 7, 10), Genotype.parse(ARCH0).cellOutputs());
        // every block consumes the previous sum: only the last one is left
        assertEquals(List.of(10), Genotype.parse("[[0, [1,1,0,0], [4,4,0,0], [7,7,0,0]], [[0,1]]]").cellOutputs());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "[[8, [0,2,5,2], [0,2,8,8], [0,5,1,4]], [[3,3], [3,2], [3,0]]] | block 1 input q = 2 is out of range (0..1)",
        "[[8, [0,0,5,2], [0,2,8,8], [0,8,1,4]], [[3,3], [3,2], [3,0]]] | block 3 input q = 8 is out of range (0..7)",
        "[[8, [0,0,5,2], [0,2,8,8], [0,5,1,4]], [[3,4], [3,2], [3,0]]] | connection 0 index j = 4 is out of range (0..3)",
        "[[8, [0,0,5,2], [0,2,8,8], [0,5,1,4]], [[3,3], [3,2], [-1,0]]] | connection 2 index i = -1 is out of range (0..5)",
        "[[11, [0,0,5,2], [0,2,8,8], [0,5,1,4]], [[3,3], [3,2], [3,0]]] | op0 = 11 is not an operation id (0..10)",
        "[[8, [0,0,5,12], [0,2,8,8], [0,5,1,4]], [[3,3], [3,2], [3,0]]] | block 1 op b = 12 is not an operation id (0..10)"})
    void outOfRangeIndexIsAOneLineErrorNamingGenotypeAndIndex(String text, String problem) {
        ModelException e = assertThrows(ModelException.class, () -> Genotype.parse(text));
        assertTrue(e.getMessage().startsWith("genotype [["), e.getMessage());
        assertTrue(e.getMessage().endsWith(": " + problem), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void recordConstructorValidatesToo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Genotype(3,
                List.of(new Genotype.Block(0, 0, 1, 1)), List.of(new Genotype.Connection(0, 9))));
        assertEquals("genotype [[3, [0,0,1,1]], [[0,9]]]: connection 0 index j = 9 is out of range (0..3)",
                e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "[[8, [0,0,5,2]], [[3,3]]", "[[8, [0,0,5]], [[3,3]]]", "[[8], []]",
        "[[8, [0,0,5,2]], [[3,x]]]", "[8, [[3,3]]]", "[[8, [0,0,5,2]], [[3,3]]] extra", "[[8,\n [0,0,5,2]],\n [[3,3],]]"})
    void malformedTextIsAOneLineError(String text) {
        ModelException e = assertThrows(ModelException.class, () -> Genotype.parse(text));
        assertTrue(e.getMessage().startsWith("genotype "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }
}
