package dev.segbench.backend.tensorrt;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the GPU test classes without Maven, for a lent GPU machine that only has a JRE (see gpu-check.sh).
 * Prints one line per test (with the skip reason), then the summary; exits 1 on any failure, 0 otherwise.
 * Arguments: test class names (default: the cuda-common and TensorRT GPU tests).
 */
public final class GpuTestMain {

    static final List<String> DEFAULT_CLASSES = List.of("dev.segbench.cuda.CudaRuntimeProbeTest", "dev.segbench.cuda.CudaGpuTest",
            "dev.segbench.backend.tensorrt.TensorRtBackendTest", "dev.segbench.backend.tensorrt.TensorRtGpuTest");

    private GpuTestMain() {
    }

    public static void main(String[] args) {
        List<String> classes = args.length > 0 ? List.of(args) : DEFAULT_CLASSES;
        List<org.junit.platform.engine.DiscoverySelector> selectors = new ArrayList<>();
        for (String c : classes) {
            try {
                Class.forName(c, false, GpuTestMain.class.getClassLoader());
                selectors.add(DiscoverySelectors.selectClass(c));
            } catch (ClassNotFoundException e) {
                System.out.println("MISSING  " + c + " (not on the class path)");
            }
        }
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request().selectors(selectors).build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        TestExecutionListener lines = new TestExecutionListener() {
            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                System.out.println("SKIPPED  " + id.getDisplayName() + ": " + reason);
            }

            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (!id.isTest()) {
                    return;
                }
                String status = switch (result.getStatus()) {
                    case SUCCESSFUL -> "PASSED ";
                    case ABORTED -> "SKIPPED";
                    case FAILED -> "FAILED ";
                };
                String why = result.getThrowable().map(t -> ": " + t).orElse("");
                System.out.println(status + "  " + id.getLegacyReportingName() + " [" + id.getUniqueId()
                        .replaceAll(".*class:([^\\]]*).*", "$1") + "]" + why);
            }
        };
        launcher.execute(request, summary, lines);
        summary.getSummary().printTo(new PrintWriter(System.out));
        summary.getSummary().printFailuresTo(new PrintWriter(System.out), 30);
        System.exit(summary.getSummary().getTotalFailureCount() == 0 ? 0 : 1);
    }
}
