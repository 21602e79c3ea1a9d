package dev.segbench.harness.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.results.Run;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Merging shards of an int8 run keeps its calibration and adds up the overlap with the evaluated images. */
class MergeCalibrationTest {

    private static Run shard(String sha, int overlap) {
        return Run.builder("arch0", "cpu", "int8").calibration(new Run.Calibration("voc2012/val", "minmax", 5, sha, overlap))
                .build();
    }

    @Test
    void shardsWithOneTableKeepItAndSumTheOverlap() {
        Run merged = Merger.mergeRuns(List.of(shard("aa", 2), shard("aa", 3)), List.of(), 0.05);
        assertEquals(new Run.Calibration("voc2012/val", "minmax", 5, "aa", 5), merged.calibration());
        assertTrue(merged.warnings().stream().noneMatch(w -> w.contains("calibration")), merged.warnings().toString());
    }

    @Test
    void shardsWithDifferentTablesAreSaidToDiffer() {
        Run merged = Merger.mergeRuns(List.of(shard("aa", 0), shard("bb", 0)), List.of(), 0.05);
        assertTrue(merged.warnings().stream().anyMatch(w -> w.contains("different int8 calibration tables")),
                merged.warnings().toString());
    }

    @Test
    void runsWithoutCalibrationMergeWithout() {
        Run merged = Merger.mergeRuns(List.of(Run.builder("arch0", "cpu", "fp32").build(),
                Run.builder("arch0", "cpu", "fp32").build()), List.of(), 0.05);
        assertNull(merged.calibration());
    }
}
