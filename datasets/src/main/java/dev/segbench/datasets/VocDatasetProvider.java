package dev.segbench.datasets;

import dev.segbench.api.Dataset;
import dev.segbench.api.DatasetException;
import dev.segbench.api.DatasetOptions;
import dev.segbench.api.DatasetProvider;
import dev.segbench.api.Progress;
import dev.segbench.api.io.ImageHeader;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * PASCAL VOC 2012 segmentation ({@code voc:/path/to/VOCdevkit}). The location is a VOCdevkit folder,
 * its VOC2012 folder, or a folder holding VOCdevkit (what {@link #fetch} fills).
 *
 * <p>{@link #fetch} downloads {@code voc2012} from the URL, size and MD5 in {@link VocDownload#configured()}
 * (the official trainval tar unless the system properties {@code segbench.voc.url}, {@code segbench.voc.size}
 * and {@code segbench.voc.md5} say otherwise).
 */
public final class VocDatasetProvider implements DatasetProvider {

    public static final String FETCH_NAME = "voc2012";

    @Override
    public String scheme() {
        return "voc";
    }

    @Override
    public String description() {
        return "PASCAL VOC 2012 segmentation: voc:PATH[?split=NAME&aug-labels=true&max-pixels=N] (a VOCdevkit or VOC2012"
                + " folder; split default val; aug-labels: labels from SegmentationClassAug; max-pixels: larger images are"
                + " refused undecoded, default " + ImageHeader.DEFAULT_MAX_PIXELS + ")";
    }

    /**
     * "split": the image list (ImageSets/Segmentation/NAME.txt); "aug-labels": true for SBD's SegmentationClassAug;
     * "max-pixels": the pixel limit of an image or label file (larger ones are refused before decoding).
     */
    @Override
    public Set<String> parameterKeys() {
        return Set.of(VocDataset.SPLIT, VocDataset.AUG_LABELS, VocDataset.MAX_PIXELS);
    }

    @Override
    public Dataset open(String location, DatasetOptions options) throws DatasetException {
        return VocDataset.open(resolveRoot(location), options);
    }

    @Override
    public List<String> fetchable() {
        return List.of(FETCH_NAME);
    }

    @Override
    public Path fetch(String name, Path dir, Progress progress) throws DatasetException {
        if (!FETCH_NAME.equals(name)) {
            throw new DatasetException("voc can download only " + FETCH_NAME + ", not '" + name + "'");
        }
        return VocDownload.configured().fetch(dir, progress);
    }

    /** Finds the VOC2012 folder (the one holding ImageSets) from what the user typed. */
    static Path resolveRoot(String location) throws DatasetException {
        if (location == null || location.isBlank()) {
            throw new DatasetException("voc needs a folder: voc:/path/to/VOCdevkit");
        }
        Path given;
        try {
            given = Path.of(location);
        } catch (InvalidPathException e) {
            throw new DatasetException(location + ": not a valid path");
        }
        if (!Files.isDirectory(given)) {
            throw new DatasetException(given + ": no such folder (expected a VOCdevkit or VOC2012 folder)");
        }
        for (Path candidate : List.of(given, given.resolve("VOC2012"), given.resolve("VOCdevkit").resolve("VOC2012"))) {
            if (Files.isDirectory(candidate.resolve("ImageSets"))) {
                return candidate;
            }
        }
        throw new DatasetException(given + ": not a VOCdevkit or VOC2012 folder (no VOC2012/ImageSets inside)");
    }
}
