package dev.segbench.harness.results;

import dev.segbench.api.Sample;
import dev.segbench.api.VocClasses;
import dev.segbench.api.io.LabelPng;
import dev.segbench.api.io.AtomicFiles;
import dev.segbench.results.GalleryEntry;
import dev.segbench.harness.Messages;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Writes the mask gallery's PNG files (the report's gallery section shows them): for the first samples of the
 * accuracy pass, the image, its ground truth and every ok run's prediction as PNG files under {@code OUT/gallery/}.
 * The compare writes each sample's image and ground truth once ({@link #writeSamples}); a run's writer then only
 * names them and writes its predictions. The gallery is optional: an image that cannot be written (a full disk) is
 * left out and named in {@link #problems()}, and whatever the run measured stands. Thread-safe.
 */
public final class GalleryWriter {

    public static final String FOLDER = "gallery";
    private static final IndexColorModel VOC_PALETTE = LabelPng.colours(VocClasses.palette());

    private final Path outDir;
    private final int count;
    private final boolean writesSamples;
    private final IndexColorModel palette;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();

    private static final class Entry {
        final String id;
        String image;
        String label;
        final Map<String, String> predictions = new LinkedHashMap<>();

        Entry(String id) {
            this.id = id;
        }
    }

    /** A writer of samples and predictions, label images in the dataset's {@code palette} (256 packed 0xRRGGBB). */
    public GalleryWriter(Path outDir, int count, int[] palette) {
        this(outDir, count, true, palette);
    }

    /** With {@code writesSamples} false, sample images are only named: the compare wrote them already. */
    public GalleryWriter(Path outDir, int count, boolean writesSamples, int[] palette) {
        this.outDir = outDir;
        this.count = count;
        this.writesSamples = writesSamples;
        this.palette = LabelPng.colours(palette);
    }

    /**
     * Writes the image and ground truth of the first {@code count} samples at {@code indices}, once per compare (a
     * run's child then need not encode them again). A sample that cannot be read is left to the accuracy pass.
     */
    public void writeSamples(dev.segbench.api.Dataset dataset, int[] indices) {
        for (int i = 0; i < Math.min(count, indices.length); i++) {
            try {
                addSample(dataset.load(indices[i]));
            } catch (dev.segbench.api.BadSampleException | RuntimeException e) {
                // the accuracy pass reports it in its place
            }
        }
    }

    /** Whether the sample at this position of the evaluation order belongs in the gallery. */
    public boolean wants(int position) {
        return position < count;
    }

    /** Writes the image and ground truth of a sample once. */
    public synchronized void addSample(Sample s) {
        Entry e = entries.computeIfAbsent(s.id(), Entry::new);
        if (e.image != null) {
            return;
        }
        String base = FOLDER + "/" + fileSafe(s.id());
        // without writesSamples, name only what the compare managed to write
        if (writesSamples ? !writePng(base + ".png", rgbImage(s.rgb(), s.width(), s.height()))
                : !Files.isRegularFile(outDir.resolve(base + ".png"))) {
            return;
        }
        e.image = base + ".png";
        if (s.hasLabels() && (writesSamples
                ? writePng(base + "-label.png", LabelPng.image(s.labels(), s.width(), s.height(), palette))
                : Files.isRegularFile(outDir.resolve(base + "-label.png")))) {
            e.label = base + "-label.png";
        }
    }

    /** Writes one run's predicted labels for a sample already added. */
    public synchronized void addPrediction(String sampleId, String runKey, byte[] labels, int width, int height) {
        Entry e = entries.computeIfAbsent(sampleId, Entry::new);
        String path = FOLDER + "/" + fileSafe(sampleId) + predictionSuffix(runKey);
        if (writePng(path, LabelPng.image(labels, width, height, palette))) {
            e.predictions.put(runKey, path);
        }
    }

    /** Forgets (and deletes) the predictions of a run that did not end ok. */
    public synchronized void dropRun(String runKey) {
        for (Entry e : entries.values()) {
            String path = e.predictions.remove(runKey);
            if (path != null) {
                try {
                    Files.deleteIfExists(outDir.resolve(path));
                } catch (IOException ignored) {
                    // a stale PNG nobody links to is harmless
                }
            }
        }
    }

    private static String predictionSuffix(String runKey) {
        return "-" + fileSafe(runKey.replace('/', '-')) + ".png";
    }

    /**
     * Deletes the prediction PNGs a run left behind without a result (its process died after writing them):
     * no results file links to them.
     */
    public static void deletePredictions(Path outDir, String runKey) {
        Path dir = outDir.resolve(FOLDER);
        if (!Files.isDirectory(dir)) {
            return;
        }
        String suffix = predictionSuffix(runKey);
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(suffix)).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException ignored) {
            // a stale PNG nobody links to is harmless
        }
    }

    public synchronized List<GalleryEntry> entries() {
        List<GalleryEntry> out = new ArrayList<>();
        for (Entry e : entries.values()) {
            if (e.image != null) {
                out.add(new GalleryEntry(e.id, e.image, e.label, e.predictions));
            }
        }
        return out;
    }

    public static String fileSafe(String s) {
        return s.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /** The gallery images that could not be written, one line each naming the file; empty when all were. */
    public synchronized List<String> problems() {
        return List.copyOf(problems);
    }

    /** Writes one image; a failure is recorded in {@link #problems()} and answered false. */
    private boolean writePng(String relative, BufferedImage image) {
        Path file = outDir.resolve(relative);
        try {
            AtomicFiles.write(file, png(image));
            return true;
        } catch (IOException e) {
            problems.add("gallery image " + file + " not written (" + Messages.problem(e)
                    + "): the gallery leaves it out, the results are complete without it");
            return false;
        }
    }

    public static byte[] png(BufferedImage image) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        if (!ImageIO.write(image, "png", bytes)) {
            throw new IOException("no PNG writer available");
        }
        return bytes.toByteArray();
    }

    public static BufferedImage rgbImage(byte[] rgb, int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        // Raster data elements are in band order (R, G, B) whatever the storage order.
        img.getRaster().setDataElements(0, 0, width, height, rgb);
        return img;
    }

    /** An 8-bit palette image whose pixel values are the labels and whose palette is VOC's. */
    public static BufferedImage paletteImage(byte[] labels, int width, int height) {
        return LabelPng.image(labels, width, height, VOC_PALETTE);
    }
}
