package dev.segbench.gputests;

import dev.segbench.api.io.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Writes the fixture folder of a device pack (see {@link GpuFixtures}): for the given models their checkpoints, the
 * five VOC sample images as decoded RGB ({@code images/ID.npy}, uint8 [H, W, 3]) and the CPU backend's FP32 logits on
 * them ({@code cpu/MODEL-ID.npy}), all computed here from the {@code ../shared} fixtures with the code the tests use.
 * Usage: {@code PackFixtures OUT_DIR MODEL...}. The output is derived from the fixtures: never commit it.
 */
public final class PackFixtures {

    private PackFixtures() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: PackFixtures OUT_DIR MODEL...");
            System.exit(2);
        }
        String shared = System.getProperty("segbench.shared");
        if (shared == null || !Files.isDirectory(Path.of(shared, "data/nas-segm-reference"))) {
            System.err.println("pack-fixtures: segbench.shared does not name the ../shared fixture folder (" + shared + ")");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        List<String> models = List.of(args).subList(1, args.length);
        write(Path.of(shared), out, models);
    }

    static void write(Path shared, Path out, List<String> models) throws Exception {
        System.clearProperty(GpuFixtures.PACKED_PROPERTY);
        System.setProperty("segbench.shared", shared.toString());
        GpuFixtures fixtures = GpuFixtures.find();
        Files.createDirectories(out.resolve("checkpoints"));
        Files.createDirectories(out.resolve("images"));
        Files.createDirectories(out.resolve("cpu"));
        List<GpuFixtures.Image> images = fixtures.images();
        for (GpuFixtures.Image image : images) {
            Files.write(out.resolve("images/" + image.id() + ".npy"),
                    Npy.encodeUint8(new long[] {image.height(), image.width(), 3}, image.rgb()));
        }
        for (String id : models) {
            if (!GpuFixtures.MODEL_IDS.contains(id)) {
                throw new IllegalArgumentException("unknown model " + id + " (known: " + GpuFixtures.MODEL_IDS + ")");
            }
            Files.copy(shared.resolve("data/nas-segm-reference/" + id + "-seed1.pth"),
                    out.resolve("checkpoints/" + id + "-seed1.pth"), StandardCopyOption.REPLACE_EXISTING);
            for (GpuFixtures.Image image : images) {
                GpuFixtures.Logits logits = fixtures.cpuLogits(id, image);
                Files.write(out.resolve("cpu/" + id + "-" + image.id() + ".npy"), Npy.encodeFloat32(logits.shape(), logits.values()));
            }
            System.out.println("pack-fixtures: " + id + ": checkpoint and CPU logits of " + images.size() + " images");
        }
    }
}
