package dev.segbench.backend.tensorrt;

import dev.segbench.api.BackendException;
import dev.segbench.api.DType;
import dev.segbench.api.HostTensor;
import dev.segbench.api.InferenceResult.DeviceTimings;
import dev.segbench.cuda.CudaEvent;
import dev.segbench.cuda.CudaGraph;
import dev.segbench.cuda.CudaStream;
import dev.segbench.cuda.DeviceBuffer;
import dev.segbench.cuda.PinnedBuffer;
import org.bytedeco.tensorrt.nvinfer.Dims64;
import org.bytedeco.tensorrt.nvinfer.ICudaEngine;
import org.bytedeco.tensorrt.nvinfer.IExecutionContext;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

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

    /** Captured graphs kept per slot (one per input shape); VOC images vary in size, so this stays bounded. */
    static final int MAX_GRAPHS = 8;

    private final IExecutionContext context;
    private final String inputName;
    private final String outputName;
    private final DType outputType;
    private final boolean useGraphs;
    private final CudaStream stream = CudaStream.create();
    private final CudaEvent start = CudaEvent.create();
    private final CudaEvent afterCopyIn = CudaEvent.create();
    private final CudaEvent afterCompute = CudaEvent.create();
    private final CudaEvent afterCopyOut = CudaEvent.create();
    private DeviceBuffer input;
    private DeviceBuffer output;
    private DeviceBuffer scratch;
    private PinnedBuffer hostOutput;
    private long[] currentShape;
    private long[] currentOutputShape;
    /** Shapes run once since the last reallocation: TensorRT wants one plain enqueue before capturing. */
    private final java.util.Set<String> warmShapes = new java.util.HashSet<>();
    private final Map<String, CudaGraph> graphs = new LinkedHashMap<>(16, 0.75f, true);

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
    Run run(HostTensor in) throws BackendException {
        long[] shape = in.shape();
        String key = Arrays.toString(shape);
        if (!Arrays.equals(shape, currentShape)) {
            setShape(shape);
        }
        long inBytes = in.byteSize();
        long outBytes = HostTensor.elementCount(currentOutputShape) * outputType.byteSize();
        boolean moved = ensureBuffers(inBytes, outBytes);
        if (moved) {
            bindAddresses();
        }

        start.record(stream);
        input.copyFromHost(in.data(), inBytes, stream);
        afterCopyIn.record(stream);
        if (useGraphs) {
            CudaGraph graph = graphs.get(key);
            if (graph == null && warmShapes.contains(key)) {
                graph = stream.capture(this::enqueueUnchecked);
                graphs.put(key, graph);
                evictOldGraphs();
            }
            if (graph != null) {
                graph.launch(stream);
            } else {
                enqueue();
                warmShapes.add(key);
            }
        } else {
            enqueue();
        }
        afterCompute.record(stream);
        output.copyToHost(hostOutput.segment(), outBytes, stream);
        afterCopyOut.record(stream);
        afterCopyOut.synchronize();
        DeviceTimings timings = new DeviceTimings(afterCopyIn.millisSince(start), afterCompute.millisSince(afterCopyIn),
                afterCopyOut.millisSince(afterCompute));
        MemorySegment out = hostOutput.segment().asSlice(0, outBytes);
        return new Run(new HostTensor(outputType, currentOutputShape, out), timings);
    }

    record Run(HostTensor output, DeviceTimings timings) {
    }

    private void setShape(long[] shape) throws BackendException {
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
            closeGraphs();
            if (scratch != null) {
                scratch.close();
            }
            scratch = DeviceBuffer.allocate(roundUp(need));
            context.setDeviceMemoryV2(scratch.pointer(), scratch.byteSize());
        }
        currentShape = shape;
        currentOutputShape = outShape;
    }

    /** Grows buffers when needed; true when an address changed (graphs are then stale). */
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
            closeGraphs();
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

    private void enqueueUnchecked() {
        try {
            enqueue();
        } catch (BackendException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private void evictOldGraphs() {
        while (graphs.size() > MAX_GRAPHS) {
            var eldest = graphs.entrySet().iterator().next();
            eldest.getValue().close();
            graphs.remove(eldest.getKey());
        }
    }

    private void closeGraphs() {
        graphs.values().forEach(CudaGraph::close);
        graphs.clear();
        warmShapes.clear();
    }

    private void closeCudaObjects() {
        for (AutoCloseable c : new AutoCloseable[] {afterCopyOut, afterCompute, afterCopyIn, start, stream}) {
            try {
                c.close();
            } catch (Exception ignored) {
                // close of cuda-common objects never throws; this only satisfies AutoCloseable's signature
            }
        }
    }

    @Override
    public void close() {
        closeGraphs();
        if (context != null) {
            NativeDelete.delete(context);
        }
        for (AutoCloseable c : new AutoCloseable[] {scratch, input, output, hostOutput}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // see closeCudaObjects
                }
            }
        }
        closeCudaObjects();
    }
}
