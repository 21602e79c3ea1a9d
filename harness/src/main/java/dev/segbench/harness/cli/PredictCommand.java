package dev.segbench.harness.cli;

import dev.segbench.api.Backend;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.io.Npy;
import dev.segbench.api.io.AtomicFiles;
import dev.segbench.results.UserException;
import dev.segbench.harness.plugins.Plugins;
import dev.segbench.harness.predict.Predictor;
import dev.segbench.harness.results.GalleryWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code segbench predict}: one image to a colour mask and/or raw logits. */
@Command(name = "predict", mixinStandardHelpOptions = true, description = "Segment one image: a VOC-palette mask PNG and/or the raw logits as .npy.")
final class PredictCommand implements Callable<Integer> {

    @ParentCommand
    Cli cli;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--backend", description = "Backend id (default: the best-ranked available one).")
    String backend;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "N", description = "Intra-op threads (0 = backend default).")
    int threads;

    @Option(names = "--image", required = true, paramLabel = "FILE", description = "Image to segment (any format javax.imageio reads).")
    Path image;

    @Option(names = "--out-mask", paramLabel = "FILE.png", description = "Label map as an 8-bit PNG with the VOC palette.")
    Path outMask;

    @Option(names = "--out-logits", paramLabel = "FILE.npy", description = "Raw logits, float32 [classes, h, w].")
    Path outLogits;

    @Override
    public Integer call() throws Exception {
        if (outMask == null && outLogits == null) {
            throw new UserException("give --out-mask FILE.png and/or --out-logits FILE.npy");
        }
        Precision p = modelOptions.precision();
        if (p == Precision.INT8) {
            throw new UserException("--precision int8: predict does not calibrate; write a calibrated int8 graph with"
                    + " 'segbench models export --precision int8 --calibration DATASET'");
        }
        Backend b = chooseBackend(p);
        ModelSource source = modelOptions.load(cli);
        Predictor.Prediction pred = Predictor.predict(b, source, p, threads, image);
        // Checked before writing anything, so a failed predict leaves no partial set of outputs behind.
        if (outLogits != null && pred.logits() == null) {
            throw new UserException("backend " + b.id() + " returned labels, not logits: --out-logits is not available");
        }
        if (outMask != null) {
            AtomicFiles.write(outMask, GalleryWriter.png(GalleryWriter.paletteImage(pred.labels(), pred.width(), pred.height())));
            cli.out.println("wrote " + outMask);
        }
        if (outLogits != null) {
            AtomicFiles.write(outLogits, Npy.encodeFloat32(new long[] {pred.classes(), pred.logitsHeight(), pred.logitsWidth()},
                    pred.logits()));
            cli.out.println("wrote " + outLogits);
        }
        return 0;
    }

    private Backend chooseBackend(Precision p) {
        var plugins = cli.plugins();
        if (backend != null) {
            Backend b = plugins.requireBackend(backend, "");
            if (!Plugins.availability(b).available()) {
                throw new UserException("backend " + backend + " is not available: " + Plugins.availability(b).reason());
            }
            if (!b.precisions().contains(p)) {
                throw new UserException("backend " + backend + " does not support " + p.id());
            }
            return b;
        }
        return plugins.backends().stream().filter(b -> Plugins.availability(b).available() && b.precisions().contains(p)).findFirst()
                .orElseThrow(() -> new UserException("no available backend supports " + p.id() + " (see 'segbench backends')"));
    }
}
