package dev.segbench.api;

import java.util.List;

/**
 * An opened dataset in the role of MLPerf's sample library: it knows its size and loads a sample by
 * index. {@link #load} is thread-safe, so the runner decodes in parallel and keeps the order itself.
 */
public interface Dataset extends AutoCloseable {

    /** "voc2012/val", "synthetic(seed=1, 512x512)". */
    String name();

    /** True for generated data: results from it say nothing about accuracy on real images. */
    boolean synthetic();

    /** Number of samples (after limit / ids, without those skipped at open). */
    int size();

    String sampleId(int index);

    /** Decodes one sample; a bad file is reported as a {@link BadSampleException} naming it. */
    Sample load(int index) throws BadSampleException;

    /**
     * The class names in label order: labels are 0..size-1, and 255 marks pixels not scored. Models evaluated on
     * the dataset must have as many classes. Default: the 21 PASCAL VOC classes.
     */
    default List<String> classNames() {
        return VocClasses.NAMES;
    }

    /**
     * The colour of every label value as packed 0xRRGGBB, 256 entries (entry 255: the ignore label), used for the
     * label images of the gallery and the report's legend. Default: the VOC palette.
     */
    default int[] palette() {
        return VocClasses.palette();
    }

    /** Samples dropped while opening (duplicate ids under the skip policy, ...). */
    default List<SkippedSample> skippedAtOpen() {
        return List.of();
    }

    @Override
    default void close() {
    }
}
