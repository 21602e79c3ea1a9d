package dev.segbench.backend.tensorrt;

import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Calls {@link NativeDelete} on real C++ objects: a small library standing in for TensorRT's interface classes
 * (a polymorphic base whose first virtual function is the destructor, like {@code nvinfer1::INoCopy}), compiled by
 * g++ at test time. Counters in the library show that the object's destructor ran and its memory went back through
 * the class's own {@code operator delete}: the deleting destructor, not the complete-object one. Skipped visibly where
 * g++ is absent.
 */
class NativeDeleteTest {

    private static final String SOURCE = """
            #include <atomic>
            #include <new>
            namespace standin {
            class INoCopy {                      // as in NvInferRuntimeBase.h: the destructor is the first virtual
            public:
                virtual ~INoCopy() = default;
            };
            std::atomic<int> destroyed{0};
            std::atomic<int> freed{0};
            class Engine : public INoCopy {
            public:
                ~Engine() override { destroyed++; }
                virtual int layers() const { return 42; }
                static void operator delete(void* p) { freed++; ::operator delete(p); }
            private:
                char payload[4096] = {};
            };
            }
            extern "C" void* standin_make_engine() { return static_cast<standin::INoCopy*>(new standin::Engine()); }
            extern "C" int standin_destroyed() { return standin::destroyed.load(); }
            extern "C" int standin_freed() { return standin::freed.load(); }
            """;

    @TempDir
    static Path dir;

    private static Arena arena;
    private static MethodHandle make;
    private static MethodHandle destroyed;
    private static MethodHandle freed;

    @BeforeAll
    @SuppressWarnings("restricted")
    static void compileTheStandIn() throws Exception {
        Path gpp = List.of("/usr/bin/g++", "/usr/local/bin/g++").stream().map(Path::of).filter(Files::isExecutable)
                .findFirst().orElse(null);
        assumeTrue(gpp != null, "no g++ on this machine: the C++ stand-in for TensorRT's classes cannot be built");
        Path source = Files.writeString(dir.resolve("standin.cpp"), SOURCE);
        Path library = dir.resolve("libstandin.so");
        Process p = new ProcessBuilder(gpp.toString(), "-std=c++17", "-O1", "-shared", "-fPIC", "-o", library.toString(),
                source.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "g++ timed out");
        assertEquals(0, p.exitValue(), "g++ failed:\n" + log);
        arena = Arena.ofShared(); // kept for the JVM's life: the library stays loaded while objects may exist
        SymbolLookup lib = SymbolLookup.libraryLookup(library, arena);
        Linker linker = Linker.nativeLinker();
        make = linker.downcallHandle(lib.find("standin_make_engine").orElseThrow(), FunctionDescriptor.of(ValueLayout.ADDRESS));
        destroyed = linker.downcallHandle(lib.find("standin_destroyed").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT));
        freed = linker.downcallHandle(lib.find("standin_freed").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT));
    }

    private static long newEngine() throws Throwable {
        return ((MemorySegment) make.invokeExact()).address();
    }

    private static int destroyedCount() throws Throwable {
        return (int) destroyed.invokeExact();
    }

    private static int freedCount() throws Throwable {
        return (int) freed.invokeExact();
    }

    @Test
    void theDeletingDestructorRunsTheDestructorAndFreesTheObject() throws Throwable {
        int destroyedBefore = destroyedCount();
        int freedBefore = freedCount();
        NativeDelete.deleteVirtual(newEngine());
        assertEquals(destroyedBefore + 1, destroyedCount(), "the destructor ran once");
        assertEquals(freedBefore + 1, freedCount(), "the memory went back through the class's operator delete");
    }

    @Test
    void deletingAJavaCppPointerWithoutDeallocatorFreesItAndNullsIt() throws Throwable {
        int freedBefore = freedCount();
        Pointer engine = new Pointer() {
            {
                address = newEngineUnchecked();
            }
        };
        NativeDelete.delete(engine);
        assertTrue(engine.isNull(), "the pointer is nulled so a second delete cannot free twice");
        NativeDelete.delete(engine);
        NativeDelete.delete(null);
        assertEquals(freedBefore + 1, freedCount(), "exactly one free for one object, however often delete is called");
    }

    private static long newEngineUnchecked() {
        try {
            return newEngine();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
