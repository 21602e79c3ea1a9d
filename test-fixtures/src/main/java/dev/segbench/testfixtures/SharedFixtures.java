package dev.segbench.testfixtures;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The ../shared fixtures (never committed): surefire passes their folder as the system property
 * {@code segbench.shared}; a test that needs them skips visibly (a JUnit assumption naming what is skipped) where
 * they are absent.
 */
public final class SharedFixtures {

    /** The five VOC images of the sample, which the fixture checkpoints were fitted to. */
    public static final List<String> IMAGE_IDS = List.of("2007_006171", "2008_001513", "2008_005197", "2009_002584",
            "2010_004994");

    private SharedFixtures() {
    }

    /** The system property that names the folder. */
    public static final String PROPERTY = "segbench.shared";

    /** The shared folder; skips the calling test, saying {@code whatIsSkipped}, when it is absent. */
    public static Path shared(String whatIsSkipped) {
        Optional<Path> shared = find();
        assumeTrue(shared.isPresent(), "../shared fixtures absent (" + PROPERTY + "=" + System.getProperty(PROPERTY)
                + "): " + whatIsSkipped + " skipped");
        return shared.get();
    }

    /** The shared folder named by the system property, if it is one. */
    public static Optional<Path> find() {
        return at(System.getProperty(PROPERTY));
    }

    /** {@code folder} if it is a shared fixture folder (data/nas-segm-reference and data/voc2012-sample); empty for null. */
    public static Optional<Path> at(String folder) {
        if (folder == null || folder.isBlank()) {
            return Optional.empty();
        }
        Path shared = Path.of(folder);
        return Files.isDirectory(shared.resolve("data/nas-segm-reference")) && Files.isDirectory(shared.resolve("data/voc2012-sample"))
                ? Optional.of(shared) : Optional.empty();
    }

    /** The fixture checkpoints and PyTorch outputs (data/nas-segm-reference). */
    public static Path reference(String whatIsSkipped) {
        return shared(whatIsSkipped).resolve("data/nas-segm-reference");
    }

    /** The VOC sample (data/voc2012-sample), a VOCdevkit layout. */
    public static Path vocSample(String whatIsSkipped) {
        return shared(whatIsSkipped).resolve("data/voc2012-sample");
    }

    /** The JPEG of one sample image. */
    public static Path image(Path shared, String id) {
        return shared.resolve("data/voc2012-sample/VOCdevkit/VOC2012/JPEGImages/" + id + ".jpg");
    }
}
