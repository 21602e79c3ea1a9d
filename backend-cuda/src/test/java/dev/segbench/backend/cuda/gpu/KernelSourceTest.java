package dev.segbench.backend.cuda.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The NVRTC source must define every kernel the GPU lowering launches. Without a GPU, the strongest check here is
 * compiling the same source with nvcc (when a CUDA toolkit is installed) and reading the exported entry points.
 */
class KernelSourceTest {

    @Test
    void everyCastTheLoweringNeedsIsDefined() {
        for (String name : Lowering.kernelNames()) {
            if (name.startsWith("cast_")) {
                assertTrue(KernelModule.source().contains("void " + name + "("), name);
            }
        }
        assertEquals("cast_f32_f16", Lowering.castKernel(dev.segbench.onnx.graph.ElemType.FLOAT32,
                dev.segbench.onnx.graph.ElemType.FLOAT16));
        assertEquals(null, Lowering.castKernel(dev.segbench.onnx.graph.ElemType.FLOAT32,
                dev.segbench.onnx.graph.ElemType.BOOL));
    }

    @Test
    void broadcastStridesZeroTheBroadcastDimensions() {
        long[] out = Lowering.pad4(new long[] {2, 8, 5, 7});
        assertEquals(List.of(8L, 1L, 0L, 0L), boxed(Lowering.broadcastStrides(new long[] {2, 8, 1, 1}, out)));
        assertEquals(List.of(0L, 0L, 0L, 1L), boxed(Lowering.broadcastStrides(new long[] {7}, out)));
        assertEquals(List.of(280L, 35L, 7L, 1L), boxed(Lowering.broadcastStrides(new long[] {2, 8, 5, 7}, out)));
    }

    /** Kernel name to parameter kinds from PTX: .u64 -> L, .u32 -> I, .f32 -> F. */
    private static java.util.Map<String, String> ptxSignatures(List<String> lines) {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        String current = null;
        StringBuilder kinds = new StringBuilder();
        for (String raw : lines) {
            String line = raw.trim();
            if (line.startsWith(".visible .entry ")) {
                current = line.substring(".visible .entry ".length()).replaceAll("\\(.*", "").trim();
                kinds.setLength(0);
            } else if (current != null && line.startsWith(".param ")) {
                kinds.append(line.startsWith(".param .u64") ? 'L' : line.startsWith(".param .u32") ? 'I'
                        : line.startsWith(".param .f32") ? 'F' : '?');
            } else if (current != null && line.startsWith(")")) {
                out.put(current, kinds.toString());
                current = null;
            }
        }
        return out;
    }

    @Test
    void aBadLaunchIsRejectedBeforeTheDriverSeesIt() {
        KernelModule.Dev in = new KernelModule.Dev(0x1000);
        KernelModule.Dev out = new KernelModule.Dev(0x2000);
        KernelModule.checkLaunch("clip_f32", 4, 256, in, out, 1024L, 0f, 6f); // the right kinds pass
        // an int where the kernel reads a long long: the driver would copy 4 bytes and the kernel read 8
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> KernelModule.checkLaunch("clip_f32", 4, 256, in, out, 1024, 0f, 6f));
        assertEquals("kernel clip_f32 takes (PPLFF) but was launched with (PPIFF)", e.getMessage());
        // a device address passed as a plain long, one argument missing, an unknown kernel, an impossible block
        assertThrows(IllegalStateException.class, () -> KernelModule.checkLaunch("clip_f32", 4, 256, 0x1000L, out, 1024L, 0f, 6f));
        assertThrows(IllegalStateException.class, () -> KernelModule.checkLaunch("clip_f32", 4, 256, in, out, 1024L, 0f));
        e = assertThrows(IllegalStateException.class, () -> KernelModule.checkLaunch("clip_f64", 4, 256, in, out, 1024L, 0f, 6f));
        assertEquals("no kernel clip_f64 in kernels.cu", e.getMessage());
        assertThrows(IllegalStateException.class, () -> KernelModule.checkLaunch("clip_f32", 4, 2048, in, out, 1024L, 0f, 6f));
        assertThrows(IllegalStateException.class, () -> KernelModule.checkLaunch("clip_f32", 0, 256, in, out, 1024L, 0f, 6f));
    }

    @Test
    void everyLoweredKernelLaunchPassesTheCheck() throws Exception {
        for (byte[] onnx : java.util.List.of(dev.segbench.onnx.graph.TestGraphs.mobileBlock(1),
                dev.segbench.onnx.graph.TestGraphs.decoder(2), dev.segbench.onnx.graph.TestGraphs.labels(3),
                dev.segbench.onnx.graph.TestGraphs.halfPrecision(4), dev.segbench.onnx.graph.TestGraphs.segmentationHead(5))) {
            var plan = dev.segbench.backend.cuda.plan.ExecutionPlanner.plan(dev.segbench.onnx.graph.ShapeInference.infer(
                    dev.segbench.onnx.graph.OnnxImporter.parse(onnx), new long[] {2, 3, 13, 18}), true);
            long[] next = {1 << 20};
            java.util.Map<String, Long> addresses = new java.util.HashMap<>();
            for (Lowering.Launch l : Lowering.lower(plan, name -> addresses.computeIfAbsent(name, n -> next[0] += 1 << 16), false)) {
                if (l instanceof Lowering.Kernel k) {
                    KernelModule.checkLaunch(k.name(), k.grid(), k.block(), k.args().toArray());
                }
            }
        }
    }

    private static List<Long> boxed(long[] v) {
        return java.util.Arrays.stream(v).boxed().toList();
    }

    @Test
    void nvccCompilesTheKernelSourceWithEveryLaunchedEntryPoint() throws Exception {
        Path nvcc = List.of(Path.of("/usr/local/cuda/bin/nvcc"), Path.of("/usr/local/bin/nvcc"), Path.of("/usr/bin/nvcc"))
                .stream().filter(Files::isExecutable).findFirst().orElse(null);
        assumeTrue(nvcc != null, "no nvcc on this machine: the NVRTC kernel source is not compiled by the tests");
        Path dir = Files.createTempDirectory("segbench-kernels");
        Path src = dir.resolve("kernels.cu");
        Files.writeString(src, KernelModule.source());
        Path ptx = dir.resolve("kernels.ptx");
        List<String> cmd = new ArrayList<>(List.of(nvcc.toString(), "-ptx", "-arch=sm_90", "-std=c++17", "-o", ptx.toString(),
                src.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "nvcc timed out");
        assertEquals(0, p.exitValue(), "nvcc failed:\n" + log);
        java.util.Map<String, String> entries = ptxSignatures(Files.readAllLines(ptx));
        for (String name : Lowering.kernelNames()) {
            assertTrue(entries.containsKey(name), name + " missing from the compiled kernels " + entries.keySet());
        }
        assertEquals(KernelModule.SIGNATURES.keySet(), entries.keySet(), "the signature table lists exactly the compiled kernels");
        KernelModule.SIGNATURES.forEach((name, kinds) -> assertEquals(kinds.replace('P', 'L'), entries.get(name),
                "parameter kinds of " + name + " (P and L are both .u64 in PTX)"));
    }
}
