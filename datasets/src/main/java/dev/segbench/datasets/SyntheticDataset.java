package dev.segbench.datasets;

import dev.segbench.api.Dataset;
import dev.segbench.api.DatasetException;
import dev.segbench.api.DatasetOptions;
import dev.segbench.api.Sample;

/** {@code count} generated scenes; sample i is drawn in {@link #load} from (seed, i) and never stored. */
public final class SyntheticDataset implements Dataset {

    private final long seed;
    private final int width;
    private final int height;
    /** Scene numbers, or null for 0..size-1 (kept implicit so 100k samples cost nothing). */
    private final int[] scenes;
    private final int size;

    private SyntheticDataset(long seed, int width, int height, int[] scenes, int size) {
        this.seed = seed;
        this.width = width;
        this.height = height;
        this.scenes = scenes;
        this.size = size;
    }

    public static SyntheticDataset create(int count, DatasetOptions options, long seed, int width, int height)
            throws DatasetException {
        int[] scenes = null;
        int size = count;
        if (!options.ids().isEmpty()) {
            scenes = new int[options.ids().size()];
            for (int i = 0; i < scenes.length; i++) {
                scenes[i] = parseId(options.ids().get(i), count);
            }
            size = scenes.length;
        }
        if (options.limit() > 0) {
            size = Math.min(size, options.limit());
        }
        return new SyntheticDataset(seed, width, height, scenes, size);
    }

    private static int parseId(String id, int count) throws DatasetException {
        try {
            if (id.startsWith(SyntheticScenes.ID_PREFIX)) {
                int scene = Integer.parseInt(id.substring(SyntheticScenes.ID_PREFIX.length()));
                if (scene >= 0 && scene < count) {
                    return scene;
                }
            }
        } catch (NumberFormatException e) {
            // falls through to the message below
        }
        throw new DatasetException("synthetic: unknown id " + id + " (ids are " + SyntheticScenes.id(0) + ".."
                + SyntheticScenes.id(count - 1) + ")");
    }

    private int scene(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("sample " + index + " of " + size);
        }
        return scenes == null ? index : scenes[index];
    }

    @Override
    public String name() {
        return "synthetic(seed=" + seed + ", " + width + "x" + height + ")";
    }

    @Override
    public boolean synthetic() {
        return true;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public String sampleId(int index) {
        return SyntheticScenes.id(scene(index));
    }

    @Override
    public Sample load(int index) {
        return SyntheticScenes.draw(seed, scene(index), width, height);
    }
}
