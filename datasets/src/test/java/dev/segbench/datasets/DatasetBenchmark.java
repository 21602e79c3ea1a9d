package dev.segbench.datasets;

import dev.segbench.api.Dataset;
import dev.segbench.api.DatasetOptions;
import dev.segbench.api.Sample;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.bytedeco.opencv.global.opencv_core;

/**
 * Not a test: run once by hand and read the numbers.
 * <pre>
 * mvn -o -q -pl datasets test-compile
 * java --enable-native-access=ALL-UNNAMED -Xmx1g -cp "datasets/target/classes:datasets/target/test-classes:$(cat cp.txt)" \
 *     dev.segbench.datasets.DatasetBenchmark /work/shared
 * </pre>
 * 1) JPEG decodes per second on one thread (= per core) for the 5 VOC sample images, OpenCV vs javax.imageio,
 * and full samples (JPEG + label PNG + checks) per second. 2) Heap in use while streaming 100,000 synthetic
 * 64x64 samples through {@link OrderedPrefetcher}, after a GC at 1k, 50k and 100k samples.
 */
public final class DatasetBenchmark {

    public static void main(String[] args) throws Exception {
        Path shared = Path.of(args.length > 0 ? args[0] : System.getProperty("segbench.shared", "../shared"));
        Path devkit = shared.resolve("data/voc2012-sample/VOCdevkit");
        System.out.printf("machine: %d cores, %s %s, Java %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name"), System.getProperty("os.arch"), System.getProperty("java.version"));
        if (Files.isDirectory(devkit)) {
            decodeRates(devkit);
        } else {
            System.out.println("decode rates skipped: " + devkit + " absent");
        }
        syntheticMemory();
    }

    interface Work {
        void run() throws Exception;
    }

    private static void decodeRates(Path devkit) throws Exception {
        opencv_core.setNumThreads(1); // one core per decode, so rates are per core
        List<byte[]> jpegs = new ArrayList<>();
        try (var dir = Files.list(devkit.resolve("VOC2012/JPEGImages"))) {
            for (Path p : dir.sorted().toList()) {
                jpegs.add(Files.readAllBytes(p));
            }
        }
        Dataset dataset = new VocDatasetProvider().open(devkit.toString(), DatasetOptions.defaults());
        double opencv = rate(() -> {
            for (byte[] jpeg : jpegs) {
                ImageFiles.decodeJpeg(jpeg);
            }
        }, jpegs.size());
        double imageio = rate(() -> {
            for (byte[] jpeg : jpegs) {
                decodeWithImageIo(jpeg);
            }
        }, jpegs.size());
        double samples = rate(() -> {
            for (int i = 0; i < dataset.size(); i++) {
                dataset.load(i);
            }
        }, dataset.size());
        System.out.printf("JPEG decode to RGB, 1 thread, %d VOC images (~500x375): OpenCV %.1f img/s, javax.imageio %.1f img/s (x%.2f)%n",
                jpegs.size(), opencv, imageio, opencv / imageio);
        System.out.printf("VocDataset.load (JPEG via OpenCV + palette PNG via javax.imageio + checks), 1 thread: %.1f samples/s%n", samples);
    }

    /** The javax.imageio side of the comparison: decode and unpack to interleaved RGB, as ImageFiles does with OpenCV. */
    private static byte[] decodeWithImageIo(byte[] jpeg) throws IOException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(jpeg));
        int width = image.getWidth();
        int height = image.getHeight();
        int[] argb = image.getRGB(0, 0, width, height, null, 0, width);
        byte[] pixels = new byte[width * height * 3];
        for (int i = 0; i < argb.length; i++) {
            pixels[3 * i] = (byte) (argb[i] >> 16);
            pixels[3 * i + 1] = (byte) (argb[i] >> 8);
            pixels[3 * i + 2] = (byte) argb[i];
        }
        return pixels;
    }

    /** Warms up for 2 s, then times whole rounds for at least 5 s. */
    private static double rate(Work round, int itemsPerRound) throws Exception {
        long warmEnd = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < warmEnd) {
            round.run();
        }
        long start = System.nanoTime();
        long rounds = 0;
        while (System.nanoTime() - start < 5_000_000_000L) {
            round.run();
            rounds++;
        }
        return rounds * itemsPerRound / ((System.nanoTime() - start) / 1e9);
    }

    private static void syntheticMemory() throws Exception {
        int count = 100_000;
        DatasetOptions options = new DatasetOptions(0, List.of(), DatasetOptions.BadSamplePolicy.FAIL, java.util.Map.of("size", "64x64"));
        Dataset dataset = new SyntheticDatasetProvider().open(Integer.toString(count), options);
        int threads = Runtime.getRuntime().availableProcessors();
        long start = System.nanoTime();
        long checksum = 0;
        try (OrderedPrefetcher<Sample> items = OrderedPrefetcher.of(dataset, threads, 32)) {
            int n = 0;
            while (items.hasNext()) {
                OrderedPrefetcher.Item<Sample> item = items.next();
                checksum += item.value().labels()[0];
                n++;
                if (n == 1_000 || n == 50_000 || n == 100_000) {
                    System.out.printf("synthetic 64x64 via OrderedPrefetcher(%d threads, window 32): after %,7d samples heap used %.1f MiB (%.0f samples/s)%n",
                            threads, n, usedAfterGc() / 1048576.0, n / ((System.nanoTime() - start) / 1e9));
                }
            }
        }
        System.out.println("checksum " + checksum);
    }

    private static long usedAfterGc() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
