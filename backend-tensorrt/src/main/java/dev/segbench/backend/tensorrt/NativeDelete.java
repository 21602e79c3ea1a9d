package dev.segbench.backend.tensorrt;

import org.bytedeco.javacpp.Pointer;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Method;

/**
 * Frees TensorRT objects ({@code delete obj} in C++). Needed because the JavaCPP 1.5.13 TensorRT presets attach
 * no deallocator to objects returned by {@code createInferBuilder}, {@code deserializeCudaEngine},
 * {@code createExecutionContext} and friends, so {@code deallocate()} does nothing (bytedeco/javacpp-presets
 * issue 1699) and TensorRT 10 has no {@code destroy()} any more.
 *
 * <p>Hand-written: when JavaCPP has no deallocator, this calls the object's virtual deleting destructor through
 * its vtable with the FFM linker. For the TensorRT classes derived from {@code nvinfer1::INoCopy} the destructor
 * is the first virtual function, so under the Itanium C++ ABI (GCC/Clang on Linux) slot 0 is the complete-object
 * destructor and slot 1 the deleting destructor. Use it only for INoCopy-derived objects (IBuilder,
 * INetworkDefinition, IBuilderConfig, IHostMemory, ITimingCache, IRuntime, ICudaEngine, IExecutionContext).
 */
final class NativeDelete {

    private static final int DELETING_DESTRUCTOR_SLOT = 1;

    private NativeDelete() {
    }

    /** Frees {@code object} (null or already-null objects are ignored); uses JavaCPP's deallocator when it has one. */
    static void delete(Pointer object) {
        if (object == null || object.isNull()) {
            return;
        }
        if (hasJavaCppDeallocator(object)) {
            object.deallocate();
            return;
        }
        deleteVirtual(object.address());
        object.setNull();
    }

    /** Calls vtable slot {@value #DELETING_DESTRUCTOR_SLOT} of the C++ object at {@code address}. */
    @SuppressWarnings("restricted") // the point of this class: a call through a C++ vtable
    static void deleteVirtual(long address) {
        MemorySegment object = MemorySegment.ofAddress(address).reinterpret(ValueLayout.ADDRESS.byteSize());
        MemorySegment vtable = object.get(ValueLayout.ADDRESS, 0)
                .reinterpret(ValueLayout.ADDRESS.byteSize() * (DELETING_DESTRUCTOR_SLOT + 1));
        MemorySegment destructor = vtable.getAtIndex(ValueLayout.ADDRESS, DELETING_DESTRUCTOR_SLOT);
        MethodHandle call = Linker.nativeLinker().downcallHandle(destructor, FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
        try {
            call.invokeExact(MemorySegment.ofAddress(address));
        } catch (Throwable t) {
            throw new IllegalStateException("deleting the native object at 0x" + Long.toHexString(address) + " failed", t);
        }
    }

    private static boolean hasJavaCppDeallocator(Pointer object) {
        try {
            Method m = Pointer.class.getDeclaredMethod("deallocator");
            m.setAccessible(true);
            return m.invoke(object) != null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }
}
