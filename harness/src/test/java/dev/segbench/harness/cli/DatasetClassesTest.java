package dev.segbench.harness.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.results.Results;
import dev.segbench.results.ResultsJson;
import dev.segbench.results.Run;
import dev.segbench.harness.CliResult;
import dev.segbench.harness.fakes.FakeDatasets;
import dev.segbench.harness.fakes.FakeModels;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dataset plugin with its own classes (three, not VOC's 21) and palette: a real compare carries them into the
 * results, the gallery's label images and the report (legend, per-class IoU, confusion matrix).
 */
class DatasetClassesTest {

    @TempDir
    Path tmp;

    @Test
    void aThreeClassDatasetIsReportedWithItsOwnNamesAndColours() throws Exception {
        Path out = tmp.resolve("out");
        CliResult r = CompareEndToEndTest.compareInProcess(out, "--backends", "fake", "--models", "tiny3",
                "--dataset", "fake:4?classes=3", "--gallery", "2");
        assertEquals(0, r.code(), r.toString());

        Results res = ResultsJson.read(out);
        assertEquals(FakeModels.THREE_CLASSES, res.classes().names());
        assertEquals(List.of("#87ceeb", "#808080", "#ff8c00"), res.classes().colours());
        assertEquals("#ffffff", res.classes().ignoreColour());
        Run fp32 = res.runs().stream().filter(x -> x.key().equals("tiny3/fake/fp32")).findFirst().orElseThrow();
        assertEquals(3, fp32.accuracy().perClassIou().size());
        assertEquals(3, fp32.accuracy().confusionMatrix().length);

        // the gallery's label images carry the dataset's palette, so they look like the legend says
        String label = res.gallery().getFirst().label();
        BufferedImage png = ImageIO.read(out.resolve(label).toFile());
        IndexColorModel colours = (IndexColorModel) png.getColorModel();
        for (int i = 0; i < 3; i++) {
            assertEquals(FakeDatasets.THREE_CLASS_PALETTE[i], colours.getRGB(i) & 0xFFFFFF, "palette entry " + i);
        }
        String prediction = res.gallery().getFirst().predictions().get("tiny3/fake/fp32");
        IndexColorModel predicted = (IndexColorModel) ImageIO.read(out.resolve(prediction).toFile()).getColorModel();
        assertEquals(FakeDatasets.THREE_CLASS_PALETTE[2], predicted.getRGB(2) & 0xFFFFFF);

        String html = Files.readString(out.resolve("report.html"), StandardCharsets.UTF_8);
        assertTrue(html.contains("background-color: #87ceeb\" aria-hidden=\"true\"></span>0 sky"), "legend entry sky");
        assertTrue(html.contains("background-color: #808080\" aria-hidden=\"true\"></span>1 road"), "legend entry road");
        assertTrue(html.contains("background-color: #ff8c00\" aria-hidden=\"true\"></span>2 car"), "legend entry car");
        assertFalse(html.contains("aeroplane"), "no VOC class name in a report of a three-class dataset");
        assertFalse(html.contains("tvmonitor"), "no VOC class name in a report of a three-class dataset");
    }

    @Test
    void aModelWhoseClassesDoNotMatchTheDatasetIsRefusedInOneLine() {
        Path out = tmp.resolve("mismatch");
        CliResult r = CompareEndToEndTest.compareInProcess(out, "--backends", "fake", "--models", "tiny",
                "--dataset", "fake:2?classes=3");
        assertEquals(2, r.code(), r.toString());
        assertEquals(List.of("segbench: --models tiny: the model has 21 classes but dataset fake(2) has 3"), r.errLines());
        assertFalse(Files.exists(out.resolve("results.json")));
    }
}
