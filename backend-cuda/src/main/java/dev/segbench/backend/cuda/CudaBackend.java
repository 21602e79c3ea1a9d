package dev.segbench.backend.cuda;

import dev.segbench.api.Availability;
import dev.segbench.api.Backend;
import dev.segbench.api.BackendException;
import dev.segbench.api.BackendException.Code;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.LazyAvailability;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelException;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.SessionOptions;
import dev.segbench.backend.cuda.gpu.GpuSettings;
import dev.segbench.cuda.CudaRuntime;
import dev.segbench.cuda.NativeLibraryLocator;
import dev.segbench.cuda.NvidiaDriver;
import java.util.Set;

/**
 * Native CUDA backend: the ONNX graph is planned in Java (shape folding, Conv+bias+activation+residual fusion,
 * liveness-based memory reuse) and executed with cuDNN convolutions and NVRTC-compiled kernels, replayed from a CUDA
 * graph per input shape. Needs the NVIDIA driver, the CUDA 13 runtime, cuDNN 9 and NVRTC; no TensorRT.
 */
public final class CudaBackend implements Backend {

    private final LazyAvailability availability = new LazyAvailability(() -> CudaProbeCheck.availability(CudaRuntime.probe(),
            NativeLibraryLocator.system(), CudaProbeCheck::nativeVersions, NvidiaDriver.installedVersion()));

    @Override
    public String id() {
        return "cuda";
    }

    @Override
    public String description() {
        return "native CUDA: cuDNN convolutions + NVRTC kernels, fused and replayed as a CUDA graph (FP32/FP16)";
    }

    @Override
    public int rank() {
        return 200;
    }

    @Override
    public java.util.List<String> propertyKeys() {
        return dev.segbench.backend.cuda.gpu.GpuSettings.KEYS;
    }

    @Override
    public Availability availability() {
        return availability.get();
    }

    @Override
    public Set<Precision> precisions() {
        return Set.of(Precision.FP32, Precision.FP16);
    }

    @Override
    public InferenceSession open(ModelSource model, SessionOptions options) throws BackendException {
        availability.require();
        GpuSettings settings = GpuSettings.from(options);
        ModelArtifact artifact;
        try {
            artifact = model.artifact(options.precision(), options.labelsOut());
        } catch (ModelException e) {
            throw new BackendException(Code.MODEL_INVALID, "cannot build the " + options.precision().id()
                    + (options.labelsOut() ? " labels-out" : "") + " graph of " + model.info().id() + ": " + e.getMessage(), e);
        }
        return CudaSession.open(artifact, settings);
    }
}
