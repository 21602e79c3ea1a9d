package dev.segbench.harness.exec;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * Keeps native libraries' own messages off segbench's console. Native code (libjpeg inside OpenCV: "Corrupt JPEG
 * data: premature end of data segment") writes straight to file descriptor 2, which no Java stream can intercept,
 * so the process's descriptor 2 is pointed at a log file while segbench's own messages go to the console through
 * a copy of the original descriptor ({@link #console}). A run's child needs none of this: its whole stderr is its
 * run's log already. Linux (and other POSIX systems) only; elsewhere, or when a call fails, nothing is rerouted.
 */
public final class NativeStderr {

    private static final int STDERR = 2;
    private static final int O_WRONLY = 1;
    private static final int O_CREAT = 0100;
    private static final int O_APPEND = 02000;
    private static final int O_CLOEXEC = 02000000;

    /** The console's descriptor once {@link #console} has copied it; -1 while nothing may be rerouted. */
    private static volatile int console = -1;

    private NativeStderr() {
    }

    /**
     * The stream segbench writes its own stderr messages to: {@code err} itself, or, where descriptor 2 can be
     * rerouted later ({@link #routeTo}), a stream on a copy of it that stays on the console. Called once, by main.
     */
    public static synchronized PrintStream console(PrintStream err) {
        if (console >= 0) {
            throw new IllegalStateException("the console was copied already");
        }
        try {
            err.flush();
            int copy = (int) Libc.DUP.invokeExact(STDERR);
            if (copy < 0) {
                return err;
            }
            console = copy;
            return new PrintStream(new DescriptorStream(copy), true, err.charset());
        } catch (Throwable e) {
            return err; // no libc, or native access denied: native messages stay on the console
        }
    }

    /** Where descriptor 2 points until closed; closing points it back at the console. */
    public interface Route extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Points descriptor 2 at {@code folder/file} (created, appended to) until the returned route is closed. A no-op
     * unless {@link #console} copied the console first (a test calling the command line in its own JVM keeps its
     * stderr) or when the file cannot be opened.
     */
    public static synchronized Route routeTo(Path folder, String file) {
        Route none = () -> { };
        if (console < 0) {
            return none;
        }
        try (Arena arena = Arena.ofConfined()) {
            java.nio.file.Files.createDirectories(folder);
            System.err.flush();
            int fd = (int) Libc.OPEN.invokeExact(arena.allocateFrom(folder.resolve(file).toAbsolutePath().toString()),
                    O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
            if (fd < 0) {
                return none;
            }
            int routed = (int) Libc.DUP2.invokeExact(fd, STDERR);
            int closed = (int) Libc.CLOSE.invokeExact(fd);
            if (routed < 0 || closed < 0) {
                return none;
            }
        } catch (Throwable e) {
            return none;
        }
        return () -> {
            synchronized (NativeStderr.class) {
                System.err.flush();
                try {
                    int back = (int) Libc.DUP2.invokeExact(console, STDERR);
                    assert back == STDERR;
                } catch (Throwable e) {
                    // descriptor 2 stays on the log; segbench's own messages still reach the console
                }
            }
        };
    }

    /** An output stream on a raw descriptor. */
    private static final class DescriptorStream extends OutputStream {
        private final int fd;

        DescriptorStream(int fd) {
            this.fd = fd;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment buf = arena.allocate(Math.max(1, len));
                MemorySegment.copy(b, off, buf, ValueLayout.JAVA_BYTE, 0, len);
                long done = 0;
                while (done < len) {
                    long n = (long) Libc.WRITE.invokeExact(fd, buf.asSlice(done), (long) len - done);
                    if (n <= 0) {
                        throw new IOException("cannot write to the console");
                    }
                    done += n;
                }
            } catch (IOException | RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IOException(e);
            }
        }
    }

    /** The four libc calls, looked up on first use. */
    private static final class Libc {
        private static final Linker LINKER = Linker.nativeLinker();
        private static final SymbolLookup C = LINKER.defaultLookup();
        static final MethodHandle DUP = call("dup", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        static final MethodHandle DUP2 = call("dup2",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        static final MethodHandle CLOSE = call("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        static final MethodHandle WRITE = call("write",
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
        static final MethodHandle OPEN = LINKER.downcallHandle(C.find("open").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
                Linker.Option.firstVariadicArg(2));

        private static MethodHandle call(String name, FunctionDescriptor signature) {
            return LINKER.downcallHandle(C.find(name).orElseThrow(), signature);
        }
    }
}
