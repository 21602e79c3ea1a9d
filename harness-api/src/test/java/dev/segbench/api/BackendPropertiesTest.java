package dev.segbench.api;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class BackendPropertiesTest {

    private static final List<String> CUDA_KEYS = List.of("cuda.device", "cuda.graphs", "cuda.algo", "cuda.workspace-mb");

    @Test
    void unknownKeyOfTheOwnPrefixIsRejectedWithTheKnownKeys() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BackendProperties.read(Map.of("cuda.grpahs", "false"), "cuda.", CUDA_KEYS));
        assertEquals("unknown property cuda.grpahs (known cuda.* properties: cuda.algo, cuda.device, cuda.graphs,"
                + " cuda.workspace-mb)", e.getMessage());
    }

    @Test
    void keysOfOtherBackendsAreLeftToThem() {
        BackendProperties p = BackendProperties.read(Map.of("tensorrt.opt-level", "9", "cpu.anything", "x",
                "cuda.graphs", "false"), "cuda.", CUDA_KEYS);
        assertFalse(p.bool("cuda.graphs", true));
    }

    @Test
    void aBackendWithoutPropertiesSaysSo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BackendProperties.read(Map.of("cpu.threads", "8"), "cpu.", List.of()));
        assertEquals("unknown property cpu.threads (the cpu backend has no cpu.* properties)", e.getMessage());
    }

    @Test
    void aKnownKeyOfAnotherPrefixCanBeRead() {
        BackendProperties p = BackendProperties.read(Map.of("cuda.device", " 1 "), "tensorrt.",
                List.of("tensorrt.opt-level", "cuda.device"));
        assertEquals("1", p.string("cuda.device", "0"));
        assertEquals(3, p.integer("tensorrt.opt-level", 3, 0, 5));
    }

    @Test
    void readingAKeyTheBackendDidNotDeclareIsAProgrammingError() {
        BackendProperties p = BackendProperties.read(Map.of(), "cuda.", CUDA_KEYS);
        assertThrows(IllegalStateException.class, () -> p.bool("cuda.tf32", false));
    }

    @Test
    void booleansAreTrueOrFalseInAnyCaseAndNothingElse() {
        BackendProperties p = BackendProperties.read(Map.of("cuda.graphs", " TRUE "), "cuda.", CUDA_KEYS);
        assertTrue(p.bool("cuda.graphs", false));
        for (String bad : List.of("yes", "1", "on", "")) {
            BackendProperties q = BackendProperties.read(Map.of("cuda.graphs", bad), "cuda.", CUDA_KEYS);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> q.bool("cuda.graphs", true));
            assertEquals("cuda.graphs must be true or false, got '" + bad + "'", e.getMessage());
        }
    }

    @Test
    void integersAreCheckedAgainstTheirRange() {
        BackendProperties p = BackendProperties.read(Map.of("cuda.workspace-mb", "512"), "cuda.", CUDA_KEYS);
        assertEquals(512, p.integer("cuda.workspace-mb", 256, 1, 1 << 20));
        assertEquals(7, BackendProperties.read(Map.of(), "cuda.", CUDA_KEYS).integer("cuda.workspace-mb", 7, 1, 9));
        for (String bad : List.of("lots", "0", "2.5", "99999999999999999999")) {
            BackendProperties q = BackendProperties.read(Map.of("cuda.workspace-mb", bad), "cuda.", CUDA_KEYS);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> q.integer("cuda.workspace-mb", 256, 1, 1 << 20));
            assertEquals("cuda.workspace-mb must be an integer in 1..1048576, got '" + bad + "'", e.getMessage());
        }
    }

    @Test
    void choicesListTheAllowedValues() {
        BackendProperties p = BackendProperties.read(Map.of("cuda.algo", "fastest"), "cuda.", CUDA_KEYS);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> p.choice("cuda.algo", "find", "find", "heuristic"));
        assertEquals("cuda.algo must be one of find, heuristic, got 'fastest'", e.getMessage());
        assertEquals("find", BackendProperties.read(Map.of(), "cuda.", CUDA_KEYS).choice("cuda.algo", "find", "find", "heuristic"));
    }

    @Test
    void prefixMustEndWithADot() {
        assertThrows(IllegalArgumentException.class, () -> BackendProperties.read(Map.of(), "cuda", CUDA_KEYS));
    }
}
