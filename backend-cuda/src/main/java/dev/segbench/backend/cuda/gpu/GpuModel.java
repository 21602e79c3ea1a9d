package dev.segbench.backend.cuda.gpu;

import dev.segbench.api.BackendException;
import dev.segbench.onnx.graph.Constant;
import dev.segbench.onnx.graph.ElemType;
import dev.segbench.cuda.CudaDevice;
import dev.segbench.cuda.CudaRuntime;
import dev.segbench.cuda.CudaStream;
import dev.segbench.cuda.DeviceBuffer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Device state shared by all shapes of one session: the stream, the cuDNN handle, the NVRTC kernels, the uploaded
 * constants (weights), and the cuDNN choices per convolution problem. The choices are shared by every session on the
 * same device with the same search settings, like the compiled kernels ({@link KernelModule}), so a second session
 * of a model skips the algorithm search.
 */
public final class GpuModel implements AutoCloseable {

    /** Which choices can be shared: same device, same search settings. */
    private record ChoiceScope(int ordinal, String deviceName, ConvCall.Options options) {
    }

    private static final ConcurrentMap<ChoiceScope, Map<ConvCall.Key, ConvCall.Choice>> CHOICES = new ConcurrentHashMap<>();

    final int ordinal;
    final CudaDevice device;
    final GpuSettings settings;
    final CudaStream stream;
    final JavaCppCudnn cudnn;
    final KernelModule kernels;
    final ConvCall.Options convOptions;
    final Map<ConvCall.Key, ConvCall.Choice> choices;
    private final Map<Constant, DeviceBuffer> constants = new IdentityHashMap<>();
    private final List<DeviceBuffer> zeroBiases = new ArrayList<>();
    private boolean closed;

    private GpuModel(int ordinal, CudaDevice device, GpuSettings settings, CudaStream stream, JavaCppCudnn cudnn,
                     KernelModule kernels) {
        this.ordinal = ordinal;
        this.device = device;
        this.settings = settings;
        this.stream = stream;
        this.cudnn = cudnn;
        this.kernels = kernels;
        this.convOptions = new ConvCall.Options(settings.findAlgorithms(), settings.tf32(), settings.workspaceBytes());
        this.choices = CHOICES.computeIfAbsent(new ChoiceScope(ordinal, device.name(), convOptions),
                k -> new ConcurrentHashMap<>());
    }

    public static GpuModel open(int ordinal, GpuSettings settings) throws BackendException {
        CudaRuntime.useDevice(ordinal);
        CudaDevice device = CudaRuntime.device(ordinal);
        KernelModule kernels = KernelModule.load(device);
        CudaStream stream = null;
        try {
            stream = CudaStream.create();
            return new GpuModel(ordinal, device, settings, stream, JavaCppCudnn.create(stream), kernels);
        } catch (RuntimeException e) {
            kernels.close();
            if (stream != null) {
                stream.close();
            }
            throw e;
        }
    }

    /** NVRTC's compile time for this model's kernels; empty when the CUBIN came from an earlier session. */
    public java.util.OptionalDouble kernelCompileSeconds() {
        return kernels.compileSeconds();
    }

    /** Device memory of the uploaded constants and zero biases. */
    long deviceBytes() {
        return constants.values().stream().mapToLong(DeviceBuffer::byteSize).sum()
                + zeroBiases.stream().mapToLong(DeviceBuffer::byteSize).sum();
    }

    /** The constant on the device in its own element type (uploaded once per session). */
    DeviceBuffer constant(Constant c) {
        DeviceBuffer b = constants.get(c);
        if (b == null) {
            b = upload(c);
            constants.put(c, b);
        }
        return b;
    }

    private DeviceBuffer upload(Constant c) {
        int n = Math.toIntExact(c.elementCount());
        long bytes = (long) n * c.type().byteSize();
        DeviceBuffer buffer = DeviceBuffer.allocate(bytes);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(Math.max(1, bytes), 64);
            ByteOrder le = ByteOrder.LITTLE_ENDIAN;
            switch (c.type()) {
                case FLOAT32 -> {
                    float[] f = c.asFloats();
                    for (int i = 0; i < n; i++) {
                        host.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(le), i, f[i]);
                    }
                }
                case FLOAT16 -> {
                    float[] f = c.asFloats();
                    for (int i = 0; i < n; i++) {
                        host.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(le), i, Float.floatToFloat16(f[i]));
                    }
                }
                case INT64 -> {
                    long[] l = c.asLongs();
                    for (int i = 0; i < n; i++) {
                        host.setAtIndex(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(le), i, l[i]);
                    }
                }
                case UINT8 -> {
                    long[] l = c.asLongs();
                    for (int i = 0; i < n; i++) {
                        host.set(ValueLayout.JAVA_BYTE, i, (byte) l[i]);
                    }
                }
                default -> throw new IllegalStateException("constants of type " + c.type() + " are not used on the device");
            }
            buffer.copyFromHost(host, bytes, stream);
            stream.synchronize(); // the host staging segment dies with the arena
        }
        return buffer;
    }

    /** A zero bias of at least {@code bytes} (cudnnConvolutionBiasActivationForward always adds a bias). */
    DeviceBuffer zeroBias(long bytes) {
        for (DeviceBuffer b : zeroBiases) {
            if (b.byteSize() >= bytes) {
                return b;
            }
        }
        DeviceBuffer b = DeviceBuffer.allocate(bytes);
        b.fill(0, bytes, stream);
        zeroBiases.add(b);
        return b;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        constants.values().forEach(DeviceBuffer::close);
        zeroBiases.forEach(DeviceBuffer::close);
        cudnn.close();
        kernels.close();
        stream.close();
    }
}
