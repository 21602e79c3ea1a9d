package dev.segbench.harness.fakes;

import dev.segbench.api.Availability;
import dev.segbench.api.Backend;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.SessionOptions;
import java.util.Set;

/** Test backends that cannot run: "absent" is unavailable, "broken" throws from its probe, "exploding" from open. */
public final class OtherBackends {

    private OtherBackends() {
    }

    public static final class Absent implements Backend {
        @Override
        public String id() {
            return "absent";
        }

        @Override
        public String description() {
            return "never available";
        }

        @Override
        public Availability availability() {
            return Availability.unavailable("libabsent.so not found; install it");
        }

        @Override
        public Set<Precision> precisions() {
            return Set.of(Precision.FP32);
        }

        @Override
        public InferenceSession open(ModelSource model, SessionOptions options) {
            throw new AssertionError("an unavailable backend must not be opened");
        }
    }

    /** Breaks the availability contract by throwing, like a plugin missing one of its classes. */
    public static final class Broken extends FakeBackend {
        @Override
        public String id() {
            return "broken";
        }

        @Override
        public Availability availability() {
            throw new NoClassDefFoundError("some/missing/Probe");
        }
    }

    /** Available, fp32 only, and every open fails with a runtime exception. */
    public static final class Exploding extends FakeBackend {
        @Override
        public String id() {
            return "exploding";
        }

        @Override
        public Set<Precision> precisions() {
            return Set.of(Precision.FP32);
        }

        /** A reason for fp16 only, so that the skip of int8 shows the plain wording and that of fp16 the reason. */
        @Override
        public java.util.Optional<String> unsupportedReason(Precision precision) {
            return precision == Precision.FP16 ? java.util.Optional.of("its fp16 would only be fp32 renamed")
                    : java.util.Optional.empty();
        }

        @Override
        public InferenceSession open(ModelSource model, SessionOptions options) {
            throw new IllegalStateException("kaboom\nsecond line that must not show");
        }
    }
}
