package dev.segbench.backend.tensorrt;

import dev.segbench.api.DeviceTimings;
import dev.segbench.api.BackendException;
import dev.segbench.api.DType;
import dev.segbench.api.HostTensor;
import dev.segbench.api.InferenceResult;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.ModelArtifact;
import dev.segbench.cuda.CudaException;
import dev.segbench.cuda.CudaRuntime;
import dev.segbench.cuda.PinnedBuffer;
import org.bytedeco.tensorrt.nvinfer.ICudaEngine;
import org.bytedeco.tensorrt.nvinfer.IRuntime;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One TensorRT engine and its execution contexts.
 *
 * <p><b>Thread safety and throughput:</b> {@link #run} may be called from several threads at once. Each call
 * takes an idle {@link ExecutionSlot} (execution context + CUDA stream + buffers), creating one lazily up to
 * {@code tensorrt.contexts}; so N harness threads keep N batches in flight and the copies of one overlap the
 * compute of another. A result holds its slot until it is closed: close results promptly (a caller holding
 * more open results than there are contexts waits, then gets an IllegalStateException after 60 s).
 *
 * <p>{@link #newInput} hands out pinned (page-locked) host memory scoped to the caller's arena, so the
 * host-to-device copy runs at full DMA speed.
 *
 * <p>Closing: {@link #close} refuses new runs at once and frees idle contexts; a context still held by an open result
 * (or a run in progress on another thread) is freed when that result is closed, and the engine and runtime go with
 * the last one, so a close racing with concurrent runs never frees memory a run is using.
 */
final class TensorRtSession implements InferenceSession {

    private static final long SLOT_WAIT_SECONDS = 60;

    private final ModelArtifact artifact;
    private final TensorRtSettings settings;
    private final int device;
    private final IRuntime runtime;
    private final ICudaEngine engine;
    private final DType outputType;
    private final OptionalDouble buildSeconds;
    private final Path cacheEntry;
    private final long engineWeightBytes;
    private final LinkedBlockingQueue<ExecutionSlot> idle = new LinkedBlockingQueue<>();
    /** Every live context, idle or busy; guarded by {@code this}. */
    private final List<ExecutionSlot> slots = new ArrayList<>();
    /** Contexts handed to a run and not yet given back; guarded by {@code this}. */
    private int busy;
    private final AtomicBoolean closed = new AtomicBoolean();
    private boolean engineFreed;

    TensorRtSession(ModelArtifact artifact, TensorRtSettings settings, int device, IRuntime runtime, ICudaEngine engine,
                    DType outputType, OptionalDouble buildSeconds, Path cacheEntry, long engineWeightBytes) {
        this.artifact = artifact;
        this.settings = settings;
        this.device = device;
        this.runtime = runtime;
        this.engine = engine;
        this.outputType = outputType;
        this.buildSeconds = buildSeconds;
        this.cacheEntry = cacheEntry;
        this.engineWeightBytes = engineWeightBytes;
    }

    /** The engine's weights plus every context's scratch ("activation") memory and I/O buffers. */
    @Override
    public synchronized OptionalLong deviceMemoryBytes() {
        return OptionalLong.of(engineWeightBytes + slots.stream().mapToLong(ExecutionSlot::deviceBytes).sum());
    }

    /** The device's free memory now (cudaMemGetInfo): what the harness's batch-size memory check is judged by. */
    @Override
    public OptionalLong freeDeviceMemoryBytes() {
        ensureOpen();
        CudaRuntime.useDevice(device);
        return OptionalLong.of(CudaRuntime.memoryInfo().freeBytes());
    }

    @Override
    public ModelArtifact artifact() {
        return artifact;
    }

    @Override
    public OptionalDouble buildSeconds() {
        return buildSeconds;
    }

    /** True when the engine came from the on-disk cache instead of a build. */
    boolean engineFromCache() {
        return buildSeconds.isEmpty();
    }

    /** The cache file of this engine, when caching is on. */
    Optional<Path> cacheEntry() {
        return Optional.ofNullable(cacheEntry);
    }

    /** How many execution contexts exist so far (for tests and diagnostics). */
    synchronized int contextCount() {
        return slots.size();
    }

    /** How many execution contexts replay a captured CUDA graph (capture can fall back to eager runs). */
    synchronized long contextsReplayingGraphs() {
        return slots.stream().filter(ExecutionSlot::replaysGraph).count();
    }

    @Override
    public HostTensor newInput(Arena arena, int batch, int height, int width) {
        ensureOpen();
        checkShape(batch, height, width);
        CudaRuntime.useDevice(device);
        long[] shape = {batch, ProfileShapes.CHANNELS, height, width};
        long bytes = HostTensor.elementCount(shape) * DType.FLOAT32.byteSize();
        return new HostTensor(DType.FLOAT32, shape, PinnedBuffer.allocateIn(arena, bytes));
    }

    @Override
    public InferenceResult run(HostTensor input) throws BackendException {
        ensureOpen();
        if (input.dtype() != DType.FLOAT32 || input.rank() != 4 || input.dim(1) != ProfileShapes.CHANNELS) {
            throw new IllegalArgumentException("input must be FLOAT32 [N, 3, H, W], got " + input);
        }
        checkShape(input.dim(0), input.dim(2), input.dim(3));
        if (!input.data().isNative()) {
            throw new IllegalArgumentException("input must be in native memory (use newInput)");
        }
        CudaRuntime.useDevice(device);
        ExecutionSlot slot = acquire();
        try {
            ExecutionSlot.Inference run = slot.run(input);
            return new Result(run, slot);
        } catch (CudaException e) {
            release(slot);
            throw e.toBackendException();
        } catch (BackendException | RuntimeException | Error e) {
            release(slot);
            throw e;
        }
    }

    private void checkShape(long batch, long height, long width) {
        if (!settings.profile().accepts(batch, height, width)) {
            throw new IllegalArgumentException("input " + batch + "x3x" + height + "x" + width
                    + " is outside the engine's profile (" + settings.profile().describe()
                    + "); widen the run's shape profile");
        }
    }

    private ExecutionSlot acquire() throws BackendException {
        synchronized (this) {
            ensureOpen();
            ExecutionSlot slot = idle.poll();
            if (slot != null) {
                busy++;
                return slot;
            }
            if (slots.size() < settings.maxContexts()) {
                try {
                    slot = new ExecutionSlot(engine, ModelArtifact.INPUT_NAME, artifact.outputName(), outputType,
                            settings.cudaGraphs());
                } catch (CudaException e) {
                    throw e.toBackendException();
                }
                slots.add(slot);
                busy++;
                return slot;
            }
        }
        ExecutionSlot slot;
        try {
            slot = idle.poll(SLOT_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for an execution context", e);
        }
        if (slot == null && closed.get()) {
            throw new IllegalStateException("TensorRT session for " + artifact.modelId() + " is closed");
        }
        if (slot == null) {
            throw new IllegalStateException("all " + settings.maxContexts() + " execution contexts stayed busy for "
                    + SLOT_WAIT_SECONDS + " s: close InferenceResults before running again, or raise "
                    + TensorRtSettings.CONTEXTS);
        }
        synchronized (this) {
            if (closed.get()) { // closed while this thread waited: the slot was idle, so close left it to us
                freeSlot(slot);
                freeEngineIfUnused();
                throw new IllegalStateException("TensorRT session for " + artifact.modelId() + " is closed");
            }
            busy++;
        }
        return slot;
    }

    /** Gives a context back after a run: to the idle queue, or, once the session is closed, to the device. */
    private synchronized void release(ExecutionSlot slot) {
        busy--;
        if (closed.get()) {
            freeSlot(slot);
            freeEngineIfUnused();
        } else {
            idle.add(slot);
        }
    }

    private void freeSlot(ExecutionSlot slot) {
        CudaRuntime.useDevice(device); // the releasing thread may never have used this session's device
        slot.close();
        slots.remove(slot);
    }

    /** Contexts before the engine, the engine before the runtime; only when no context is left. */
    private void freeEngineIfUnused() {
        if (busy == 0 && slots.isEmpty() && !engineFreed) {
            engineFreed = true;
            NativeDelete.delete(engine);
            NativeDelete.delete(runtime);
        }
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("TensorRT session for " + artifact.modelId() + " is closed");
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        synchronized (this) {
            for (ExecutionSlot slot = idle.poll(); slot != null; slot = idle.poll()) {
                freeSlot(slot);
            }
            freeEngineIfUnused(); // otherwise the last busy context's release frees it
        }
    }

    @Override
    public String toString() {
        return "TensorRtSession[" + artifact.modelId() + ", " + artifact.precision().id()
                + (artifact.labelsOut() ? ", labels-out" : "") + ", " + settings.profile().describe() + "]";
    }

    /** Output and timings of one run; closing it hands the execution context back to the session. */
    private final class Result implements InferenceResult {
        private final ExecutionSlot.Inference run;
        private final ExecutionSlot slot;
        private final AtomicBoolean resultClosed = new AtomicBoolean();

        Result(ExecutionSlot.Inference run, ExecutionSlot slot) {
            this.run = run;
            this.slot = slot;
        }

        @Override
        public HostTensor output() {
            if (resultClosed.get()) {
                throw new IllegalStateException("result is closed");
            }
            return run.output();
        }

        @Override
        public Optional<DeviceTimings> deviceTimings() {
            return Optional.of(run.timings());
        }

        @Override
        public void close() {
            if (resultClosed.compareAndSet(false, true)) {
                release(slot);
            }
        }

        @Override
        public String toString() {
            return "TensorRT result " + Arrays.toString(run.output().shape());
        }
    }
}
