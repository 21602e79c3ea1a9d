package dev.segbench.harness.calibration;

import dev.segbench.api.CalibrationMethod;
import dev.segbench.api.DatasetException;
import dev.segbench.api.DatasetOptions;
import dev.segbench.api.DatasetSpec;
import dev.segbench.datasets.SyntheticDatasetProvider;
import dev.segbench.results.UserException;
import dev.segbench.results.settings.CalibrationRequest;
import java.nio.file.Path;

/** Makes the {@link CalibrationRequest} setting from the {@code --calibration*} options (it needs the dataset plugins' conventions, which the recorded setting does not). */
public final class CalibrationRequests {

    private CalibrationRequests() {
    }

    /**
     * The request for the CLI options.
     *
     * @param calibration      {@code --calibration} (null: derived from the evaluated dataset: for voc its
     *                         {@value CalibrationRequest#DEFAULT_VOC_SPLIT} split, for synthetic another seed)
     * @param split            {@code --calibration-split} for voc (null: {@value CalibrationRequest#DEFAULT_VOC_SPLIT})
     * @param evaluated        the evaluated {@code --dataset}
     * @param evaluatedOptions how the evaluated dataset is opened (its seed and image size carry over to synthetic)
     */
    public static CalibrationRequest of(String calibration, String split, String evaluated,
                                        DatasetOptions evaluatedOptions, int images, CalibrationMethod method,
                                        Path cacheDir, Path cacheFile, int threads) {
        if (images < 1) {
            throw new UserException("--calibration-images: must be at least 1, got " + images);
        }
        String text = calibration != null ? calibration.strip() : evaluated.strip();
        if (text.isEmpty()) {
            throw new UserException("--calibration: give a dataset, e.g. voc:DIR or synthetic:64");
        }
        DatasetSpec spec;
        try {
            spec = DatasetSpec.parse(text);
        } catch (DatasetException e) {
            throw new UserException((calibration != null ? "--calibration: " : "--dataset: ") + e.getMessage(), e);
        }
        String scheme = spec.scheme();
        DatasetOptions options = DatasetOptions.defaults();
        if (scheme.equals("synthetic")) {
            // another seed: never the scenes a synthetic evaluation draws; the evaluated image size carries over
            String given = evaluatedOptions.parameter(SyntheticDatasetProvider.SEED, Long.toString(SyntheticDatasetProvider.DEFAULT_SEED));
            long seed;
            try {
                seed = Long.parseLong(given);
            } catch (NumberFormatException e) {
                throw new UserException("--dataset: seed=" + given + " is not a whole number");
            }
            options = options.with(SyntheticDatasetProvider.SEED, Long.toString(seed + 1));
            String size = evaluatedOptions.parameters().get(SyntheticDatasetProvider.SIZE);
            if (size != null) {
                options = options.with(SyntheticDatasetProvider.SIZE, size);
            }
            if (spec.location().isEmpty()) {
                spec = spec.withLocation(Integer.toString(images));
                text = spec.toString();
            }
        } else if (calibration == null && !scheme.equals("voc")) {
            throw new UserException("--calibration: no default calibration set for --dataset " + evaluated
                    + "; give one, e.g. --calibration " + scheme + ":...");
        }
        if (scheme.equals("voc")) {
            options = options.with("split", split == null || split.isBlank() ? CalibrationRequest.DEFAULT_VOC_SPLIT : split.strip());
        }
        return new CalibrationRequest(text, spec, options, images, method, cacheDir, cacheFile, threads);
    }
}
