package dev.segbench.models;

import dev.segbench.api.ModelException;
import dev.segbench.api.Precision;
import dev.segbench.api.WeightsInfo;
import dev.segbench.api.WeightsSpec;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * ONNX export time of the three models: {@code export} is graph emission with BN folding,
 * serialisation and SHA-256 from bound weights (what a cache miss in ModelSource costs);
 * {@code seededLoadAndExport} adds generating the seeded weights. Run:
 * {@code java -cp <test classpath> dev.segbench.models.ExportBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {"-Xmx2g"})
public class ExportBenchmark {

    @Param({"arch0", "arch1", "arch2"})
    public String model;

    @Param({"fp32", "fp16"})
    public String precision;

    private NasSegmModel info;
    private StateDict weights;

    @Setup
    public void setUp() {
        info = (NasSegmModel) new NasSegmCatalog().find(model).orElseThrow();
        weights = StateDict.seeded(info.layout(), 42);
    }

    @Benchmark
    public String export() {
        byte[] onnx = OnnxGraphBuilder.build(new OnnxGraphBuilder.Description(model, info.architecture(),
                WeightsInfo.seeded(42).sha256()), 21, weights, Precision.parse(precision), false).toByteArray();
        return dev.segbench.api.io.Sha256.hex(onnx);
    }

    @Benchmark
    public String seededLoadAndExport() throws ModelException {
        return new NasSegmCatalog().load(model, WeightsSpec.seeded(42)).artifact(Precision.parse(precision), false)
                .onnxSha256();
    }

    public static void main(String[] args) throws RunnerException {
        new Runner(new OptionsBuilder().include(ExportBenchmark.class.getName()).build()).run();
    }
}
