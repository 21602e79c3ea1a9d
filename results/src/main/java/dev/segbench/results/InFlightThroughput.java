package dev.segbench.results;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Model-only throughput with {@code inFlight} requests of {@code batch} images kept in flight from as many threads
 * (MLPerf LoadGen's Offline scenario); {@code inFlight} is 1 unless the backend declares concurrent runs. Its
 * JSON is a superset of {@link Run.Throughput}'s: a file without {@code in_flight} reads as 1.
 * Every cell is measured by one rule: a timed warm-up, then at least {@code --min-duration} and at least
 * {@code --min-iterations} images, and {@code imagesPerSecond} = requests x batch / {@code seconds}.
 *
 * @param requests          requests completed in the timed window (each of {@code batch} images)
 * @param seconds           the timed window: from the start signal to the last request's completion
 * @param threadsPerRequest intra-op threads of the session that served the cell (null: not recorded, or a backend
 *                          whose requests do not use host threads)
 * @param measurement       the cell's verdict: valid only if warm-up, minimum duration and minimum count held, each
 *                          broken rule named in {@code reasons} (null in files written before cells had one)
 */
public record InFlightThroughput(int batch, int inFlight, double imagesPerSecond, long requests, double seconds,
                                 Integer threadsPerRequest, Run.Measurement measurement) {

    /** Best first: the highest finite images/s; NaN and infinite rates never win. */
    private static final Comparator<InFlightThroughput> BY_RATE =
            Comparator.comparingDouble(InFlightThroughput::imagesPerSecond);

    public InFlightThroughput {
        if (inFlight <= 0) {
            inFlight = 1; // absent in files written before requests in flight existed
        }
    }

    /** A cell without threads or verdict (files written before they were recorded). */
    public InFlightThroughput(int batch, int inFlight, double imagesPerSecond, long requests, double seconds) {
        this(batch, inFlight, imagesPerSecond, requests, seconds, null, null);
    }

    /** A cell of a file that recorded only its rate (schema 3 and before without sizes): no window. */
    public static InFlightThroughput of(Run.Throughput t) {
        return new InFlightThroughput(t.batch(), t.inFlight(), t.imagesPerSecond(), 0, 0);
    }

    /** "2 threads x 2 in flight x batch 8" (threads left out when unknown). */
    public String configuration() {
        return (threadsPerRequest == null ? "" : threadsPerRequest + (threadsPerRequest == 1 ? " thread" : " threads")
                + " x ") + inFlight + " in flight x batch " + batch;
    }

    /**
     * The one definition of "best throughput": the cell with the highest finite images/s (NaN, infinite and
     * non-positive rates never win); null when there is none.
     */
    public static InFlightThroughput best(List<InFlightThroughput> cells) {
        return cells.stream().filter(Objects::nonNull)
                .filter(t -> Double.isFinite(t.imagesPerSecond()) && t.imagesPerSecond() > 0)
                .max(BY_RATE).orElse(null);
    }

    /** The best cell of a run's first performance size. */
    public static InFlightThroughput best(Run run) {
        return best(cells(run));
    }

    /**
     * One request with all the threads: batch 1, one in flight, the most threads measured; the base the best
     * configuration is compared with. Null when that cell was not measured.
     */
    public static InFlightThroughput oneRequestAllThreads(Run run) {
        return cells(run).stream().filter(t -> t.batch() == 1 && t.inFlight() == 1)
                .filter(t -> Double.isFinite(t.imagesPerSecond()) && t.imagesPerSecond() > 0)
                .max(Comparator.comparingInt((InFlightThroughput t) -> t.threadsPerRequest() == null ? 0 : t.threadsPerRequest())
                        .thenComparing(BY_RATE)).orElse(null);
    }

    /** The run's offline cells at its first performance size. */
    public static List<InFlightThroughput> cells(Run run) {
        return run.firstSize() == null ? List.of() : run.firstSize().throughput();
    }
}
