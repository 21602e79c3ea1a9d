package dev.segbench.models;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.segbench.api.CalibrationMethod;
import dev.segbench.api.CalibrationTable;
import dev.segbench.api.DType;
import dev.segbench.api.HostTensor;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelSource;
import dev.segbench.models.calibration.CalibrationStatistics;

import java.lang.foreign.MemorySegment;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Test calibration without the harness: the calibration graph run by bare ORT on random images. */
final class Calibrations {

    private Calibrations() {
    }

    /** A table from {@code images} random N(0,1) images of {@code height} x {@code width}. */
    static CalibrationTable random(ModelSource source, CalibrationMethod method, int images, int height, int width,
                                   long seed) throws Exception {
        ModelSource.CalibrationGraph graph = source.int8().orElseThrow().calibrationGraph();
        CalibrationStatistics statistics = new CalibrationStatistics(graph.tensors());
        SplittableRandom random = new SplittableRandom(seed);
        List<String> ids = new ArrayList<>();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = Fixtures.open(graph.artifact())) {
            for (int i = 0; i < images; i++) {
                float[] x = new float[3 * height * width];
                for (int j = 0; j < x.length; j++) {
                    x[j] = (float) random.nextGaussian();
                }
                try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {1, 3, height, width});
                     OrtSession.Result r = session.run(Map.of(ModelArtifact.INPUT_NAME, in))) {
                    for (Map.Entry<String, OnnxValue> e : r) {
                        if (graph.tensors().contains(e.getKey())) {
                            OnnxTensor t = (OnnxTensor) e.getValue();
                            float[] v = new float[(int) t.getInfo().getNumElements()];
                            t.getFloatBuffer().get(v);
                            statistics.add(e.getKey(), new HostTensor(DType.FLOAT32, t.getInfo().getShape(),
                                    MemorySegment.ofArray(v)));
                        }
                    }
                }
                ids.add("random-" + seed + "-" + i);
            }
        }
        return statistics.table(new CalibrationTable.Key(source.info().id(), source.weights().sha256(),
                "random(seed=" + seed + ")", ids, method, source.int8().orElseThrow().graphVersion()));
    }
}
