package dev.segbench.testfixtures;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;

/**
 * torchvision's segmentation models ({@code lraspp_mobilenet_v3_large}, {@code deeplabv3_mobilenet_v3_large}, 21
 * classes, seeded random weights) exported to ONNX at test time by Debian's python3-torchvision (never committed).
 * Each is made once per machine into a folder under java.io.tmpdir and shared by every module's tests; a test that
 * needs one skips visibly where /usr/bin/python3 cannot import torchvision.
 */
public final class TorchvisionModels {

    /** LR-ASPP on MobileNetV3-Large (12.5 MB): Conv, HardSigmoid, Mul, Relu, Add, GlobalAveragePool, Resize, Sigmoid. */
    public static final String LRASPP = "lraspp";
    /** DeepLabV3 on MobileNetV3-Large (43 MB): as LR-ASPP plus dilated convolutions and an ASPP head. */
    public static final String DEEPLABV3 = "deeplabv3";

    private static final String PYTHON = "/usr/bin/python3";
    private static final String SCRIPT = "torchvision_models.py";

    private TorchvisionModels() {
    }

    /** The ONNX file of {@code name} ({@link #LRASPP} or {@link #DEEPLABV3}); skips the calling test without torchvision. */
    public static synchronized Path onnx(String name) {
        assumeTrue(available(), PYTHON + " cannot import torchvision (Debian's python3-torchvision): tests on torchvision's "
                + name + " model skipped");
        Path folder = Path.of(System.getProperty("java.io.tmpdir"), "segbench-torchvision-models-v1");
        Path model = folder.resolve(name + ".onnx");
        if (Files.isRegularFile(model)) {
            return model;
        }
        try {
            Files.createDirectories(folder);
            Path script = Files.createTempFile(folder, "export", ".py");
            try (InputStream in = TorchvisionModels.class.getResourceAsStream(SCRIPT)) {
                Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
            }
            // written beside the final name and moved, so a concurrent or killed export never leaves half a file there
            Path partial = Files.createTempFile(folder, name, ".onnx.partial");
            Process p = new ProcessBuilder(PYTHON, script.toString(), name, partial.toString())
                    .redirectErrorStream(true).redirectOutput(folder.resolve(name + ".log").toFile()).start();
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("exporting torchvision's " + name + " failed; see " + folder.resolve(name + ".log"));
            }
            Files.move(partial, model, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Files.deleteIfExists(script);
            return model;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Whether /usr/bin/python3 can import torchvision. */
    public static boolean available() {
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import torchvision").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
