package dev.segbench.results.settings;

import dev.segbench.api.CalibrationMethod;
import dev.segbench.api.DatasetOptions;
import dev.segbench.api.DatasetSpec;
import dev.segbench.results.UserException;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What to calibrate on and how: the {@code --calibration*} options, resolved against the evaluated dataset.
 *
 * @param dataset        {@code scheme[:location][?options]}, the same syntax as {@code --dataset}, as given
 * @param spec           {@code dataset} parsed ({@link DatasetSpec}, the one parser of dataset specs)
 * @param datasetOptions how to open it (split, seed, size)
 * @param images         at most this many images, spread evenly over the dataset
 * @param method         how ranges are chosen
 * @param cacheDir       the cache root; tables live in {@code cacheDir/calibration} (null: no cache)
 * @param cacheFile      {@code --calibration-cache}: a file tables are imported from and exported to (null: none)
 * @param threads        intra-op threads for the calibration graph (0: all processors)
 */
public record CalibrationRequest(String dataset, DatasetSpec spec, DatasetOptions datasetOptions, int images,
                                 CalibrationMethod method, Path cacheDir, Path cacheFile, int threads,
                                 Int8Fallback fallback) {

    /** {@code --calibration-images} default: TensorRT's and ORT's samples use a few hundred; 64 keeps it quick. */
    public static final int DEFAULT_IMAGES = 64;
    /**
     * {@code --calibration-method} default, chosen by measurement: on the VOC sample with the fixture checkpoints,
     * calibrated on the sample or on synthetic:64, minmax agreed with FP32 at least as well as percentile in 11 of 12
     * cases (uint8 99.1-99.5%, |dmIoU| <= 0.005) and entropy (TensorRT's) clipped so hard that some models lost
     * a third of their mIoU: these BN-folded ReLU/ReLU6 networks have bounded activations, so resolution spent on the
     * whole range costs less than clipping.
     */
    public static final CalibrationMethod DEFAULT_METHOD = CalibrationMethod.MINMAX;
    /** {@link #DEFAULT_METHOD}'s id, for annotations. */
    public static final String DEFAULT_METHOD_ID = "minmax";
    /** The VOC split calibration reads unless told otherwise: never the evaluated (val) images. */
    public static final String DEFAULT_VOC_SPLIT = "train";

    public CalibrationRequest {
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(datasetOptions, "datasetOptions");
        Objects.requireNonNull(method, "method");
        if (images < 1) {
            throw new UserException("--calibration-images: must be at least 1, got " + images);
        }
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0, got " + threads);
        }
        fallback = fallback == null ? Int8Fallback.NONE : fallback;
    }

    /** A request that keeps no layer in float ({@code --int8-fallback none}). */
    public CalibrationRequest(String dataset, DatasetSpec spec, DatasetOptions datasetOptions, int images,
                              CalibrationMethod method, Path cacheDir, Path cacheFile, int threads) {
        this(dataset, spec, datasetOptions, images, method, cacheDir, cacheFile, threads, Int8Fallback.NONE);
    }

    /** The same request with {@code --int8-fallback} / {@code --int8-target}. */
    public CalibrationRequest withFallback(Int8Fallback value) {
        return new CalibrationRequest(dataset, spec, datasetOptions, images, method, cacheDir, cacheFile, threads, value);
    }

    /** The VOC split calibrated on, or null for a dataset without splits. */
    public String vocSplit() {
        return spec.scheme().equals("voc") ? datasetOptions.parameter("split", DEFAULT_VOC_SPLIT) : null;
    }

    /** For logs and results: "voc:/data/VOCdevkit (train), 64 images, percentile". */
    public String describe() {
        return dataset + (vocSplit() != null ? " (" + vocSplit() + ")" : "")
                + ", up to " + images
                + " images, " + method.id();
    }
}
