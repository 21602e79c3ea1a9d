package dev.segbench.cuda;

import org.bytedeco.javacpp.Pointer;

/** A JavaCPP view of a native address that JavaCPP does not own (no deallocator): what cudaMalloc and FFM hand out. */
final class RawPointer extends Pointer {

    RawPointer(long address, long byteSize) {
        this.address = address;
        this.limit = byteSize;
        this.capacity = byteSize;
    }
}
