package dev.segbench.harness.load;

import dev.segbench.api.DeviceTimings;
import dev.segbench.api.BackendException;
import java.util.Optional;

/**
 * What the load drivers drive (LoadGen's SUT): it prepares one input per worker outside any timed window and runs
 * a request on the calling thread. It never times itself; the drivers own the clock.
 */
public interface SystemUnderTest {

    /** Prepares one input of {@code batch} images for each of {@code workers} workers. */
    PreparedInputs prepare(int batch, int workers) throws BackendException;

    /** Inputs ready to run; worker {@code w} only ever uses input {@code w}, so workers never share a buffer. */
    interface PreparedInputs extends AutoCloseable {

        /** Runs one request with worker {@code worker}'s input; returns once its result is released. */
        Optional<DeviceTimings> run(int worker) throws BackendException;

        @Override
        void close();
    }
}
