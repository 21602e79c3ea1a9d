package dev.segbench.backend.cuda.plan;

import dev.segbench.api.BackendException;
import dev.segbench.onnx.graph.Graph;
import dev.segbench.onnx.graph.ShapeInference;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plans per input shape: a shape seen before reuses its plan, a new one is re-planned (shape inference, fusion,
 * liveness). Least recently used plans beyond {@code capacity} are dropped, with a callback so that device-side
 * resources attached to them can be released. Not thread-safe (sessions are single-threaded).
 */
public final class PlanCache<T> {

    /** Builds what the caller attaches to a plan (device buffers, descriptors, a CUDA graph). */
    public interface Attach<T> {
        T attach(ExecutionPlan plan) throws BackendException;
    }

    public record Entry<T>(ExecutionPlan plan, T attachment) {
    }

    private final Graph graph;
    private final boolean fuse;
    private final int capacity;
    private final Attach<T> attach;
    private final java.util.function.Consumer<T> release;
    private final Map<List<Long>, Entry<T>> entries = new LinkedHashMap<>(16, 0.75f, true);
    private int built;

    public PlanCache(Graph graph, boolean fuse, int capacity, Attach<T> attach, java.util.function.Consumer<T> release) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1");
        }
        this.graph = graph;
        this.fuse = fuse;
        this.capacity = capacity;
        this.attach = attach;
        this.release = release;
    }

    public Entry<T> get(long[] inputShape) throws BackendException {
        List<Long> key = Arrays.stream(inputShape).boxed().toList();
        Entry<T> e = entries.get(key);
        if (e != null) {
            return e;
        }
        ExecutionPlan plan = ExecutionPlanner.plan(ShapeInference.infer(graph, inputShape), fuse);
        e = new Entry<>(plan, attach.attach(plan));
        built++;
        entries.put(key, e);
        if (entries.size() > capacity) {
            var eldest = entries.entrySet().iterator().next();
            entries.remove(eldest.getKey());
            release.accept(eldest.getValue().attachment());
        }
        return e;
    }

    /** How many plans were built so far (cache misses). */
    public int plansBuilt() {
        return built;
    }

    public int size() {
        return entries.size();
    }

    /** The attachments of the plans kept now, most recently used last. */
    public java.util.List<T> attachments() {
        return entries.values().stream().map(Entry::attachment).toList();
    }

    /** Releases every attachment and forgets all plans. */
    public void clear() {
        entries.values().forEach(e -> release.accept(e.attachment()));
        entries.clear();
    }
}
