package dev.segbench.reports;

import dev.segbench.results.Classes;
import dev.segbench.results.GalleryEntry;
import dev.segbench.results.Run;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/** Builds the mask gallery: images inlined as data: URIs and a map of where the runs' predictions disagree. */
final class Gallery {

    /** One picture in a gallery row; {@code src} is a data: URI, or null with {@code problem} saying why. */
    record Cell(String caption, String src, String alt, String detail, String problem, boolean disagreement) {
    }

    /** One gallery entry: its id and its pictures, left to right. */
    record Row(String id, List<Cell> cells) {
    }

    /** A palette swatch for the legend. */
    record LegendItem(int index, String name, String colour) {
    }

    /** Photos larger than this are re-encoded as a downscaled JPEG so the report stays small. */
    static final int MAX_PHOTO_BYTES = 200_000;
    static final int MAX_PHOTO_WIDTH = 640;
    /** Disagreeing pixels are painted in this colour over a faded copy of the photo. */
    private static final int DISAGREE_RGB = 0xE4007C;
    /** Faded grey level i (0 = white) is 255 - i * FADE_STEP; (255 * 3 / 10) / FADE_STEP + 1 = 10 levels. */
    private static final int FADE_STEP = 8;
    private static final int MAGENTA_INDEX = 10;
    private static final IndexColorModel DISAGREEMENT_COLOURS = disagreementColours();

    private Gallery() {
    }

    /** A swatch for each class of the dataset, then the ignore label. */
    static List<LegendItem> legend(Classes classes) {
        List<LegendItem> items = new ArrayList<>();
        for (int i = 0; i < classes.count(); i++) {
            items.add(new LegendItem(i, classes.names().get(i), classes.colours().get(i)));
        }
        items.add(new LegendItem(Classes.IGNORE, "ignore (void, not scored)", classes.ignoreColour()));
        return items;
    }

    /**
     * The gallery rows. Predictions are shown in {@code runs} order (runs not in the entry are left out); problems
     * (missing or unreadable files) go into {@code problems} and the row shows a placeholder.
     */
    static List<Row> rows(Path resultsDir, List<GalleryEntry> entries, List<Run> runs, List<String> problems) {
        List<Row> rows = new ArrayList<>();
        for (GalleryEntry entry : entries) {
            rows.add(row(resultsDir, entry, runs, problems));
        }
        return rows;
    }

    private static Row row(Path dir, GalleryEntry entry, List<Run> runs, List<String> problems) {
        String id = entry.id() == null ? "(no id)" : entry.id();
        List<Cell> cells = new ArrayList<>();
        BufferedImage photo = null;
        if (entry.image() == null) {
            cells.add(new Cell("Image", null, "Input image " + id + " (not recorded)", null, "not recorded", false));
        } else {
            try {
                Path file = dir.resolve(entry.image());
                byte[] bytes = Files.readAllBytes(file);
                photo = ImageIO.read(new ByteArrayInputStream(bytes));
                if (photo == null) {
                    throw new IOException("not a readable image");
                }
                cells.add(new Cell("Image", photoUri(bytes, photo), "Input image " + id, null, null, false));
            } catch (IOException e) {
                cells.add(problem(problems, "Image", "Input image " + id, entry.image(), e));
            }
        }
        LabelMap truth = null;
        if (entry.label() != null) {
            try {
                Path file = dir.resolve(entry.label());
                truth = LabelMap.read(file);
                cells.add(new Cell("Ground truth", dataUri("image/png", Files.readAllBytes(file)),
                        "Ground-truth labels for " + id, null, null, false));
            } catch (IOException e) {
                cells.add(problem(problems, "Ground truth", "Ground-truth labels for " + id, entry.label(), e));
            }
        }
        Map<String, LabelMap> predictions = new LinkedHashMap<>();
        List<String> keys = new ArrayList<>();
        for (Run run : runs) {
            if (entry.predictions().containsKey(run.key()) && !keys.contains(run.key())) {
                keys.add(run.key());
            }
        }
        entry.predictions().keySet().stream().filter(k -> !keys.contains(k)).sorted().forEach(keys::add);
        List<String> seeded = runs.stream().filter(Run::seeded).map(Run::key).toList();
        for (String key : keys) {
            String path = entry.predictions().get(key);
            String alt = "Prediction of " + key + " for " + id;
            try {
                Path file = dir.resolve(path);
                LabelMap map = LabelMap.read(file);
                predictions.put(key, map);
                // the accuracy of seeded (untrained) weights means nothing: say so instead of a number
                cells.add(new Cell(key, dataUri("image/png", Files.readAllBytes(file)), alt,
                        seeded.contains(key) ? "pixel acc. " + ReportModel.NOT_APPLICABLE_SEEDED : accuracyNote(map, truth),
                        null, false));
            } catch (IOException e) {
                cells.add(problem(problems, key, alt, path, e));
            }
        }
        // Backends and precisions are compared per model: different models disagree by design.
        Map<String, Map<String, LabelMap>> byModel = new LinkedHashMap<>();
        predictions.forEach((key, map) -> byModel.computeIfAbsent(modelOf(key), m -> new LinkedHashMap<>()).put(key, map));
        boolean any = false;
        for (Map.Entry<String, Map<String, LabelMap>> model : byModel.entrySet()) {
            if (model.getValue().size() >= 2) {
                cells.add(disagreementCell(id, model.getKey(), model.getValue(), photo));
                any = true;
            }
        }
        if (!any) {
            cells.add(disagreementCell(id, null, predictions, photo));
        }
        return new Row(id, cells);
    }

    /** Run keys are "model/backend/precision". */
    private static String modelOf(String runKey) {
        int slash = runKey.indexOf('/');
        return slash < 0 ? runKey : runKey.substring(0, slash);
    }

    private static Cell disagreementCell(String id, String model, Map<String, LabelMap> predictions, BufferedImage photo) {
        String caption = model == null ? "Where runs disagree" : "Where " + model + " runs disagree";
        String alt = "Pixels where the " + (model == null ? "runs'" : model + " runs'") + " predictions differ for " + id;
        if (predictions.size() < 2) {
            return new Cell(caption, null, alt, null, "needs at least two predictions", true);
        }
        List<LabelMap> maps = List.copyOf(predictions.values());
        boolean[] differs;
        try {
            differs = LabelMap.disagreement(maps);
        } catch (IllegalArgumentException e) {
            return new Cell(caption, null, alt, null, e.getMessage(), true);
        }
        LabelMap first = maps.getFirst();
        int count = 0;
        for (boolean d : differs) {
            count += d ? 1 : 0;
        }
        double share = differs.length == 0 ? 0 : count / (double) differs.length;
        String detail = String.format(Locale.ROOT, "%.2f%% of pixels differ across %d runs (%s)", 100 * share,
                maps.size(), String.join(", ", predictions.keySet()));
        try {
            byte[] png = png(disagreementImage(first.width(), first.height(), differs, photo));
            return new Cell(caption, dataUri("image/png", png), alt + " (" + detail + ")", detail, null, true);
        } catch (IOException e) {
            return new Cell(caption, null, alt, detail, "could not encode: " + e.getMessage(), true);
        }
    }

    /**
     * Disagreeing pixels in magenta over the photo faded to 30% grey (or over white when sizes differ). A palette
     * image, since ten grey levels (white included) and magenta are all it holds: on VOC photos the PNG is about
     * 30% smaller than an RGB one.
     */
    static BufferedImage disagreementImage(int w, int h, boolean[] differs, BufferedImage photo) {
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED, DISAGREEMENT_COLOURS);
        WritableRaster raster = out.getRaster();
        boolean usePhoto = photo != null && photo.getWidth() == w && photo.getHeight() == h;
        // whole rows at a time: per-pixel getRGB/setSample made this the slowest part of writing a report
        int[] rgb = usePhoto ? photo.getRGB(0, 0, w, h, null, 0, w) : null;
        int[] indices = new int[w * h];
        for (int i = 0; i < indices.length; i++) {
            if (differs[i]) {
                indices[i] = MAGENTA_INDEX;
            } else if (usePhoto) {
                int p = rgb[i];
                int grey = ((p >> 16 & 0xFF) * 30 + (p >> 8 & 0xFF) * 59 + (p & 0xFF) * 11) / 100;
                // faded to 30% and posterised: enough context, and the PNG stays small
                indices[i] = (255 - grey) * 3 / 10 / FADE_STEP;
            }
        }
        raster.setPixels(0, 0, w, h, indices);
        return out;
    }

    private static IndexColorModel disagreementColours() {
        byte[] r = new byte[MAGENTA_INDEX + 1];
        byte[] g = new byte[MAGENTA_INDEX + 1];
        byte[] b = new byte[MAGENTA_INDEX + 1];
        for (int i = 0; i < MAGENTA_INDEX; i++) {
            r[i] = g[i] = b[i] = (byte) (255 - i * FADE_STEP);
        }
        r[MAGENTA_INDEX] = (byte) (DISAGREE_RGB >> 16);
        g[MAGENTA_INDEX] = (byte) (DISAGREE_RGB >> 8);
        b[MAGENTA_INDEX] = (byte) DISAGREE_RGB;
        return new IndexColorModel(4, MAGENTA_INDEX + 1, r, g, b);
    }

    private static String accuracyNote(LabelMap prediction, LabelMap truth) {
        if (truth == null || truth.width() != prediction.width() || truth.height() != prediction.height()) {
            return null;
        }
        long scored = 0;
        long correct = 0;
        for (int i = 0; i < truth.labels().length; i++) {
            if (truth.labels()[i] != Classes.IGNORE) {
                scored++;
                correct += truth.labels()[i] == prediction.labels()[i] ? 1 : 0;
            }
        }
        return scored == 0 ? null : String.format(Locale.ROOT, "pixel acc. %.1f%%", 100.0 * correct / scored);
    }

    private static Cell problem(List<String> problems, String caption, String alt, String path, IOException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        problems.add("cannot show " + path + " (" + message + ")"); // the banner labels it "Gallery" already
        return new Cell(caption, null, alt + " (missing)", null, "missing: " + path, false);
    }

    private static String photoUri(byte[] bytes, BufferedImage photo) throws IOException {
        if (bytes.length <= MAX_PHOTO_BYTES) {
            return dataUri(mimeOf(bytes), bytes);
        }
        int w = Math.min(MAX_PHOTO_WIDTH, photo.getWidth());
        int h = Math.max(1, (int) Math.round(photo.getHeight() * (w / (double) photo.getWidth())));
        BufferedImage small = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = small.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(photo, 0, 0, w, h, null);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(small, "jpeg", out);
        return dataUri("image/jpeg", out.toByteArray());
    }

    private static String mimeOf(byte[] bytes) {
        if (bytes.length > 2 && (bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xD8) {
            return "image/jpeg";
        }
        return "image/png";
    }

    static byte[] png(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    static String dataUri(String mime, byte[] bytes) {
        return "data:" + mime + ";base64," + Base64.getEncoder().encodeToString(bytes);
    }

    private static String hex(int[] rgb) {
        return String.format(Locale.ROOT, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
    }
}
