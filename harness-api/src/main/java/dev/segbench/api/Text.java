package dev.segbench.api;

/** Text for the one-line messages users see. */
public final class Text {

    private Text() {
    }

    /** The text with every line break (and the blanks around it) folded into one space, stripped. */
    public static String oneLine(String text) {
        return text.replaceAll("\\s*\\R\\s*", " ").strip();
    }

    /** An exception's message on one line, or its simple class name when it has no message. */
    public static String oneLine(Throwable e) {
        return e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : oneLine(e.getMessage());
    }
}
