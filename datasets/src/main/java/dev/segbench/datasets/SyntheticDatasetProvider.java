package dev.segbench.datasets;

import dev.segbench.api.Dataset;
import dev.segbench.api.DatasetException;
import dev.segbench.api.DatasetOptions;
import dev.segbench.api.DatasetProvider;

/**
 * Generated scenes with exact labels ({@code synthetic} or {@code synthetic:COUNT}, default 16 samples,
 * 512x512 unless the options give width/height, seed from the options). Nothing is stored: sample i is
 * drawn on demand, so any count works. Results on it say nothing about accuracy on real images.
 */
public final class SyntheticDatasetProvider implements DatasetProvider {

    public static final int DEFAULT_COUNT = 16;
    public static final int DEFAULT_SIZE = 512;

    @Override
    public String scheme() {
        return "synthetic";
    }

    @Override
    public String description() {
        return "generated scenes with exact labels: synthetic[:COUNT] (default 16, 512x512, seed from options)";
    }

    @Override
    public Dataset open(String location, DatasetOptions options) throws DatasetException {
        int count = DEFAULT_COUNT;
        if (location != null && !location.isBlank()) {
            try {
                count = Integer.parseInt(location.strip());
            } catch (NumberFormatException e) {
                throw new DatasetException("synthetic:" + location + ": the location must be a sample count, e.g. synthetic:100");
            }
            if (count <= 0) {
                throw new DatasetException("synthetic:" + location + ": the sample count must be positive");
            }
        }
        int width = options.width() > 0 ? options.width() : DEFAULT_SIZE;
        int height = options.height() > 0 ? options.height() : DEFAULT_SIZE;
        if (width < 8 || height < 8) {
            throw new DatasetException("synthetic: images need at least 8x8 pixels, not " + width + "x" + height);
        }
        return SyntheticDataset.create(count, options, width, height);
    }
}
