package dev.segbench.cuda;

import dev.segbench.api.DeviceTimings;

/**
 * Four CUDA events around one inference on a stream, for {@link DeviceTimings}: record {@link #start} before the
 * host-to-device copy, {@link #afterCopyIn} after it, {@link #afterCompute} after the model, {@link #end} after the
 * device-to-host copy; then {@link #waitAndRead()} blocks until the copy back is done and returns the three phases.
 */
public final class PhaseTimer implements AutoCloseable {

    private final CudaEvent start;
    private final CudaEvent afterCopyIn;
    private final CudaEvent afterCompute;
    private final CudaEvent end;

    private PhaseTimer(CudaEvent start, CudaEvent afterCopyIn, CudaEvent afterCompute, CudaEvent end) {
        this.start = start;
        this.afterCopyIn = afterCopyIn;
        this.afterCompute = afterCompute;
        this.end = end;
    }

    /** Creates the four events; none is left behind if one cannot be created. */
    public static PhaseTimer create() {
        CudaEvent[] events = new CudaEvent[4];
        try {
            for (int i = 0; i < events.length; i++) {
                events[i] = CudaEvent.create();
            }
        } catch (RuntimeException | Error e) {
            for (CudaEvent created : events) {
                if (created != null) {
                    created.close();
                }
            }
            throw e;
        }
        return new PhaseTimer(events[0], events[1], events[2], events[3]);
    }

    public void start(CudaStream stream) {
        start.record(stream);
    }

    public void afterCopyIn(CudaStream stream) {
        afterCopyIn.record(stream);
    }

    public void afterCompute(CudaStream stream) {
        afterCompute.record(stream);
    }

    public void end(CudaStream stream) {
        end.record(stream);
    }

    /** Waits for the end event (the output is then on the host) and returns H2D, compute and D2H milliseconds. */
    public DeviceTimings waitAndRead() {
        end.synchronize();
        return new DeviceTimings(afterCopyIn.millisSince(start), afterCompute.millisSince(afterCopyIn),
                end.millisSince(afterCompute));
    }

    @Override
    public void close() {
        end.close();
        afterCompute.close();
        afterCopyIn.close();
        start.close();
    }
}
