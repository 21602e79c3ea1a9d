package dev.segbench.datasets;

import dev.segbench.api.BadSampleException;
import dev.segbench.api.Dataset;
import dev.segbench.api.DatasetException;
import dev.segbench.api.DatasetOptions.BadSamplePolicy;
import dev.segbench.api.DatasetOptions;
import dev.segbench.api.Sample;
import dev.segbench.api.SkippedSample;
import dev.segbench.api.Text;
import dev.segbench.api.VocClasses;
import dev.segbench.api.io.ImageHeader;
import dev.segbench.api.io.LabelPng;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An opened VOC split. Order is the split file's order (then {@code ids} / {@code limit} from the options).
 *
 * <p>Bad data policy: problems with the whole set (missing or empty split file, unknown id in
 * {@code ids}) are a {@link DatasetException} from open. Duplicate or malformed ids in the split file are
 * found at open: under {@link BadSamplePolicy#FAIL} they are a {@link DatasetException}, under
 * {@link BadSamplePolicy#SKIP} the later occurrences are dropped and listed by {@link #skippedAtOpen()}.
 * Problems of one sample (missing, unreadable, truncated or corrupt image or label, size mismatch, label
 * values outside {0..20, 255}) are ALWAYS a {@link BadSampleException} from {@link #load}, whatever the
 * policy: this class never decides to continue; the harness applies the policy (stop, or skip and list).
 *
 * <p>{@link #load} is thread-safe and keeps no per-sample state, so the caller may decode in parallel.
 */
public final class VocDataset implements Dataset {

    private final Path root;
    private final String name;
    private final List<String> ids;
    private final List<SkippedSample> skippedAtOpen;
    /** The parameter naming the image list. */
    public static final String SPLIT = "split";
    /** The parameter that reads labels from SegmentationClassAug. */
    public static final String AUG_LABELS = "aug-labels";
    /** The parameter raising the pixel limit above which an image or label is refused undecoded ({@link ImageHeader}). */
    public static final String MAX_PIXELS = "max-pixels";

    private final boolean augmentedLabels;
    private final long maxPixels;

    private VocDataset(Path root, String name, List<String> ids, List<SkippedSample> skippedAtOpen,
                       boolean augmentedLabels, long maxPixels) {
        this.root = root;
        this.name = name;
        this.ids = List.copyOf(ids);
        this.skippedAtOpen = List.copyOf(skippedAtOpen);
        this.augmentedLabels = augmentedLabels;
        this.maxPixels = maxPixels;
    }

    /** Opens {@code root} (the folder holding ImageSets, JPEGImages, SegmentationClass). */
    public static VocDataset open(Path root, DatasetOptions options) throws DatasetException {
        String split = options.parameter(SPLIT, "val").strip();
        String aug = options.parameter(AUG_LABELS, "false");
        if (!aug.equals("true") && !aug.equals("false")) {
            throw new DatasetException("voc: aug-labels=" + aug + " is neither true nor false");
        }
        boolean augmentedLabels = aug.equals("true");
        String maxText = options.parameter(MAX_PIXELS, Long.toString(ImageHeader.DEFAULT_MAX_PIXELS)).strip();
        long maxPixels;
        try {
            maxPixels = Long.parseLong(maxText);
        } catch (NumberFormatException e) {
            maxPixels = 0;
        }
        if (maxPixels < 1) {
            throw new DatasetException("voc: max-pixels=" + maxText + " is not a positive whole number");
        }
        if (!split.matches("[A-Za-z0-9_.-]+") || split.contains("..")) {
            throw new DatasetException("'" + split + "': not a valid split name");
        }
        Path splitFile = root.resolve("ImageSets").resolve("Segmentation").resolve(split + ".txt");
        List<String> lines;
        try {
            lines = Files.readAllLines(splitFile, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new DatasetException(splitFile + ": split file not found");
        } catch (IOException e) {
            String why = Files.isDirectory(splitFile) ? "it is a directory" : Text.oneLine(e);
            throw new DatasetException(splitFile + ": cannot read split file (" + why + ")", e);
        }
        boolean skip = options.onBadSample() == BadSamplePolicy.SKIP;
        Map<String, Integer> firstLine = new LinkedHashMap<>();
        List<SkippedSample> skipped = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String id = lines.get(i).strip();
            if (id.isEmpty()) {
                continue;
            }
            int lineNo = i + 1;
            String problem = null;
            if (!id.matches("[A-Za-z0-9_.-]+") || id.contains("..")) {
                problem = "line " + lineNo + ": '" + id + "' is not a valid image id";
            } else if (firstLine.containsKey(id)) {
                problem = "line " + lineNo + ": duplicate id " + id + " (first on line " + firstLine.get(id) + ")";
            }
            if (problem == null) {
                firstLine.put(id, lineNo);
            } else if (skip) {
                skipped.add(new SkippedSample(id, splitFile + ": " + problem));
            } else {
                throw new DatasetException(splitFile + ": " + problem);
            }
        }
        if (firstLine.isEmpty()) {
            throw new DatasetException(splitFile + ": empty split (no image ids)");
        }
        List<String> selected = new ArrayList<>(firstLine.keySet());
        if (!options.ids().isEmpty()) {
            Map<String, Boolean> seen = new HashMap<>();
            List<String> chosen = new ArrayList<>();
            for (String id : options.ids()) {
                if (!firstLine.containsKey(id)) {
                    throw new DatasetException(splitFile + ": id " + id + " is not in split " + split);
                }
                if (seen.put(id, Boolean.TRUE) == null) {
                    chosen.add(id);
                }
            }
            selected = chosen;
        }
        if (options.limit() > 0 && selected.size() > options.limit()) {
            selected = selected.subList(0, options.limit());
        }
        String name = "voc2012/" + split + (augmentedLabels ? " (SegmentationClassAug)" : "");
        return new VocDataset(root, name, selected, skipped, augmentedLabels, maxPixels);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean synthetic() {
        return false;
    }

    @Override
    public int size() {
        return ids.size();
    }

    @Override
    public String sampleId(int index) {
        return ids.get(index);
    }

    /** The folder holding ImageSets, JPEGImages and SegmentationClass. */
    public Path root() {
        return root;
    }

    public Path imageFile(int index) {
        return root.resolve("JPEGImages").resolve(ids.get(index) + ".jpg");
    }

    public Path labelFile(int index) {
        return root.resolve(augmentedLabels ? "SegmentationClassAug" : "SegmentationClass").resolve(ids.get(index) + ".png");
    }

    @Override
    public Sample load(int index) throws BadSampleException {
        String id = ids.get(index);
        Path imageFile = imageFile(index);
        Path labelFile = labelFile(index);
        ImageFiles.Rgb image;
        try {
            image = ImageFiles.decodeJpeg(ImageFiles.readFile(imageFile, "image"), maxPixels);
        } catch (ImageFiles.BadFileException e) {
            throw new BadSampleException(id, imageFile, e.getMessage(), e.getCause());
        }
        LabelPng.Labels labels;
        try {
            labels = ImageFiles.readLabelPng(ImageFiles.readFile(labelFile, "label"), maxPixels);
        } catch (ImageFiles.BadFileException e) {
            throw new BadSampleException(id, labelFile, e.getMessage(), e.getCause());
        }
        if (labels.width() != image.width() || labels.height() != image.height()) {
            throw new BadSampleException(id, labelFile, "label is " + labels.width() + "x" + labels.height()
                    + " but image " + imageFile.getFileName() + " is " + image.width() + "x" + image.height());
        }
        checkLabelValues(id, labelFile, labels);
        return new Sample(id, image.width(), image.height(), image.pixels(), labels.values());
    }

    private static void checkLabelValues(String id, Path labelFile, LabelPng.Labels labels) throws BadSampleException {
        byte[] values = labels.values();
        for (int i = 0; i < values.length; i++) {
            int v = values[i] & 0xff;
            if (v >= VocClasses.COUNT && v != VocClasses.IGNORE) {
                throw new BadSampleException(id, labelFile, "label value " + v + " at x=" + (i % labels.width())
                        + ", y=" + (i / labels.width()) + " is outside {0..20, 255}");
            }
        }
    }

    @Override
    public List<SkippedSample> skippedAtOpen() {
        return skippedAtOpen;
    }
}
