package dev.segbench.backend.tensorrt;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

/** Checks the vtable call mechanics with a fake C++ object whose deleting destructor is a Java upcall. */
class NativeDeleteTest {

    static final AtomicLong DELETED = new AtomicLong();
    static final AtomicLong WRONG_SLOT = new AtomicLong();

    static void deletingDestructor(MemorySegment self) {
        DELETED.set(self.address());
    }

    static void completeDestructor(MemorySegment self) {
        WRONG_SLOT.set(self.address());
    }

    @Test
    @SuppressWarnings("restricted")
    void callsVtableSlotOneWithThis() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            Linker linker = Linker.nativeLinker();
            FunctionDescriptor fd = FunctionDescriptor.ofVoid(ValueLayout.ADDRESS);
            MemorySegment d0 = linker.upcallStub(MethodHandles.lookup().findStatic(NativeDeleteTest.class,
                    "deletingDestructor", MethodType.methodType(void.class, MemorySegment.class)), fd, arena);
            MemorySegment d1 = linker.upcallStub(MethodHandles.lookup().findStatic(NativeDeleteTest.class,
                    "completeDestructor", MethodType.methodType(void.class, MemorySegment.class)), fd, arena);
            MemorySegment vtable = arena.allocate(ValueLayout.ADDRESS, 2);
            vtable.setAtIndex(ValueLayout.ADDRESS, 0, d1);
            vtable.setAtIndex(ValueLayout.ADDRESS, 1, d0);
            MemorySegment object = arena.allocate(ValueLayout.ADDRESS, 2);
            object.set(ValueLayout.ADDRESS, 0, vtable);

            NativeDelete.deleteVirtual(object.address());
            assertEquals(object.address(), DELETED.get());
            assertEquals(0, WRONG_SLOT.get(), "slot 0 is the complete-object destructor, which does not free");
        }
    }

    @Test
    void nullIsIgnored() {
        NativeDelete.delete(null);
    }
}
