package dev.segbench.api;

import java.nio.file.Path;

/** One sample is unusable. The message is one line: "FILE: problem". */
public class BadSampleException extends Exception {

    private final String sampleId;

    public BadSampleException(String sampleId, Path file, String problem) {
        super(file + ": " + problem);
        this.sampleId = sampleId;
    }

    public BadSampleException(String sampleId, Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.sampleId = sampleId;
    }

    public String sampleId() {
        return sampleId;
    }
}
