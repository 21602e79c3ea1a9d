package dev.segbench.cuda;

import org.bytedeco.cuda.cudart.CUgraphExec_st;
import org.bytedeco.cuda.cudart.CUgraph_st;

import static org.bytedeco.cuda.global.cudart.*;

/**
 * An instantiated CUDA graph (made with {@link CudaStream#capture(Runnable)}): relaunching replays the captured
 * kernels and copies with one launch call, which removes per-kernel launch overhead for small batches. It
 * replays the same device addresses and shapes that were captured.
 */
public final class CudaGraph extends NativeResource {

    private final CUgraphExec_st exec;

    private CudaGraph(CUgraphExec_st exec) {
        super("CudaGraph");
        this.exec = exec;
    }

    /** Instantiates {@code graph} and destroys it (the executable graph is an independent copy). */
    static CudaGraph instantiate(CUgraph_st graph) {
        CUgraphExec_st exec = new CUgraphExec_st();
        try {
            CudaRuntime.check(cudaGraphInstantiate(exec, graph, 0L), "cudaGraphInstantiate");
        } finally {
            cudaGraphDestroy(graph);
        }
        return new CudaGraph(exec);
    }

    /** cudaGraphLaunch on {@code stream}. */
    public void launch(CudaStream stream) {
        ensureOpen();
        CudaRuntime.check(cudaGraphLaunch(exec, stream.handle()), "cudaGraphLaunch");
    }

    @Override
    int release() {
        return cudaGraphExecDestroy(exec);
    }

    @Override
    String releaseCall() {
        return "cudaGraphExecDestroy";
    }
}
