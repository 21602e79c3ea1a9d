package dev.segbench.cuda;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Runs only where a CUDA device is usable; skipped visibly elsewhere. */
@Tag("gpu")
class CudaGpuTest {

    @BeforeEach
    void needsGpu() {
        CudaProbe probe = CudaRuntime.probe();
        assumeTrue(probe.available(), () -> "no CUDA device: " + probe.reason());
        CudaRuntime.useDevice(0);
    }

    @Test
    void probeDescribesTheDevice() {
        CudaProbe probe = CudaRuntime.probe();
        CudaDevice d = CudaRuntime.device(0);
        assertEquals(probe.devices().getFirst(), d);
        assertTrue(d.major() >= 5, d.description());
        assertTrue(d.totalMemoryBytes() > 0);
        CudaRuntime.MemoryInfo mem = CudaRuntime.memoryInfo();
        assertTrue(mem.freeBytes() > 0 && mem.freeBytes() <= mem.totalBytes());
    }

    @Test
    void roundTripThroughDeviceMemoryWithTimingAndAGraph() {
        int n = 1 << 20;
        long bytes = 4L * n;
        try (PinnedBuffer src = PinnedBuffer.allocate(bytes); PinnedBuffer dst = PinnedBuffer.allocate(bytes);
             DeviceBuffer dev = DeviceBuffer.allocate(bytes); CudaStream stream = CudaStream.create();
             CudaEvent start = CudaEvent.create(); CudaEvent end = CudaEvent.create()) {
            for (int i = 0; i < n; i++) {
                src.segment().setAtIndex(ValueLayout.JAVA_FLOAT, i, i * 0.5f);
            }
            start.record(stream);
            dev.copyFromHost(src.segment(), bytes, stream);
            dev.copyToHost(dst.segment(), bytes, stream);
            end.record(stream);
            end.synchronize();
            assertTrue(end.millisSince(start) > 0f);
            assertEquals(src.segment().mismatch(dst.segment()), -1L);

            dst.segment().fill((byte) 0);
            src.segment().setAtIndex(ValueLayout.JAVA_FLOAT, 7, -1f);
            try (CudaGraph graph = stream.capture(() -> {
                dev.copyFromHost(src.segment(), bytes, stream);
                dev.copyToHost(dst.segment(), bytes, stream);
            })) {
                graph.launch(stream);
                stream.synchronize();
            }
            assertEquals(-1f, dst.segment().getAtIndex(ValueLayout.JAVA_FLOAT, 7));
            assertEquals(-1L, src.segment().mismatch(dst.segment()));
        }
    }

    @Test
    void arenaScopedPinnedMemoryIsFreedWithTheArena() {
        java.lang.foreign.MemorySegment seg;
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            seg = PinnedBuffer.allocateIn(arena, 4096);
            seg.set(ValueLayout.JAVA_INT, 0, 42);
            assertEquals(42, seg.get(ValueLayout.JAVA_INT, 0));
        }
        java.lang.foreign.MemorySegment closed = seg;
        assertThrows(IllegalStateException.class, () -> closed.get(ValueLayout.JAVA_INT, 0));
    }

    @Test
    void closeIsIdempotentAndUseAfterCloseThrows() {
        DeviceBuffer buffer = DeviceBuffer.allocate(64);
        buffer.close();
        buffer.close();
        assertTrue(buffer.isClosed());
        assertThrows(IllegalStateException.class, buffer::pointer);
    }

    @Test
    void failedCallNamesTheCallAndLeavesNoLastErrorBehind() {
        CudaException e = assertThrows(CudaException.class, () -> DeviceBuffer.allocate(1L << 50));
        assertTrue(e.getMessage().startsWith("cudaMalloc(" + (1L << 50) + " bytes) failed: "), e.getMessage());
        assertTrue(e.isOutOfMemory(), e.getMessage());
        assertEquals(0, CudaRuntime.peekAtLastError(), "the caught failure must not resurface in a later library call");
        try (DeviceBuffer ok = DeviceBuffer.allocate(1024); CudaStream stream = CudaStream.create()) {
            ok.fill(0, 1024, stream); // work after the failure on the same thread still succeeds
            stream.synchronize();
        }
    }

    @Test
    void phaseTimerMeasuresEachPhase() {
        long bytes = 16L << 20;
        try (PinnedBuffer host = PinnedBuffer.allocate(bytes); DeviceBuffer dev = DeviceBuffer.allocate(bytes);
             CudaStream stream = CudaStream.create(); PhaseTimer timer = PhaseTimer.create()) {
            timer.start(stream);
            dev.copyFromHost(host.segment(), bytes, stream);
            timer.afterCopyIn(stream);
            dev.fill(1, bytes, stream);
            timer.afterCompute(stream);
            dev.copyToHost(host.segment(), bytes, stream);
            timer.end(stream);
            var t = timer.waitAndRead();
            assertTrue(t.h2dMs() > 0 && t.computeMs() > 0 && t.d2hMs() > 0, t.toString());
            assertEquals(0x01010101, host.segment().get(ValueLayout.JAVA_INT, 0), "the copy back finished before the read");
        }
    }
}
