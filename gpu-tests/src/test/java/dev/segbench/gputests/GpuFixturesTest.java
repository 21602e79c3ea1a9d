package dev.segbench.gputests;

import dev.segbench.api.InferenceSession;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.SessionOptions;
import dev.segbench.api.io.Npy;
import dev.segbench.backend.cpu.OrtCpuBackend;
import dev.segbench.testfixtures.SharedFixtures;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The machinery of the GPU tests, checked on the CPU where the fixtures are: the reference path (images, preprocessing,
 * CPU backend) reproduces PyTorch's stored logits, the argmax-of-upsampled-logits rule reproduces the labels-out graph,
 * and a pack's fixture folder gives the tests the same images and logits as the ../shared fixtures.
 */
class GpuFixturesTest {

    private final String sharedBefore = System.getProperty("segbench.shared");

    @AfterEach
    void restoreProperties() {
        System.clearProperty(GpuFixtures.PACKED_PROPERTY);
        if (sharedBefore != null) {
            System.setProperty("segbench.shared", sharedBefore);
        }
    }

    private static Path shared() {
        return SharedFixtures.shared("the check of the GPU tests' reference path");
    }

    @Test
    void theCpuReferenceReproducesPyTorchsLogits() throws Exception {
        Path shared = shared();
        GpuFixtures fixtures = GpuFixtures.find();
        GpuFixtures.Image image = fixtures.images().getFirst();
        GpuFixtures.Logits cpu = fixtures.cpuLogits("arch1", image);
        Npy.Array torch = Npy.read(shared.resolve("data/nas-segm-reference/arch1-seed1-" + image.id() + "-logits.npy"));
        assertArrayEquals(torch.shape(), java.util.Arrays.copyOfRange(cpu.shape(), 1, 4), "[21, h, w] with the batch dropped");
        double err = Compare.relativeError(cpu.values(), torch.floats());
        assertTrue(err <= 1e-4, "the CPU reference differs from PyTorch by " + err);
    }

    @Test
    void theArgmaxOfUpsampledLogitsIsWhatTheLabelsOutGraphComputes() throws Exception {
        shared();
        GpuFixtures fixtures = GpuFixtures.find();
        ModelSource model = fixtures.model("arch2");
        GpuFixtures.Image image = fixtures.images().get(1);
        GpuFixtures.Logits logits = fixtures.cpuLogits("arch2", image);
        byte[] labels;
        try (InferenceSession s = new OrtCpuBackend().open(model, SessionOptions.of(Precision.FP32).withLabelsOut(true));
             Arena arena = Arena.ofConfined()) {
            var in = s.newInput(arena, 1, image.height(), image.width());
            float[] x = image.input(model.info().preprocessing());
            for (int i = 0; i < x.length; i++) {
                in.setFloat(i, x[i]);
            }
            try (var r = s.run(in)) {
                labels = r.output().data().asSlice(0, (long) image.height() * image.width()).toArray(ValueLayout.JAVA_BYTE);
            }
        }
        // the same rule the GPU test applies to each GPU backend, here on the CPU backend's own labels-out graph
        int differing = Compare.labelsOutMismatches(logits, labels, image.height(), image.width(), 1e-4);
        assertTrue(differing <= image.height() * image.width() / 10_000, differing + " pixels differ");
    }

    @Test
    void aPackGivesTheSameImagesAndLogits(@TempDir Path out) throws Exception {
        Path shared = shared();
        PackFixtures.write(shared, out, List.of("arch1"));
        GpuFixtures direct = GpuFixtures.find();
        GpuFixtures.Image image = direct.images().get(2);
        GpuFixtures.Logits live = direct.cpuLogits("arch1", image);

        System.clearProperty("segbench.shared");
        System.setProperty(GpuFixtures.PACKED_PROPERTY, out.toString());
        GpuFixtures packed = GpuFixtures.find();
        assertEquals(List.of("arch1"), packed.models(), "the pack carries only the models asked for");
        GpuFixtures.Image fromPack = packed.images().get(2);
        assertEquals(image.id(), fromPack.id());
        assertArrayEquals(image.rgb(), fromPack.rgb());
        GpuFixtures.Logits stored = packed.cpuLogits("arch1", fromPack);
        assertArrayEquals(live.shape(), stored.shape());
        assertArrayEquals(live.values(), stored.values());
        assertEquals("arch1", packed.model("arch1").info().id());
    }
}
