package dev.segbench.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.ReadOnlyFileSystemException;
import java.util.regex.Pattern;

/** Turns exceptions into the one-line messages users see: the file or thing concerned and the problem in words. */
public final class Messages {

    /** A Java exception or error class name, which a message for users never contains. */
    public static final Pattern EXCEPTION_CLASS_NAME = Pattern.compile("\\b[A-Z][a-zA-Z]*(Exception|Error)\\b");

    private Messages() {
    }

    /**
     * The first line of an exception's message in words. File-system exceptions (whose message is often only a
     * path) say the problem; a message that itself starts with a class name ("java.lang.Foo: ...", from a wrapped
     * cause) loses it.
     */
    public static String oneLine(Throwable e) {
        if (e instanceof UncheckedIOException u && u.getCause() != null
                && (u.getMessage() == null || u.getMessage().equals(u.getCause().toString()))) {
            return oneLine(u.getCause()); // a bare wrapper; one with a message of its own (naming the file) is kept
        }
        if (e instanceof FileSystemException f) {
            return fileProblem(f);
        }
        if (e instanceof ReadOnlyFileSystemException) {
            return "the file system is read-only";
        }
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return e instanceof IOException ? "input/output error" : e instanceof OutOfMemoryError ? "out of memory"
                    : "unexpected failure without a message (run with --debug for the stack trace)";
        }
        String first = m.strip().lines().findFirst().orElse("")
                .replaceAll("^([a-z][\\w$]*\\.)+[A-Z][\\w$]*(Exception|Error):\\s*", "");
        // the JVM's errors say what went wrong only by their type: put it in words
        return switch (e) {
            case OutOfMemoryError x -> "out of memory (" + first + ")";
            case StackOverflowError x -> "stack overflow (" + first + ")";
            case LinkageError x -> "a native library or class cannot be loaded (" + first + ")";
            default -> first;
        };
    }

    /** "FILE: problem" for a file-system exception, whose own message is often just the path. */
    private static String fileProblem(FileSystemException f) {
        return (f.getFile() == null ? "a file" : f.getFile()) + ": " + problem(f);
    }

    /** The problem of a failed file operation in words, without the file (for a message that names it already). */
    public static String problem(Throwable e) {
        if (e instanceof UncheckedIOException u && u.getCause() != null) {
            return problem(u.getCause());
        }
        if (!(e instanceof FileSystemException f)) {
            return oneLine(e);
        }
        String problem = switch (f) {
            case NoSuchFileException n -> "no such file or folder" + (f.getOtherFile() == null ? "" : " (" + f.getOtherFile() + ")");
            case AccessDeniedException a -> "permission denied";
            case FileAlreadyExistsException x -> "already exists";
            case NotDirectoryException x -> "not a folder";
            case DirectoryNotEmptyException x -> "the folder is not empty";
            case FileSystemLoopException x -> "a symbolic link loop";
            default -> f.getReason() != null && !f.getReason().isBlank() ? f.getReason() : "cannot be accessed";
        };
        if (f instanceof NoSuchFileException && f.getReason() != null && !f.getReason().isBlank()) {
            problem = f.getReason();
        }
        return problem;
    }
}
