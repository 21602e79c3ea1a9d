package dev.segbench.results.settings;

import dev.segbench.results.UserException;
import java.util.Locale;

/** How the server scenario spaces its requests. */
public enum Arrivals {
    /** Independent arrivals (exponential gaps), like LoadGen's Server scenario and real traffic. */
    POISSON,
    /** Evenly spaced arrivals, 1/QPS apart. */
    UNIFORM;

    @com.fasterxml.jackson.annotation.JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Reads {@link #id()} (and the constant's name, as files written before ids were used have it). */
    @com.fasterxml.jackson.annotation.JsonCreator
    public static Arrivals fromJson(String text) {
        return parse("arrivals", text);
    }

    public static Arrivals parse(String option, String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT); // case-blind: "UNIFORM" reads too
        for (Arrivals a : values()) {
            if (a.id().equals(t)) {
                return a;
            }
        }
        throw new UserException(option + ": '" + text + "' is not poisson or uniform");
    }
}
