package dev.segbench.backend.cpu;

import dev.segbench.api.io.Folders;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * ONNX Runtime's telemetry library writes {@code mat-debug-<pid>.log} into {@code $TMPDIR} when its environment
 * starts and never removes it, so every {@code segbench backends}, {@code env} or {@code predict} left one behind.
 * The native side reads the process environment, not Java's copy of it, so this points libc's {@code TMPDIR} at a
 * private folder while the environment starts, puts it back, and deletes the folder (an open file is only unlinked).
 */
final class OrtTelemetryFolder {

    private static final String VARIABLE = "TMPDIR";

    private OrtTelemetryFolder() {
    }

    /** Runs {@code start} with libc's TMPDIR on a private folder; runs it as it is where that cannot be arranged. */
    static <T> T around(Callable<T> start) throws Exception {
        Libc libc = Libc.find();
        Path folder = null;
        try {
            folder = libc == null ? null : Files.createTempDirectory("segbench-ort-");
        } catch (IOException e) {
            folder = null; // no private folder: ORT writes where it always did
        }
        if (folder == null) {
            return start.call();
        }
        String previous = libc.get(VARIABLE);
        libc.set(VARIABLE, folder.toString());
        try {
            return start.call();
        } finally {
            if (previous == null) {
                libc.unset(VARIABLE);
            } else {
                libc.set(VARIABLE, previous);
            }
            Folders.deleteQuietly(folder);
        }
    }

    /** getenv, setenv and unsetenv of the C library, through the FFM API. */
    private record Libc(MethodHandle getenv, MethodHandle setenv, MethodHandle unsetenv) {

        static Libc find() {
            try {
                Linker linker = Linker.nativeLinker();
                var lookup = linker.defaultLookup();
                return new Libc(
                        linker.downcallHandle(lookup.find("getenv").orElseThrow(),
                                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS)),
                        linker.downcallHandle(lookup.find("setenv").orElseThrow(),
                                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT)),
                        linker.downcallHandle(lookup.find("unsetenv").orElseThrow(),
                                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS)));
            } catch (RuntimeException | LinkageError e) {
                return null; // not a POSIX libc (or native access refused)
            }
        }

        String get(String name) throws Exception {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment value = (MemorySegment) getenv.invokeExact(arena.allocateFrom(name));
                return value.equals(MemorySegment.NULL) ? null : value.reinterpret(Long.MAX_VALUE).getString(0);
            } catch (Throwable t) {
                throw new IllegalStateException("getenv failed", t);
            }
        }

        void set(String name, String value) {
            try (Arena arena = Arena.ofConfined()) {
                int rc = (int) setenv.invokeExact(arena.allocateFrom(name), arena.allocateFrom(value), 1);
                if (rc != 0) {
                    throw new IllegalStateException("setenv " + name + " failed");
                }
            } catch (RuntimeException e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException("setenv failed", t);
            }
        }

        void unset(String name) {
            try (Arena arena = Arena.ofConfined()) {
                int ignored = (int) unsetenv.invokeExact(arena.allocateFrom(name)); // fails only for a bad name
            } catch (Throwable t) {
                throw new IllegalStateException("unsetenv failed", t);
            }
        }
    }
}
