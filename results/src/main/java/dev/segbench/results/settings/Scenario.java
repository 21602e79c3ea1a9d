package dev.segbench.results.settings;

import dev.segbench.results.UserException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** The performance scenarios, with MLPerf LoadGen's names. */
public enum Scenario {
    /** Batch 1, one request at a time (closed loop): latency. */
    SINGLE_STREAM("single-stream"),
    /** Back-to-back batches, K in flight: throughput per (batch, in flight). */
    OFFLINE("offline"),
    /** Open loop on a seeded arrival schedule: latency under load and the highest rate under a p99 bound. */
    SERVER("server");

    /** Today's behaviour: batch-1 latency and throughput per batch. */
    public static final Set<Scenario> DEFAULT = java.util.Collections.unmodifiableSet(EnumSet.of(SINGLE_STREAM, OFFLINE));

    private final String id;

    Scenario(String id) {
        this.id = id;
    }

    /** LoadGen's name, also how results.json writes it. */
    @com.fasterxml.jackson.annotation.JsonValue
    public String id() {
        return id;
    }

    /** Reads {@link #id()} (and, from files written before ids were used, the constant's name). */
    @com.fasterxml.jackson.annotation.JsonCreator
    public static Scenario fromJson(String text) {
        return Arrays.stream(values()).filter(s -> s.id.equals(text) || s.name().equals(text)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("'" + text + "' is not a scenario"));
    }

    /** {@code --scenarios single-stream,server}; one line naming the bad entry otherwise. */
    public static Set<Scenario> parseList(String option, String text) {
        EnumSet<Scenario> out = EnumSet.noneOf(Scenario.class);
        for (String item : OptionLists.items(option, text, "a scenario (e.g. single-stream,offline,server)")) {
            Scenario match = Arrays.stream(values()).filter(s -> s.id.equals(item.toLowerCase(Locale.ROOT))).findFirst()
                    .orElseThrow(() -> new UserException(option + ": '" + item + "' is not a scenario (known: "
                            + Arrays.stream(values()).map(Scenario::id).collect(Collectors.joining(", ")) + ")"));
            out.add(match);
        }
        return java.util.Collections.unmodifiableSet(out); // in LoadGen's order, also in results.json
    }
}
