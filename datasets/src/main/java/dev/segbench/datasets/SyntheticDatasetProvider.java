package dev.segbench.datasets;

import dev.segbench.api.Dataset;
import dev.segbench.api.DatasetException;
import dev.segbench.api.DatasetOptions;
import dev.segbench.api.DatasetProvider;
import java.util.Set;

/**
 * Generated scenes with exact labels ({@code synthetic} or {@code synthetic:COUNT}, default 16 samples,
 * 512x512 unless the options give width/height, seed from the options). Nothing is stored: sample i is
 * drawn on demand, so any count works. Results on it say nothing about accuracy on real images.
 */
public final class SyntheticDatasetProvider implements DatasetProvider {

    public static final int DEFAULT_COUNT = 16;
    public static final int DEFAULT_SIZE = 512;
    public static final long DEFAULT_SEED = 1;
    public static final String SEED = "seed";
    public static final String SIZE = "size";

    @Override
    public String scheme() {
        return "synthetic";
    }

    @Override
    public String description() {
        return "generated scenes with exact labels: synthetic[:COUNT][?seed=N&size=WxH] (default 16, seed 1, 512x512)";
    }

    /** "seed": the scenes' random seed; "size": WxH of every image. */
    @Override
    public Set<String> parameterKeys() {
        return Set.of(SEED, SIZE);
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
        long seed;
        try {
            seed = Long.parseLong(options.parameter(SEED, Long.toString(DEFAULT_SEED)));
        } catch (NumberFormatException e) {
            throw new DatasetException("synthetic: seed=" + options.parameter(SEED, "") + " is not a whole number");
        }
        String size = options.parameter(SIZE, DEFAULT_SIZE + "x" + DEFAULT_SIZE);
        int width;
        int height;
        try {
            String[] wh = size.split("x", -1);
            if (wh.length != 2) {
                throw new NumberFormatException();
            }
            width = Integer.parseInt(wh[0]);
            height = Integer.parseInt(wh[1]);
        } catch (NumberFormatException e) {
            throw new DatasetException("synthetic: size=" + size + " is not WIDTHxHEIGHT, e.g. 512x512");
        }
        if (width < 8 || height < 8) {
            throw new DatasetException("synthetic: images need at least 8x8 pixels, not " + width + "x" + height);
        }
        return SyntheticDataset.create(count, options, seed, width, height);
    }
}
