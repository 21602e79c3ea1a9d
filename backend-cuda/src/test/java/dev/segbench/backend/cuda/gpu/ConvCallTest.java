package dev.segbench.backend.cuda.gpu;

import dev.segbench.api.BackendException;
import dev.segbench.onnx.graph.ConvGeometry;
import dev.segbench.onnx.graph.ElemType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

import static org.bytedeco.cuda.global.cudnn.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Findings 1, 2 and 6 of issue 13 on the CPU: the descriptor arguments the cuDNN stand-in records, the fallback chain
 * driven by faked cuDNN statuses, and descriptor cleanup when a call fails part-way.
 */
class ConvCallTest {

    /** A 3x3 depthwise-free conv, 8 -> 16 channels, stride 2, pad 1, dilation 1, 2 groups, on a 2x8x13x18 input. */
    private static final ConvGeometry G = new ConvGeometry(2, 8, 13, 18, 16, 3, 3, 2, 1, 1, 1, 1, 2, 2, 1, 1, 7, 9);

    private static Lowering.Conv conv(ElemType type, Lowering.CudnnActivation act, double coef, boolean bias, boolean residual) {
        return new Lowering.Conv(3, List.of("conv_3", "relu_3"), G, type, 0x10000, 0x20000, bias ? 0x30000 : 0,
                residual ? 0x40000 : 0, 0x50000, act, coef);
    }

    private static final ConvCall.Options OPTIONS = new ConvCall.Options(true, false, 256L << 20);

    private final List<Long> reserved = new ArrayList<>();
    private final ConvCall.Workspace workspace = bytes -> {
        reserved.add(bytes);
        return 0x90000;
    };
    private final ConvCall.ZeroBias zeroBias = bytes -> 0xA0000;

    private ConvCall prepare(FakeCudnn cudnn, Lowering.Conv c) throws BackendException {
        return ConvCall.prepare(cudnn, c, OPTIONS, new HashMap<>(), workspace, zeroBias);
    }

    @Test
    void descriptorsDescribeTheConvolutionAndDoNotPropagateNan() throws Exception {
        FakeCudnn cudnn = new FakeCudnn();
        try (ConvCall call = prepare(cudnn, conv(ElemType.FLOAT32, Lowering.CudnnActivation.RELU, 0, true, false))) {
            List<FakeCudnn.Call> tensors = cudnn.calls("cudnnSetTensor4dDescriptor");
            assertEquals(List.of(CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 2, 8, 13, 18), tensors.get(0).args().subList(1, 7), "x");
            assertEquals(List.of(CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 2, 16, 7, 9), tensors.get(1).args().subList(1, 7), "y");
            assertEquals(List.of(CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 1, 16, 1, 1), tensors.get(2).args().subList(1, 7), "bias");
            assertEquals(List.of(CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, 16, 4, 3, 3),
                    cudnn.calls("cudnnSetFilter4dDescriptor").getFirst().args().subList(1, 7), "filter: K, C / groups, kH, kW");
            assertEquals(List.of(1, 1, 2, 2, 1, 1, CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT),
                    cudnn.calls("cudnnSetConvolution2dDescriptor").getFirst().args().subList(1, 9),
                    "pads, strides, dilations; ONNX Conv is a cross-correlation; FP32 accumulation");
            assertEquals(2, cudnn.calls("cudnnSetConvolutionGroupCount").getFirst().args().get(1));
            assertEquals(List.of(CUDNN_ACTIVATION_RELU, CUDNN_NOT_PROPAGATE_NAN, 0.0),
                    cudnn.calls("cudnnSetActivationDescriptor").getFirst().args().subList(1, 4),
                    "finding 1: the fused call gets NOT_PROPAGATE_NAN");
            assertTrue(cudnn.calls("cudnnSetConvolutionMathType").stream().allMatch(c -> c.args().get(1).equals(CUDNN_FMA_MATH)),
                    "strict FP32: FMA math for the search and every trial");
            assertEquals(ConvCall.Mode.FUSED, call.choice().mode());
            assertEquals(CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED, call.choice().algo(), "the first ranked algorithm cuDNN accepts");
        }
        assertTrue(cudnn.live.isEmpty(), "closing the call destroys all six descriptors");
        assertTrue(cudnn.problems.isEmpty(), cudnn.problems.toString());
    }

    @Test
    void fp16ComputesWithTensorCoresOnHalfDataAndClippedReluCarriesItsCeiling() throws Exception {
        FakeCudnn cudnn = new FakeCudnn();
        cudnn.ranking = List.of(new Cudnn.AlgoPerf(CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM, 0, 0.1f, 0, CUDNN_TENSOR_OP_MATH));
        try (ConvCall call = prepare(cudnn, conv(ElemType.FLOAT16, Lowering.CudnnActivation.CLIPPED_RELU, 6.0, true, true))) {
            assertEquals(CUDNN_DATA_HALF, cudnn.calls("cudnnSetTensor4dDescriptor").getFirst().args().get(2));
            assertEquals(CUDNN_DATA_FLOAT, cudnn.calls("cudnnSetConvolution2dDescriptor").getFirst().args().get(8),
                    "half data, FP32 accumulation");
            assertEquals(List.of(CUDNN_ACTIVATION_CLIPPED_RELU, CUDNN_NOT_PROPAGATE_NAN, 6.0),
                    cudnn.calls("cudnnSetActivationDescriptor").getFirst().args().subList(1, 4));
            assertEquals(CUDNN_TENSOR_OP_MATH, call.choice().mathType());
            FakeCudnn.Call fused = cudnn.calls("cudnnConvolutionBiasActivationForward").getFirst();
            assertEquals(List.of(1f, 0x40000L, 0x30000L, 0x50000L), fused.args().subList(1, 5), "alpha2 = 1 adds the residual z");
        }
    }

    @Test
    void aFusedCallRefusedForTheRankedAlgorithmsFallsBackToImplicitPrecompGemm() throws Exception {
        FakeCudnn cudnn = new FakeCudnn();
        cudnn.fusedStatus = algo -> algo == CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM ? CUDNN_STATUS_SUCCESS
                : CUDNN_STATUS_NOT_SUPPORTED_SHAPE; // a cuDNN 9 sub-code of NOT_SUPPORTED
        try (ConvCall call = prepare(cudnn, conv(ElemType.FLOAT32, Lowering.CudnnActivation.RELU, 0, true, false))) {
            assertEquals(ConvCall.Mode.FUSED, call.choice().mode());
            assertEquals(CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM, call.choice().algo());
            assertEquals(List.of(CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM,
                            CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM),
                    cudnn.calls("cudnnConvolutionBiasActivationForward").stream().map(c -> c.args().getFirst()).toList(),
                    "each ranked algorithm is tried with the fused call, in rank order");
            assertEquals(2, cudnn.clearedCudaErrors, "each refusal clears the CUDA last error");
            assertTrue(call.choice().tried().contains("fused algo " + CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED), call.describe());
            assertEquals(1, call.launches());
        }
    }

    @Test
    void whenEveryFusedCallIsRefusedTheUnfusedSequenceRuns() throws Exception {
        FakeCudnn cudnn = new FakeCudnn();
        cudnn.fusedStatus = algo -> CUDNN_STATUS_NOT_SUPPORTED;
        try (ConvCall call = prepare(cudnn, conv(ElemType.FLOAT32, Lowering.CudnnActivation.RELU, 0, true, true))) {
            assertEquals(ConvCall.Mode.UNFUSED, call.choice().mode());
            assertEquals(CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED, call.choice().algo(), "the best-ranked plain convolution");
            assertEquals(4, call.launches(), "residual copy, convolution, bias, activation");
            cudnn.calls.clear();
            call.enqueue(cudnn, 0x90000, 1 << 20);
            assertEquals(List.of("cudnnAddTensor", "cudnnConvolutionForward", "cudnnAddTensor", "cudnnActivationForward"),
                    cudnn.calls.stream().map(FakeCudnn.Call::name).toList());
            assertEquals(List.of(1f, 0x40000L, 0f, 0x50000L), cudnn.calls.get(0).args(), "y = z");
            assertEquals(1f, cudnn.calls.get(1).args().get(1), "y = conv(x) + y");
            assertEquals(List.of(1f, 0x30000L, 1f, 0x50000L), cudnn.calls.get(2).args(), "y += bias");
        }
    }

    @Test
    void identityIsFusedOnlyWithImplicitPrecompGemm() throws Exception {
        FakeCudnn cudnn = new FakeCudnn();
        try (ConvCall call = prepare(cudnn, conv(ElemType.FLOAT32, Lowering.CudnnActivation.IDENTITY, 0, false, false))) {
            assertEquals(List.of(CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM),
                    cudnn.calls("cudnnConvolutionBiasActivationForward").stream().map(c -> c.args().getFirst()).toList(),
                    "cuDNN documents IMPLICIT_PRECOMP_GEMM as the only algorithm for the fused call with IDENTITY");
            assertEquals(ConvCall.Mode.FUSED, call.choice().mode());
            assertEquals(0xA0000L, cudnn.calls("cudnnConvolutionBiasActivationForward").getFirst().args().get(3),
                    "without a bias the fused call adds a zero bias");
        }
    }

    @Test
    void aFailureOtherThanNotSupportedIsAnErrorAndLeavesNoDescriptor() {
        FakeCudnn cudnn = new FakeCudnn();
        cudnn.fusedStatus = algo -> CUDNN_STATUS_EXECUTION_FAILED;
        CudnnException e = assertThrows(CudnnException.class,
                () -> prepare(cudnn, conv(ElemType.FLOAT32, Lowering.CudnnActivation.RELU, 0, true, false)));
        assertTrue(e.getMessage().startsWith("cudnnConvolutionBiasActivationForward [conv_3, relu_3] (trying fused algo "),
                e.getMessage());
        assertEquals(1, cudnn.calls("cudnnConvolutionBiasActivationForward").size(), "no further algorithm is tried");
        assertTrue(cudnn.live.isEmpty(), "descriptors destroyed: " + cudnn.live);
    }

    @Test
    void nothingAcceptedIsAnUnsupportedOperationNamingWhatWasTried() {
        FakeCudnn cudnn = new FakeCudnn();
        cudnn.fusedStatus = algo -> CUDNN_STATUS_NOT_SUPPORTED;
        cudnn.convolutionStatus = algo -> CUDNN_STATUS_NOT_SUPPORTED_LAYOUT;
        BackendException e = assertThrows(BackendException.class,
                () -> prepare(cudnn, conv(ElemType.FLOAT32, Lowering.CudnnActivation.RELU, 0, true, false)));
        assertEquals(BackendException.Code.UNSUPPORTED_OP, e.code());
        assertTrue(e.getMessage().startsWith("cuDNN runs no algorithm for the convolution [conv_3, relu_3]"), e.getMessage());
        assertTrue(e.getMessage().contains("unfused algo " + CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM), e.getMessage());
        assertTrue(cudnn.live.isEmpty(), "descriptors destroyed: " + cudnn.live);
    }

    @Test
    void algorithmsOverTheWorkspaceLimitAreNotTried() throws Exception {
        FakeCudnn cudnn = new FakeCudnn();
        cudnn.ranking = List.of(new Cudnn.AlgoPerf(CUDNN_CONVOLUTION_FWD_ALGO_FFT, 0, 0.1f, 1L << 40, CUDNN_FMA_MATH),
                new Cudnn.AlgoPerf(CUDNN_CONVOLUTION_FWD_ALGO_GEMM, 0, 0.2f, 2048, CUDNN_FMA_MATH));
        try (ConvCall call = prepare(cudnn, conv(ElemType.FLOAT32, Lowering.CudnnActivation.RELU, 0, true, false))) {
            assertEquals(CUDNN_CONVOLUTION_FWD_ALGO_GEMM, call.choice().algo());
            assertTrue(reserved.stream().allMatch(b -> b <= OPTIONS.workspaceLimit()), reserved.toString());
            assertTrue(reserved.contains(2048L), "the chosen algorithm's workspace is reserved");
        }
    }

    @Test
    void aSecondPreparationOfTheSameProblemReusesTheChoiceWithoutSearching() throws Exception {
        FakeCudnn cudnn = new FakeCudnn();
        Map<ConvCall.Key, ConvCall.Choice> cache = new HashMap<>();
        Lowering.Conv c = conv(ElemType.FLOAT32, Lowering.CudnnActivation.RELU, 0, true, false);
        try (ConvCall first = ConvCall.prepare(cudnn, c, OPTIONS, cache, workspace, zeroBias)) {
            assertFalse(first.fromCache());
        }
        cudnn.calls.clear();
        try (ConvCall second = ConvCall.prepare(cudnn, c, OPTIONS, cache, workspace, zeroBias)) {
            assertTrue(second.fromCache());
            assertTrue(cudnn.calls("cudnnFindConvolutionForwardAlgorithm").isEmpty(), "no search");
            assertTrue(cudnn.calls("cudnnConvolutionBiasActivationForward").isEmpty(), "no trial");
            assertEquals(CUDNN_FMA_MATH, cudnn.calls("cudnnSetConvolutionMathType").getLast().args().get(1),
                    "the cached math type is set on the new descriptor");
        }
    }

    /** Finding 6 of issue 13: whichever set call throws, every descriptor created so far is destroyed. */
    @Test
    void aFailingSetCallLeavesNoDescriptorBehind() {
        for (String failing : List.of("cudnnSetTensor4dDescriptor", "cudnnSetFilter4dDescriptor",
                "cudnnSetConvolution2dDescriptor", "cudnnSetConvolutionGroupCount", "cudnnSetConvolutionMathType",
                "cudnnSetActivationDescriptor")) {
            FakeCudnn cudnn = new FakeCudnn();
            cudnn.failingSetCall = failing;
            CudnnException e = assertThrows(CudnnException.class,
                    () -> prepare(cudnn, conv(ElemType.FLOAT32, Lowering.CudnnActivation.RELU, 0, true, false)));
            assertTrue(e.getMessage().startsWith(failing), e.getMessage());
            assertEquals(6, cudnn.calls.stream().filter(c -> c.name().startsWith("create ")).count());
            assertTrue(cudnn.live.isEmpty(), failing + ": left " + cudnn.live);
            assertTrue(cudnn.problems.isEmpty(), cudnn.problems.toString());
        }
    }

    @Test
    void aFailingCreateDestroysTheDescriptorsCreatedBeforeIt() {
        FakeCudnn cudnn = new FakeCudnn();
        cudnn.failingCreate = "Activation"; // the sixth and last
        assertThrows(CudnnException.class, () -> prepare(cudnn, conv(ElemType.FLOAT32, Lowering.CudnnActivation.RELU, 0, true, false)));
        assertEquals(5, cudnn.calls.stream().filter(c -> c.name().startsWith("destroy ")).count());
        assertTrue(cudnn.live.isEmpty());
    }
}
