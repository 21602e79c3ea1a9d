package dev.segbench.harness.run;

import dev.segbench.api.BackendException;
import dev.segbench.api.BadSampleException;
import dev.segbench.api.Dataset;
import dev.segbench.api.DatasetOptions.BadSamplePolicy;
import dev.segbench.api.HostTensor;
import dev.segbench.api.InferenceResult;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.Preprocessing;
import dev.segbench.api.Progress;
import dev.segbench.api.Sample;
import dev.segbench.results.Run;
import dev.segbench.datasets.OrderedPrefetcher;
import dev.segbench.harness.metrics.ConfusionMatrix;
import dev.segbench.results.Latencies;
import dev.segbench.harness.metrics.Segmentation;
import dev.segbench.harness.results.GalleryWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;

/**
 * One pass over the evaluation samples as a three-stage pipeline: decoding and preprocessing on
 * {@code decodeThreads} threads (an {@link OrderedPrefetcher}), inference on the calling thread, and upsampling, argmax and
 * scoring on one postprocessing thread. Both queues are bounded windows, so memory is flat in the
 * dataset size; results are in sample order (one postprocessing thread), hence deterministic.
 */
final class AccuracyPass {

    /** What the pass measured. */
    record Outcome(ConfusionMatrix accuracy, ConfusionMatrix agreement, int images, double seconds,
                   double modelSeconds, Histogram endToEnd, List<Run.Skipped> skipped, int withoutReference) {

        Run.AccuracyPassSummary summary() {
            return new Run.AccuracyPassSummary(images, seconds, seconds > 0 ? images / seconds : 0, modelSeconds > 0 ? images / modelSeconds : 0);
        }
    }

    /** Where labels go besides scoring: the reference spill, the reference to compare with, the gallery. */
    record Sinks(LabelSpill.Writer spillTo, LabelSpill.Reader compareWith, GalleryWriter gallery, String runKey) {
    }

    /** A decoded sample and its preprocessed input (on the heap: nothing to free when the pass stops early). */
    private record Prepared(int index, int position, Sample sample, float[] input, BadSampleException bad, long nanos) {
    }

    /** A gallery sample held until the pass ends; only the first few samples, so memory stays flat. */
    private record GalleryItem(Sample sample, byte[] labels) {
    }

    private record Inferred(Prepared prepared, Segmentation.Output output, long nanos) {
    }

    private final Dataset dataset;
    private final int[] indices;
    private final Preprocessing preprocessing;
    private final int classes;
    private final BadSamplePolicy policy;
    private final int decodeThreads;

    AccuracyPass(Dataset dataset, int[] indices, Preprocessing preprocessing, int classes, BadSamplePolicy policy,
                 int decodeThreads) {
        this.dataset = dataset;
        this.indices = indices.clone();
        this.preprocessing = preprocessing;
        this.classes = classes;
        this.policy = policy;
        this.decodeThreads = decodeThreads;
    }

    Outcome run(InferenceSession session, Sinks sinks, Progress progress)
            throws BackendException, BadSampleException, InterruptedException {
        List<GalleryItem> galleryItems = new ArrayList<>(); // touched by the postprocessing thread only until the pass ends
        ConfusionMatrix accuracy = new ConfusionMatrix(classes);
        ConfusionMatrix agreement = sinks.compareWith() == null ? null : new ConfusionMatrix(classes);
        Histogram endToEnd = Latencies.newHistogram();
        List<Run.Skipped> skipped = new ArrayList<>();
        AtomicInteger withoutReference = new AtomicInteger();
        int window = Math.max(2, decodeThreads * 2);
        ExecutorService post = Executors.newSingleThreadExecutor(daemon("segbench-post"));
        ArrayDeque<Future<?>> scoring = new ArrayDeque<>();
        long modelNanos = 0;
        int images = 0;
        progress.start("accuracy " + sinks.runKey(), indices.length, "img");
        try {
            warmUp(session); // inside the accuracy task, so the stall watchdog covers a backend that never returns
        } catch (BackendException | RuntimeException | Error e) {
            progress.done();
            throw e;
        }
        long start = System.nanoTime();
        try (OrderedPrefetcher<Prepared> decoded = new OrderedPrefetcher<>(indices.length, this::prepare, decodeThreads, window)) {
            while (decoded.hasNext()) {
                Prepared p = decodedOrThrow(decoded.take());
                if (p.bad() != null) {
                    if (policy == BadSamplePolicy.FAIL) {
                        throw p.bad();
                    }
                    skipped.add(new Run.Skipped(dataset.sampleId(p.index()), p.bad().getMessage()));
                    progress.advance(1);
                    continue;
                }
                long t0 = System.nanoTime();
                Inferred inferred;
                long runNanos;
                try (Arena arena = Arena.ofConfined()) {
                    Sample s = p.sample();
                    HostTensor input = session.newInput(arena, 1, s.height(), s.width());
                    // The session is not thread-safe, so decoders fill a private buffer and only this thread touches the session.
                    MemorySegment.copy(p.input(), 0, input.data(), HostTensor.FLOAT, 0, p.input().length);
                    long t1 = System.nanoTime();
                    try (InferenceResult result = session.run(input)) {
                        runNanos = System.nanoTime() - t1;
                        inferred = extract(p, result.output());
                    }
                }
                modelNanos += runNanos;
                long inferNanos = System.nanoTime() - t0;
                Inferred done = new Inferred(inferred.prepared(), inferred.output(), p.nanos() + inferNanos);
                while (scoring.size() >= window) {
                    await(scoring.poll());
                }
                scoring.add(post.submit(() -> {
                    score(done, accuracy, agreement, withoutReference, endToEnd, sinks, galleryItems);
                    progress.advance(1);
                    return null;
                }));
                images++;
            }
            while (!scoring.isEmpty()) {
                await(scoring.poll());
            }
        } finally {
            // On an error, stop scoring and wait: a scoring task still running would otherwise race the caller
            // closing the label spill (closing the prefetcher waits for its decoders likewise).
            post.shutdownNow();
            awaitQuietly(post);
            progress.done();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        // PNG encoding is not part of segmentation, so the gallery is written after the timed pass.
        for (GalleryItem g : galleryItems) {
            sinks.gallery().addSample(g.sample());
            sinks.gallery().addPrediction(g.sample().id(), sinks.runKey(), g.labels(), g.sample().width(), g.sample().height());
        }
        return new Outcome(accuracy, agreement, images, seconds, modelNanos / 1e9, endToEnd, skipped,
                withoutReference.get());
    }

    /**
     * One untimed pass of the pipeline on the first sample (decode, preprocess, inference, postprocess), so what a
     * backend does once per shape or session (allocation, kernel selection, JIT) is not in the end-to-end latency.
     * A bad first sample is left to the pass, which reports it in its place.
     */
    private void warmUp(InferenceSession session) throws BackendException {
        if (indices.length == 0) {
            return;
        }
        Prepared p = prepare(0);
        if (p.bad() != null) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            HostTensor input = session.newInput(arena, 1, p.sample().height(), p.sample().width());
            MemorySegment.copy(p.input(), 0, input.data(), HostTensor.FLOAT, 0, p.input().length);
            try (InferenceResult result = session.run(input)) {
                extract(p, result.output()).output().labelsAt(p.sample().height(), p.sample().width());
            }
        }
    }

    private Prepared prepare(int position) {
        int index = indices[position];
        long t0 = System.nanoTime();
        Sample s;
        try {
            s = dataset.load(index);
        } catch (BadSampleException e) {
            return new Prepared(index, position, null, null, e, 0);
        }
        float[] input = new float[3 * s.width() * s.height()];
        Segmentation.preprocess(s.rgb(), s.width(), s.height(), preprocessing, MemorySegment.ofArray(input), 0);
        return new Prepared(index, position, s, input, null, System.nanoTime() - t0);
    }

    /** A decoder's result; what a load threw other than a bad sample (which prepare returns) is rethrown. */
    private static Prepared decodedOrThrow(OrderedPrefetcher.Item<Prepared> item) {
        if (!item.failed()) {
            return item.value();
        }
        if (item.error() instanceof RuntimeException r) {
            throw r;
        }
        throw new IllegalStateException("decoding sample " + item.index() + " failed", item.error());
    }

    private Inferred extract(Prepared p, HostTensor out) {
        return new Inferred(p, Segmentation.output(out, classes, p.sample().height(), p.sample().width()), 0);
    }

    private void score(Inferred inf, ConfusionMatrix accuracy, ConfusionMatrix agreement, AtomicInteger withoutReference,
                       Histogram endToEnd, Sinks sinks, List<GalleryItem> galleryItems) {
        long t0 = System.nanoTime();
        Prepared p = inf.prepared();
        Sample s = p.sample();
        byte[] labels = inf.output().labelsAt(s.height(), s.width());
        // End-to-end latency is what a user's pipeline does for this image alone (decode, preprocess, inference,
        // postprocess), the sum of its stage times without queue waits; scoring, the reference-label spill and the
        // gallery are the harness's own work and stay out.
        Latencies.recordNanos(endToEnd, inf.nanos() + System.nanoTime() - t0);
        if (s.hasLabels()) {
            accuracy.add(s.labels(), labels);
        }
        if (agreement != null) {
            byte[] reference = sinks.compareWith().labelsFor(p.index());
            if (reference != null && reference.length == labels.length) {
                agreement.addMasked(reference, labels, s.labels(), Sample.IGNORE);
            } else {
                withoutReference.incrementAndGet(); // the reference skipped it: said in a warning, not dropped unseen
            }
        }
        if (sinks.spillTo() != null) {
            sinks.spillTo().write(p.index(), labels);
        }
        if (sinks.gallery() != null && sinks.gallery().wants(p.position())) {
            galleryItems.add(new GalleryItem(s, labels));
        }
    }

    private static <T> T await(Future<T> f) throws BackendException, InterruptedException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            if (c instanceof BackendException b) {
                throw b;
            }
            throw new IllegalStateException(c);
        }
    }

    private static void awaitQuietly(ExecutorService pool) {
        try {
            pool.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
