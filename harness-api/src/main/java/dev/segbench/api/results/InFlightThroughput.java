package dev.segbench.api.results;

/**
 * Model-only throughput with {@code inFlight} requests of {@code batch} images kept in flight from as many threads
 * (MLPerf LoadGen's Offline scenario); {@code inFlight} is 1 unless the backend declares concurrent runs. Its
 * JSON is a superset of {@link Run.Throughput}'s: a file without {@code in_flight} reads as 1.
 *
 * @param requests requests completed in the timed window (each of {@code batch} images)
 * @param seconds  the timed window: from the start signal to the last request's completion
 */
public record InFlightThroughput(int batch, int inFlight, double imagesPerSecond, long requests, double seconds) {

    public InFlightThroughput {
        if (inFlight <= 0) {
            inFlight = 1; // absent in files written before requests in flight existed
        }
    }
}
