package dev.segbench.backend.tensorrt;

import dev.segbench.api.DeviceTimings;
import dev.segbench.api.BackendException;
import dev.segbench.api.DType;
import dev.segbench.api.HostTensor;
import dev.segbench.cuda.CudaException;
import dev.segbench.cuda.CudaGraph;
import dev.segbench.cuda.CudaStream;
import dev.segbench.cuda.DeviceBuffer;
import dev.segbench.cuda.PhaseTimer;
import dev.segbench.cuda.PinnedBuffer;
import org.bytedeco.tensorrt.nvinfer.Dims64;
import org.bytedeco.tensorrt.nvinfer.ICudaEngine;
import org.bytedeco.tensorrt.nvinfer.IExecutionContext;

import java.lang.System.Logger.Level;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static org.bytedeco.tensorrt.global.nvinfer.ExecutionContextAllocationStrategy;

/**
 * One execution context with its own CUDA stream, events and buffers: one batch in flight. A session owns
 * several, so concurrent {@code run} calls overlap copies and compute on the GPU.
 *
 * <p>The context's scratch ("activation") memory is user-managed and sized for the current input shape
 * (updateDeviceMemorySizeForShapes), so small shapes do not pay for the profile's maximum, and the memory is
 * freed by us even if the TensorRT object itself could not be deleted.
 */
final class ExecutionSlot implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ExecutionSlot.class.getName());

    private final IExecutionContext context;
    private final String inputName;
    private final String outputName;
    private final DType outputType;
    private final boolean useGraphs;
    private final CudaStream stream = CudaStream.create();
    private final PhaseTimer timer = createTimerOrCloseStream(stream);
    private DeviceBuffer input;
    private DeviceBuffer output;
    private DeviceBuffer scratch;
    private PinnedBuffer hostOutput;
    private long[] currentShape;
    private long[] currentOutputShape;
    /**
     * The captured graph of the current input shape. Only one: a graph replays the context's state at capture
     * time, and TensorRT documents a capture as valid only for the input shapes it was made with (setInputShape
     * may update per-shape state that an older graph would not see), so switching shapes drops it. Fixed-shape passes replay it.
     */
    private CudaGraph graph;
    /** The current shape ran once eagerly: TensorRT wants one plain enqueueV3 before a capture. */
    private boolean warm;
    /** A capture failed: this slot runs eagerly from then on, as trtexec falls back with a warning. */
    private boolean captureFailed;

    ExecutionSlot(ICudaEngine engine, String inputName, String outputName, DType outputType, boolean useGraphs)
            throws BackendException {
        this.inputName = inputName;
        this.outputName = outputName;
        this.outputType = outputType;
        this.useGraphs = useGraphs;
        int mark = TrtLogger.INSTANCE.mark();
        IExecutionContext ctx = engine.createExecutionContext(ExecutionContextAllocationStrategy.kUSER_MANAGED);
        if (ctx == null || ctx.isNull()) {
            closeCudaObjects();
            throw new BackendException(BackendException.Code.OUT_OF_MEMORY, "createExecutionContext returned null"
                    + EngineBuilder.detail(TrtLogger.INSTANCE.errorsSince(mark)));
        }
        this.context = ctx;
    }

    /** Runs one batch synchronously and returns the output (in this slot's pinned memory) with device timings. */
    Inference run(HostTensor in) throws BackendException {
        long[] shape = in.shape();
        if (!Arrays.equals(shape, currentShape)) {
            dropGraph();
            setShape(shape);
        }
        long inBytes = in.byteSize();
        long outBytes = HostTensor.elementCount(currentOutputShape) * outputType.byteSize();
        boolean moved = ensureBuffers(inBytes, outBytes);
        if (moved) {
            bindAddresses();
        }

        timer.start(stream);
        input.copyFromHost(in.data(), inBytes, stream);
        timer.afterCopyIn(stream);
        if (useGraphs && !captureFailed) {
            if (graph == null && warm) {
                graph = tryCapture();
            }
            if (graph != null) {
                graph.launch(stream);
            } else {
                enqueue();
                warm = true;
            }
        } else {
            enqueue();
        }
        timer.afterCompute(stream);
        output.copyToHost(hostOutput.segment(), outBytes, stream);
        timer.end(stream);
        DeviceTimings timings = timer.waitAndRead();
        MemorySegment out = hostOutput.segment().asSlice(0, outBytes);
        return new Inference(new HostTensor(outputType, currentOutputShape, out), timings);
    }

    record Inference(HostTensor output, DeviceTimings timings) {
    }

    /** Device memory this context holds: its scratch memory and its input and output buffers. */
    long deviceBytes() {
        long bytes = 0;
        for (DeviceBuffer b : new DeviceBuffer[] {scratch, input, output}) {
            bytes += b == null || b.isClosed() ? 0 : b.byteSize();
        }
        return bytes;
    }

    private static PhaseTimer createTimerOrCloseStream(CudaStream stream) {
        try {
            return PhaseTimer.create();
        } catch (RuntimeException | Error e) {
            stream.close();
            throw e;
        }
    }

    /** Whether runs of the current shape replay a captured CUDA graph (diagnostics and tests). */
    boolean replaysGraph() {
        return graph != null;
    }

    private void setShape(long[] shape) throws BackendException {
        currentShape = null; // if anything below fails, the context's shape is unknown: the next run sets it again
        int mark = TrtLogger.INSTANCE.mark();
        try (Dims64 dims = EngineBuilder.dims(shape)) {
            if (!context.setInputShape(inputName, dims)) {
                throw new BackendException(BackendException.Code.RUNTIME_ERROR, "TensorRT rejected input shape "
                        + Arrays.toString(shape) + EngineBuilder.detail(TrtLogger.INSTANCE.errorsSince(mark)));
            }
        }
        Dims64 out = context.getTensorShape(outputName);
        long[] outShape = new long[out.nbDims()];
        for (int i = 0; i < outShape.length; i++) {
            outShape[i] = out.d(i);
            if (outShape[i] < 0) {
                throw new BackendException(BackendException.Code.RUNTIME_ERROR, "output shape still unknown after "
                        + "setting input " + Arrays.toString(shape));
            }
        }
        long need = context.updateDeviceMemorySizeForShapes();
        if (scratch == null || scratch.byteSize() < need) {
            if (scratch != null) {
                scratch.close();
            }
            scratch = DeviceBuffer.allocate(roundUp(need));
        }
        // Re-bound after every shape change, not only after a reallocation: cheap, and it does not rely on the
        // context keeping the binding across updateDeviceMemorySizeForShapes.
        context.setDeviceMemoryV2(scratch.pointer(), scratch.byteSize());
        currentShape = shape;
        currentOutputShape = outShape;
    }

    /** Grows buffers when needed; true when an address changed (the captured graph is then stale). */
    private boolean ensureBuffers(long inBytes, long outBytes) {
        boolean moved = false;
        if (input == null || input.byteSize() < inBytes) {
            input = replace(input, inBytes);
            moved = true;
        }
        if (output == null || output.byteSize() < outBytes) {
            output = replace(output, outBytes);
            if (hostOutput != null) {
                hostOutput.close();
            }
            hostOutput = PinnedBuffer.allocate(output.byteSize());
            moved = true;
        }
        if (moved) {
            dropGraph();
        }
        return moved;
    }

    private static DeviceBuffer replace(DeviceBuffer old, long bytes) {
        if (old != null) {
            old.close();
        }
        return DeviceBuffer.allocate(roundUp(bytes));
    }

    /** 1 MiB granularity, so slowly growing VOC shapes do not reallocate on every image. */
    static long roundUp(long bytes) {
        long mib = 1L << 20;
        return Math.max(mib, (bytes + mib - 1) / mib * mib);
    }

    private void bindAddresses() throws BackendException {
        int mark = TrtLogger.INSTANCE.mark();
        if (!context.setTensorAddress(inputName, input.pointer()) || !context.setTensorAddress(outputName, output.pointer())) {
            throw new BackendException(BackendException.Code.RUNTIME_ERROR, "setTensorAddress failed"
                    + EngineBuilder.detail(TrtLogger.INSTANCE.errorsSince(mark)));
        }
    }

    private void enqueue() throws BackendException {
        int mark = TrtLogger.INSTANCE.mark();
        if (!context.enqueueV3(stream.handle())) {
            throw new BackendException(BackendException.Code.RUNTIME_ERROR, "enqueueV3 failed"
                    + EngineBuilder.detail(TrtLogger.INSTANCE.errorsSince(mark)));
        }
    }

    /** Captures one enqueueV3; on failure logs why and returns null (the caller then enqueues eagerly). */
    private CudaGraph tryCapture() {
        int mark = TrtLogger.INSTANCE.mark();
        try {
            return stream.capture(() -> {
                if (!context.enqueueV3(stream.handle())) {
                    throw new IllegalStateException("enqueueV3 under capture failed"
                            + EngineBuilder.detail(TrtLogger.INSTANCE.errorsSince(mark)));
                }
            });
        } catch (IllegalStateException | CudaException e) {
            captureFailed = true;
            LOG.log(Level.WARNING, "CUDA graph capture of the TensorRT engine failed, running without graphs: {0}",
                    e.getMessage());
            return null;
        }
    }

    private void dropGraph() {
        if (graph != null) {
            graph.close();
            graph = null;
        }
        warm = false;
    }

    private void closeCudaObjects() {
        timer.close();
        stream.close();
    }

    @Override
    public void close() {
        dropGraph();
        if (context != null) {
            NativeDelete.delete(context);
        }
        for (AutoCloseable c : new AutoCloseable[] {scratch, input, output, hostOutput}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // close of cuda-common objects never throws; this only satisfies AutoCloseable's signature
                }
            }
        }
        closeCudaObjects();
    }
}
