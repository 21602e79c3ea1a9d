package dev.segbench.models;

import dev.segbench.api.ModelInfo;
import dev.segbench.api.Preprocessing;
import dev.segbench.api.VocClasses;
import java.util.List;
import java.util.Locale;

/** A catalogue entry: a genotype with the VOC output contract. Counts are derived from the genotype. */
final class NasSegmModel implements ModelInfo {

    private final String id;
    private final Genotype architecture;
    private final String releasedCheckpoint;

    NasSegmModel(String id, Genotype architecture, String releasedCheckpoint) {
        this.id = id;
        this.architecture = architecture;
        this.releasedCheckpoint = releasedCheckpoint;
    }

    Genotype architecture() {
        return architecture;
    }

    Layout layout() {
        return Layout.of(architecture, numClasses());
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String description() {
        return String.format(Locale.ROOT, "NAS-segm %s: MobileNet-v2 + searched decoder, stride %d, %.2f M params%s",
                id, outputStride(), parameterCount() / 1e6,
                releasedCheckpoint == null ? "" : ", released checkpoint " + releasedCheckpoint);
    }

    @Override
    public String genotype() {
        return architecture.text();
    }

    @Override
    public List<String> classNames() {
        return VocClasses.NAMES;
    }

    @Override
    public Preprocessing preprocessing() {
        return Preprocessing.IMAGENET;
    }

    @Override
    public int outputStride() {
        return architecture.outputStride();
    }

    @Override
    public long parameterCount() {
        return layout().parameters();
    }

    /** Convolution multiply-adds, BN folded (see {@link Layout} for what is counted). */
    @Override
    public long multiplyAdds(int height, int width) {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("input size must be positive, got " + height + "x" + width);
        }
        return Layout.of(architecture, numClasses(), height, width).multiplyAdds();
    }

    @Override
    public String toString() {
        return id + " " + architecture.text();
    }
}
