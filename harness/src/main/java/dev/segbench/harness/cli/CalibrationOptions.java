package dev.segbench.harness.cli;

import dev.segbench.api.CalibrationMethod;
import dev.segbench.api.DatasetOptions;
import dev.segbench.harness.UserException;
import dev.segbench.harness.calibration.CalibrationRequest;
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
        return CalibrationRequest.of(dataset, split, evaluated == null ? dataset : evaluated, evaluatedOptions, images,
                m, cacheDir, cacheFile, threads);
    }
}
