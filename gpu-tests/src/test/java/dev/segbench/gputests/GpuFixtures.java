package dev.segbench.gputests;

import dev.segbench.api.BackendException;
import dev.segbench.api.HostTensor;
import dev.segbench.api.InferenceResult;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.ModelCatalog;
import dev.segbench.api.ModelException;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.Preprocessing;
import dev.segbench.api.SessionOptions;
import dev.segbench.api.WeightsSpec;
import dev.segbench.api.io.Npy;
import dev.segbench.backend.cpu.OrtCpuBackend;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The fixture checkpoints, the VOC sample images and the CPU backend's logits on them, from one of two places:
 * <ul>
 *   <li>the {@code ../shared} fixtures (system property {@code segbench.shared}, set by surefire): images decoded with
 *       javax.imageio and the CPU backend run in this process (a Maven run on a GPU machine);</li>
 *   <li>a packed folder (system property {@code segbench.gpu.fixtures}, made by {@link PackFixtures} for the device
 *       pack): checkpoints, the images as decoded RGB and the CPU backend's logits computed where the pack was made,
 *       so that the GPU machine needs neither ONNX Runtime nor an image decoder. Never committed.</li>
 * </ul>
 * Tests that need them skip visibly when neither is there.
 */
final class GpuFixtures {

    static final List<String> IMAGE_IDS = List.of("2007_006171", "2008_001513", "2008_005197", "2009_002584", "2010_004994");
    static final List<String> MODEL_IDS = List.of("arch0", "arch1", "arch2");
    static final String PACKED_PROPERTY = "segbench.gpu.fixtures";

    /** One image as RGB bytes, row-major, three bytes a pixel. */
    record Image(String id, int height, int width, byte[] rgb) {
        /** The model input: NCHW FP32 with N = 1, {@code (pixel * scale - mean) / std} per channel. */
        float[] input(Preprocessing p) {
            float[] mean = p.mean();
            float[] std = p.std();
            float[] x = new float[3 * height * width];
            int plane = height * width;
            for (int i = 0; i < plane; i++) {
                for (int c = 0; c < 3; c++) {
                    x[c * plane + i] = ((rgb[3 * i + c] & 0xff) * p.scale() - mean[c]) / std[c];
                }
            }
            return x;
        }

        long[] shape() {
            return new long[] {1, 3, height, width};
        }
    }

    /** Logits [N, classes, h, w] as floats. */
    record Logits(long[] shape, float[] values) {
    }

    private final Path packed;
    private final Path shared;
    private final Map<String, ModelSource> models = new HashMap<>();

    private GpuFixtures(Path packed, Path shared) {
        this.packed = packed;
        this.shared = shared;
    }

    /** The fixtures of this run; skips the calling test visibly when there are none. */
    static GpuFixtures find() {
        Path packed = existing(System.getProperty(PACKED_PROPERTY), "images");
        Path shared = existing(System.getProperty("segbench.shared"), "data/nas-segm-reference");
        assumeTrue(packed != null || shared != null, "no fixtures: neither " + PACKED_PROPERTY
                + " (a device pack) nor segbench.shared (../shared beside the checkout) names a fixture folder");
        return new GpuFixtures(packed, shared);
    }

    private static Path existing(String property, String inside) {
        if (property == null || property.isBlank()) {
            return null;
        }
        Path p = Path.of(property);
        return Files.isDirectory(p.resolve(inside)) ? p : null;
    }

    private Path checkpoint(String id) {
        return packed != null ? packed.resolve("checkpoints/" + id + "-seed1.pth")
                : shared.resolve("data/nas-segm-reference/" + id + "-seed1.pth");
    }

    /** The models whose fixture checkpoint is here (a pack may carry only some). */
    List<String> models() {
        return MODEL_IDS.stream().filter(id -> Files.isRegularFile(checkpoint(id))).toList();
    }

    /** The model bound to its fixture checkpoint (loaded once). */
    synchronized ModelSource model(String id) throws ModelException {
        ModelSource m = models.get(id);
        if (m == null) {
            m = catalog().load(id, WeightsSpec.checkpoint(checkpoint(id)));
            models.put(id, m);
        }
        return m;
    }

    static ModelCatalog catalog() {
        return ServiceLoader.load(ModelCatalog.class).stream().map(ServiceLoader.Provider::get)
                .filter(c -> c.name().equals("nas-segm")).findFirst()
                .orElseThrow(() -> new AssertionError("the nas-segm catalogue is not on the class path"));
    }

    List<Image> images() throws IOException {
        List<Image> out = new ArrayList<>();
        for (String id : IMAGE_IDS) {
            if (packed != null) {
                Npy.Array a = Npy.read(packed.resolve("images/" + id + ".npy"));
                out.add(new Image(id, (int) a.shape()[0], (int) a.shape()[1], a.bytes()));
            } else {
                out.add(Jpeg.decode(id, shared.resolve("data/voc2012-sample/VOCdevkit/VOC2012/JPEGImages/" + id + ".jpg")));
            }
        }
        return out;
    }

    /** The CPU backend's FP32 logits for {@code image}: stored in a pack, or computed now. */
    Logits cpuLogits(String model, Image image) throws Exception {
        if (packed != null) {
            Npy.Array a = Npy.read(packed.resolve("cpu/" + model + "-" + image.id() + ".npy"));
            return new Logits(a.shape(), a.floats());
        }
        return runCpu(model(model), image);
    }

    static Logits runCpu(ModelSource model, Image image) throws BackendException {
        try (InferenceSession s = new OrtCpuBackend().open(model, SessionOptions.of(Precision.FP32))) {
            return run(s, image.input(model.info().preprocessing()), image.shape());
        }
    }

    /** Runs {@code input} through {@code session} and copies the FP32 output out. */
    static Logits run(InferenceSession session, float[] input, long[] shape) throws BackendException {
        try (Arena arena = Arena.ofConfined()) {
            HostTensor in = session.newInput(arena, (int) shape[0], (int) shape[2], (int) shape[3]);
            for (int i = 0; i < input.length; i++) {
                in.setFloat(i, input[i]);
            }
            try (InferenceResult r = session.run(in)) {
                HostTensor out = r.output();
                float[] v = new float[(int) out.elementCount()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = out.getFloat(i);
                }
                return new Logits(out.shape(), v);
            }
        }
    }

    /** Decodes with javax.imageio, in its own class so a pack's JRE without java.desktop never loads it. */
    static final class Jpeg {
        private Jpeg() {
        }

        static Image decode(String id, Path file) throws IOException {
            java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(file.toFile());
            if (img == null) {
                throw new IOException(file + ": not an image javax.imageio can read");
            }
            int h = img.getHeight();
            int w = img.getWidth();
            byte[] rgb = new byte[3 * h * w];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int p = img.getRGB(x, y);
                    int o = 3 * (y * w + x);
                    rgb[o] = (byte) (p >> 16);
                    rgb[o + 1] = (byte) (p >> 8);
                    rgb[o + 2] = (byte) p;
                }
            }
            return new Image(id, h, w, rgb);
        }
    }
}
