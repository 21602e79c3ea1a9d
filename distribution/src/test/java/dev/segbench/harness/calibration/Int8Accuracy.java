package dev.segbench.harness.calibration;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.segbench.api.Dataset;
import dev.segbench.backend.cpu.OrtCpuBackend;
import dev.segbench.api.DatasetOptions;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelInfo;
import dev.segbench.api.Sample;
import dev.segbench.harness.metrics.ConfusionMatrix;
import dev.segbench.harness.metrics.Segmentation;
import dev.segbench.datasets.VocDatasetProvider;

import java.lang.foreign.MemorySegment;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Labels of an ONNX graph on the VOC sample images (bare ONNX Runtime, 2 threads, FP32 logits upsampled and argmaxed
 * as the harness does), and the measures the int8 acceptance asks for: agreement with FP32 labels, mIoU.
 */
final class Int8Accuracy {

    /** Labels of every image, in dataset order, with the ground truth. */
    record Labels(List<byte[]> predicted, List<byte[]> truth) {
    }

    record Comparison(double agreement, double referenceMiou, double miou) {
        double miouDelta() {
            return miou - referenceMiou;
        }
    }

    private Int8Accuracy() {
    }

    static Dataset vocSample(Path shared) throws Exception {
        return new VocDatasetProvider().open(shared.resolve("data/voc2012-sample/VOCdevkit").toString(),
                DatasetOptions.defaults());
    }

    static Labels labels(ModelArtifact artifact, ModelInfo info, Dataset data) throws Exception {
        new OrtCpuBackend().availability(); // initialises ORT on a thread with enough stack
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        List<byte[]> predicted = new ArrayList<>();
        List<byte[]> truth = new ArrayList<>();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(2);
            try (OrtSession session = env.createSession(artifact.onnx(), o)) {
                for (int i = 0; i < data.size(); i++) {
                    Sample s = data.load(i);
                    float[] x = new float[3 * s.width() * s.height()];
                    Segmentation.preprocess(s.rgb(), s.width(), s.height(), info.preprocessing(), MemorySegment.ofArray(x), 0);
                    try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {1, 3, s.height(), s.width()});
                         OrtSession.Result r = session.run(Map.of(ModelArtifact.INPUT_NAME, in), java.util.Set.of(ModelArtifact.LOGITS_NAME))) {
                        OnnxTensor logits = (OnnxTensor) r.get(0);
                        long[] shape = logits.getInfo().getShape();
                        float[] values = new float[(int) logits.getInfo().getNumElements()];
                        logits.getFloatBuffer().get(values);
                        predicted.add(Segmentation.labels(values, info.numClasses(), (int) shape[2], (int) shape[3],
                                s.height(), s.width()));
                    }
                    truth.add(s.labels());
                }
            }
        }
        return new Labels(predicted, truth);
    }

    static Comparison compare(Labels reference, Labels candidate, int classes) {
        long same = 0;
        long total = 0;
        ConfusionMatrix ref = new ConfusionMatrix(classes);
        ConfusionMatrix cand = new ConfusionMatrix(classes);
        for (int i = 0; i < reference.predicted().size(); i++) {
            byte[] a = reference.predicted().get(i);
            byte[] b = candidate.predicted().get(i);
            for (int p = 0; p < a.length; p++) {
                same += a[p] == b[p] ? 1 : 0;
            }
            total += a.length;
            ref.add(reference.truth().get(i), a);
            cand.add(reference.truth().get(i), b);
        }
        return new Comparison(same / (double) total, ref.meanIou(), cand.meanIou());
    }

}
