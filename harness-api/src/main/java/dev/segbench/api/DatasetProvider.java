package dev.segbench.api;

import java.nio.file.Path;

/**
 * A kind of dataset, found with {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.segbench.api.DatasetProvider}). On the command line a dataset is
 * {@code scheme[:location][?key=value&...]}, e.g. {@code voc:/data/VOCdevkit?split=train} or {@code synthetic:100}
 * ({@link DatasetSpec}).
 */
public interface DatasetProvider {

    /** "voc", "synthetic". */
    String scheme();

    /** One line for `segbench datasets`. */
    String description();

    /**
     * The keys of {@link DatasetOptions#parameters()} this provider reads, with their meaning in {@link #description()};
     * {@link DatasetSpec#open} refuses any other key in one line.
     */
    default java.util.Set<String> parameterKeys() {
        return java.util.Set.of();
    }

    /**
     * Opens the dataset; errors that concern the whole set (no split file, empty split, a bad parameter value) are
     * thrown here. Callers go through {@link DatasetSpec#open}, which checks the parameter keys first.
     */
    Dataset open(String location, DatasetOptions options) throws DatasetException;

    /** Names this provider can download with {@link #fetch} ("voc2012"); empty when it downloads nothing. */
    default java.util.List<String> fetchable() {
        return java.util.List.of();
    }

    /** Downloads, verifies and extracts {@code name} into {@code dir}, resuming a partial download. */
    default Path fetch(String name, Path dir, Progress progress) throws DatasetException {
        throw new DatasetException(scheme() + " has nothing to download");
    }
}
