package dev.segbench.api;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * A backend's availability, probed once on first use and then cached (what {@link Backend#availability()} promises).
 * Thread-safe; a probe that throws becomes an unavailable value with the reason instead of an exception, because
 * {@code availability()} must never throw.
 */
public final class LazyAvailability implements Supplier<Availability> {

    private final Supplier<Availability> probe;
    private volatile Availability value;

    public LazyAvailability(Supplier<Availability> probe) {
        this.probe = Objects.requireNonNull(probe);
    }

    @Override
    public Availability get() {
        Availability known = value;
        if (known == null) {
            synchronized (this) {
                known = value;
                if (known == null) {
                    known = probeOnce();
                    value = known;
                }
            }
        }
        return known;
    }

    /** The availability when the backend can run, else {@code BackendException(UNAVAILABLE, reason)}: what open() starts with. */
    public Availability require() throws BackendException {
        Availability a = get();
        if (!a.available()) {
            throw new BackendException(BackendException.Code.UNAVAILABLE, a.reason());
        }
        return a;
    }

    private Availability probeOnce() {
        try {
            return Objects.requireNonNull(probe.get(), "the probe returned no availability");
        } catch (RuntimeException | LinkageError e) { // UnsatisfiedLinkError and friends from native probes
            String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return Availability.unavailable("probing the backend failed: " + detail.lines().findFirst().orElse(detail));
        }
    }
}
