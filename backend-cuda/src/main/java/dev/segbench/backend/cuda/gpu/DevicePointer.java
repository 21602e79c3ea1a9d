package dev.segbench.backend.cuda.gpu;

import org.bytedeco.javacpp.Pointer;

/**
 * A JavaCPP view of a raw address: a device address inside a buffer (arena base + planned offset), or a host
 * address for a copy. cuda-common's DeviceBuffer only hands out its base pointer and copies to/from its start, so
 * offsets into the activation arena are made here. Owns nothing.
 */
public final class DevicePointer extends Pointer {

    public DevicePointer(long address, long bytes) {
        this.address = address;
        this.limit = bytes;
        this.capacity = bytes;
    }
}
