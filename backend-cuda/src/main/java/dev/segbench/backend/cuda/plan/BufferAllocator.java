package dev.segbench.backend.cuda.plan;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Assigns arena offsets to tensors from their lifetime intervals so that tensors alive at the same time never
 * overlap, placing the largest first into the lowest gap that fits ("greedy by size", a standard heuristic for
 * static memory planning; hand-written because it is a few lines over our own interval type).
 */
public final class BufferAllocator {

    /** Offsets are aligned for cuDNN and vectorised kernels. */
    public static final long ALIGNMENT = 256;

    /** A tensor alive from step {@code first} to step {@code last}, both inclusive. */
    public record Interval(String name, long bytes, int first, int last) {
        public boolean overlapsInTime(Interval o) {
            return first <= o.last && o.first <= last;
        }
    }

    public record Placement(Interval interval, long offset) {
        public long end() {
            return offset + align(interval.bytes());
        }
    }

    private BufferAllocator() {
    }

    public static long align(long bytes) {
        return (bytes + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    public static List<Placement> assign(List<Interval> intervals) {
        List<Interval> order = new ArrayList<>(intervals);
        order.sort(Comparator.comparingLong(Interval::bytes).reversed().thenComparingInt(Interval::first));
        List<Placement> placed = new ArrayList<>();
        for (Interval t : order) {
            List<Placement> conflicts = new ArrayList<>();
            for (Placement p : placed) {
                if (p.interval().overlapsInTime(t)) {
                    conflicts.add(p);
                }
            }
            conflicts.sort(Comparator.comparingLong(Placement::offset));
            long size = align(t.bytes());
            long offset = 0;
            for (Placement p : conflicts) {
                if (p.offset() - offset >= size) {
                    break;
                }
                offset = Math.max(offset, p.end());
            }
            placed.add(new Placement(t, offset));
        }
        return placed;
    }

    public static long peak(List<Placement> placements) {
        return placements.stream().mapToLong(Placement::end).max().orElse(0);
    }
}
