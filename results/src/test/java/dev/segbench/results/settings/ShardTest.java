package dev.segbench.results.settings;

import dev.segbench.results.settings.Shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.results.UserException;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** {@code --shard auto} reads the scheduler's variables and picks the same samples as the explicit i/n. */
class ShardTest {

    private static List<Integer> samples(Shard s, int n) {
        return IntStream.range(0, n).filter(s::contains).boxed().toList();
    }

    @Test
    void slurmArrayTasksPickTheSameSamplesAsExplicitShards() {
        for (int i = 0; i < 3; i++) {
            Shard auto = Shard.parse("auto", Map.of("SLURM_ARRAY_TASK_ID", "" + i, "SLURM_ARRAY_TASK_COUNT", "3"));
            Shard explicit = Shard.parse(i + "/3", Map.of());
            assertEquals(explicit.index(), auto.index());
            assertEquals(explicit.count(), auto.count());
            assertEquals(samples(explicit, 20), samples(auto, 20));
            assertEquals("Slurm job array", auto.source());
        }
    }

    @Test
    void slurmArraysThatDoNotStartAtZeroAreShiftedByTheirMinimum() {
        Shard s = Shard.parse("auto", Map.of("SLURM_ARRAY_TASK_ID", "7", "SLURM_ARRAY_TASK_COUNT", "3", "SLURM_ARRAY_TASK_MIN", "5"));
        assertEquals(2, s.index());
        assertEquals(3, s.count());
        UserException gap = assertThrows(UserException.class, () -> Shard.parse("auto",
                Map.of("SLURM_ARRAY_TASK_ID", "9", "SLURM_ARRAY_TASK_COUNT", "3", "SLURM_ARRAY_TASK_MIN", "5")));
        assertTrue(gap.getMessage().contains("contiguous array"), gap.getMessage());
    }

    @Test
    void kubernetesIndexedJobsTakeTheCountFromTheOptionOrTheVariable() {
        for (int i = 0; i < 3; i++) {
            Shard fromOption = Shard.parse("auto/3", Map.of("JOB_COMPLETION_INDEX", "" + i));
            Shard fromVariable = Shard.parse("auto", Map.of("JOB_COMPLETION_INDEX", "" + i, "SEGBENCH_SHARD_COUNT", "3"));
            Shard explicit = Shard.parse(i + "/3", Map.of());
            assertEquals(samples(explicit, 20), samples(fromOption, 20));
            assertEquals(samples(explicit, 20), samples(fromVariable, 20));
            assertEquals("Kubernetes Indexed Job", fromOption.source());
        }
        UserException noCount = assertThrows(UserException.class, () -> Shard.parse("auto", Map.of("JOB_COMPLETION_INDEX", "1")));
        assertTrue(noCount.getMessage().contains("auto/N"), noCount.getMessage());
    }

    @Test
    void withoutSchedulerVariablesAutoIsAClearError() {
        UserException e = assertThrows(UserException.class, () -> Shard.parse("auto", Map.of("HOME", "/root")));
        assertTrue(e.getMessage().startsWith("--shard auto: neither SLURM_ARRAY_TASK_ID"), e.getMessage());
        assertTrue(e.getMessage().contains("JOB_COMPLETION_INDEX"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void badValuesAreOneLineErrors() {
        assertThrows(UserException.class, () -> Shard.parse("3/2", Map.of()));
        assertThrows(UserException.class, () -> Shard.parse("x/2", Map.of()));
        assertThrows(UserException.class, () -> Shard.parse("auto", Map.of("SLURM_ARRAY_TASK_ID", "x", "SLURM_ARRAY_TASK_COUNT", "3")));
        UserException mismatch = assertThrows(UserException.class, () -> Shard.parse("auto/4",
                Map.of("SLURM_ARRAY_TASK_ID", "1", "SLURM_ARRAY_TASK_COUNT", "3")));
        assertTrue(mismatch.getMessage().contains("has 3 tasks"), mismatch.getMessage());
        UserException outOfRange = assertThrows(UserException.class, () -> Shard.parse("auto/2", Map.of("JOB_COMPLETION_INDEX", "2")));
        assertTrue(outOfRange.getMessage().contains("Kubernetes Indexed Job"), outOfRange.getMessage());
    }
}
