package dev.segbench.api;

/**
 * How an RGB byte image becomes the model input: {@code x = (pixel * scale - mean[c]) / std[c]},
 * channels in RGB order, layout NCHW.
 */
public record Preprocessing(float scale, float[] mean, float[] std) {

    public static final Preprocessing IMAGENET = new Preprocessing(1f / 255f,
            new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});

    public Preprocessing {
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("mean and std need 3 channels");
        }
        mean = mean.clone();
        std = std.clone();
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }
}
