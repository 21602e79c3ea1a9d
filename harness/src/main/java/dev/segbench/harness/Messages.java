package dev.segbench.harness;

import dev.segbench.api.BackendException;
import dev.segbench.api.BadSampleException;
import dev.segbench.api.DatasetException;
import dev.segbench.api.ModelException;
import java.io.IOException;

/** Turns exceptions into the one-line messages users see. */
public final class Messages {

    private Messages() {
    }

    /** The first line of an exception's message, with its type when the message alone says too little. */
    public static String oneLine(Throwable e) {
        String m = e.getMessage();
        String type = e.getClass().getSimpleName();
        if (m == null || m.isBlank()) {
            return type;
        }
        String first = m.strip().lines().findFirst().orElse("");
        // Plain IOExceptions of the api name their file first; their type adds nothing.
        boolean ours = e instanceof UserException || e instanceof BackendException || e instanceof ModelException
                || e instanceof DatasetException || e instanceof BadSampleException || e.getClass() == IOException.class;
        return ours ? first : type + ": " + first;
    }
}
