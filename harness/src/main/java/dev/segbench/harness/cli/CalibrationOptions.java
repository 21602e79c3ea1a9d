package dev.segbench.harness.cli;

import dev.segbench.harness.calibration.CalibrationRequests;
import dev.segbench.api.CalibrationMethod;
import dev.segbench.api.DatasetOptions;
import dev.segbench.results.UserException;
import dev.segbench.results.settings.CalibrationRequest;
import dev.segbench.results.settings.Int8Fallback;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --calibration*} options of int8, shared by {@code models export} and {@code compare}. */
final class CalibrationOptions {

    @Option(names = "--calibration", paramLabel = "SCHEME[:LOCATION]",
            description = "Images to calibrate int8 on, same syntax as --dataset: voc:DIR (its "
                    + CalibrationRequest.DEFAULT_VOC_SPLIT + " split unless --calibration-split), synthetic[:N] (a seed"
                    + " of its own).")
    String dataset;

    @Option(names = "--calibration-split", paramLabel = "SPLIT",
            description = "VOC split to calibrate on (default: " + CalibrationRequest.DEFAULT_VOC_SPLIT + ").")
    String split;

    @Option(names = "--calibration-images", paramLabel = "N", defaultValue = "" + CalibrationRequest.DEFAULT_IMAGES,
            description = "At most N calibration images, spread evenly over the set (default: ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--calibration-method", paramLabel = "M", defaultValue = CalibrationRequest.DEFAULT_METHOD_ID,
            description = "minmax, percentile (99.99%% of |x|) or entropy (TensorRT's KL divergence)"
                    + " (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--calibration-cache", paramLabel = "FILE",
            description = "Calibration table file: used when it holds a table made for the same model, weights, images"
                    + " and method; written (or updated) after a calibration.")
    Path cacheFile;

    @Option(names = "--int8-fallback", paramLabel = "none|auto|auto-agreement|LAYER,LAYER",
            defaultValue = Int8Fallback.DEFAULT,
            description = "Convolutions int8 keeps in float: none (all quantized), auto (those whose int8 kernel is not"
                    + " faster here, then the ones that break agreement with FP32 most, on the calibration images, until"
                    + " --int8-target is met), auto-agreement (auto without the speed rule) or a list of Conv node"
                    + " names (default: ${DEFAULT-VALUE}).")
    String fallback;

    @Option(names = "--int8-target", paramLabel = "PERCENT", defaultValue = Int8Fallback.DEFAULT_TARGET_PERCENT,
            description = "--int8-fallback auto: share of the calibration images' labels int8 must agree with FP32 on"
                    + " (default: ${DEFAULT-VALUE}).")
    String target;

    /**
     * Refuses every int8-only option given where nothing is quantized ({@code why}: "add int8 to --precisions"), so that
     * none is accepted and then ignored.
     */
    void refuseWithoutInt8(String why) {
        if (dataset != null) {
            throw new UserException("--calibration: only int8 runs are calibrated; " + why);
        }
        if (!Int8Fallback.DEFAULT.equals(fallback.strip()) || !Int8Fallback.DEFAULT_TARGET_PERCENT.equals(target.strip())) {
            throw new UserException((Int8Fallback.DEFAULT.equals(fallback.strip()) ? "--int8-target" : "--int8-fallback")
                    + ": only int8 runs keep layers in float; " + why);
        }
    }

    /**
     * The request, with the calibration set derived from {@code evaluated} when {@code --calibration} is absent.
     *
     * @param evaluated the evaluated dataset spec, or null where nothing is evaluated ({@code models export})
     */
    CalibrationRequest request(String evaluated, DatasetOptions evaluatedOptions, Path cacheDir, int threads) {
        if (dataset == null && evaluated == null) {
            throw new UserException("--calibration: int8 needs calibration images, e.g. --calibration voc:DIR"
                    + " or --calibration synthetic:64");
        }
        CalibrationMethod m;
        try {
            m = CalibrationMethod.parse(method);
        } catch (IllegalArgumentException e) {
            throw new UserException("--calibration-method: " + e.getMessage());
        }
        if (cacheFile != null && java.nio.file.Files.isDirectory(cacheFile)) {
            throw new UserException("--calibration-cache: " + cacheFile + " is a directory, not a file");
        }
        Int8Fallback int8Fallback = Int8Fallback.parse(fallback, target);
        return CalibrationRequests.of(dataset, split, evaluated == null ? dataset : evaluated, evaluatedOptions, images,
                m, cacheDir, cacheFile, threads).withFallback(int8Fallback);
    }
}
