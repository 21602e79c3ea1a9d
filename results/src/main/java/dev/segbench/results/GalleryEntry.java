package dev.segbench.results;

import java.util.Map;

/**
 * One gallery image. Paths are relative to the results folder: the image (PNG), its ground-truth
 * label map and, per run key ("model/backend/precision"), the predicted label map, all as
 * palette-index PNGs with the VOC palette.
 */
public record GalleryEntry(String id, String image, String label, Map<String, String> predictions) {
    public GalleryEntry {
        // Keeps the run order (Map.copyOf would not), so the gallery columns follow the runs.
        predictions = predictions == null ? Map.of()
                : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(predictions));
    }
}
