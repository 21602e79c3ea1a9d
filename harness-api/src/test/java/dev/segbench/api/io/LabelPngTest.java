package dev.segbench.api.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** The one label-PNG rule: palette indices or 8-bit grey values in, palette PNGs in the dataset's colours out. */
class LabelPngTest {

    private static final byte[] LABELS = {0, 1, 2, (byte) 255, 2, 1};

    @Test
    void encodedLabelsDecodeToThemselvesInTheGivenColours() throws Exception {
        int[] palette = new int[256];
        palette[1] = 0x123456;
        palette[2] = 0xABCDEF;
        byte[] png = LabelPng.encode(LABELS, 3, 2, palette);
        LabelPng.Labels back = LabelPng.decode(png);
        assertEquals(3, back.width());
        assertEquals(2, back.height());
        assertArrayEquals(LABELS, back.values());
        IndexColorModel colours = (IndexColorModel) ImageIO.read(new ByteArrayInputStream(png)).getColorModel();
        assertEquals(0xABCDEF, colours.getRGB(2) & 0xFFFFFF);
    }

    @Test
    void greyValuesAreLabels() throws Exception {
        BufferedImage grey = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setDataElements(0, 0, 3, 2, LABELS);
        assertArrayEquals(LABELS, LabelPng.decode(png(grey)).values());
    }

    @Test
    void colourImagesAndNonPngsAreRefusedInWords() throws Exception {
        BufferedImage rgb = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        assertEquals("label PNG is neither a palette nor an 8-bit grayscale image (3 channels, 8 bits)",
                assertThrows(LabelPng.BadLabelPngException.class, () -> LabelPng.decode(png(rgb))).getMessage());
        assertEquals("not a PNG file (bad signature)",
                assertThrows(LabelPng.BadLabelPngException.class, () -> LabelPng.decode("GIF89a..".getBytes())).getMessage());
        assertEquals("empty PNG file",
                assertThrows(LabelPng.BadLabelPngException.class, () -> LabelPng.decode(new byte[0])).getMessage());
    }

    private static byte[] png(BufferedImage image) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }
}
