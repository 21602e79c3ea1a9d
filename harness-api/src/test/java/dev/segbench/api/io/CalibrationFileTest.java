package dev.segbench.api.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.api.CalibrationMethod;
import dev.segbench.api.CalibrationTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CalibrationFileTest {

    private static final CalibrationTable.Key KEY = new CalibrationTable.Key("arch0", "abc123", "voc2012/train",
            List.of("2007_000032", "2007_000039"), CalibrationMethod.PERCENTILE, "nas-segm-qdq/1+0123456789ab");

    private static CalibrationTable table(float... minMax) {
        java.util.TreeMap<String, CalibrationTable.Range> ranges = new java.util.TreeMap<>();
        for (int i = 0; i < minMax.length; i += 2) {
            ranges.put("t" + i, new CalibrationTable.Range(minMax[i], minMax[i + 1]));
        }
        return new CalibrationTable(KEY, ranges);
    }

    /** Floats survive the JSON round trip bit for bit (any finite float, subnormals included), so the digest does too. */
    @Property(tries = 300)
    void roundTripIsBitExact(@ForAll int bitsA, @ForAll int bitsB) throws Exception {
        float a = Float.intBitsToFloat(bitsA);
        float b = Float.intBitsToFloat(bitsB);
        Assume.that(Float.isFinite(a) && Float.isFinite(b));
        CalibrationTable t = table(Math.min(a, b), Math.max(a, b), 0f, Math.abs(a), -Math.abs(b), 0f);
        CalibrationTable back = CalibrationFile.parse(CalibrationFile.toBytes(List.of(t)), "mem").getFirst();
        assertEquals(t, back);
        assertEquals(t.sha256(), back.sha256());
    }

    @Test
    void writesSeveralModelsAtomicallyAndReadsThemBack(@TempDir Path dir) throws Exception {
        CalibrationTable a = table(-1f, 2f);
        CalibrationTable b = new CalibrationTable(new CalibrationTable.Key("arch1", "def", "synthetic(seed=2, 512x512)",
                List.of("scene-000000"), CalibrationMethod.ENTROPY, "g"), new java.util.TreeMap<>(Map.of("x",
                new CalibrationTable.Range(0f, 6f))));
        Path file = dir.resolve("tables.json");
        CalibrationFile.write(file, List.of(a, b));
        assertEquals(List.of(a, b), CalibrationFile.read(file));
        String json = Files.readString(file);
        assertTrue(json.contains("\"int8_scale\"") && json.contains("\"uint8_zero_point\""), "scales are written: " + json);
    }

    @Test
    void corruptOrHandEditedFilesAreRejectedWithOneLineNamingTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("cache.json");
        String good = new String(CalibrationFile.toBytes(List.of(table(-1f, 2f))), StandardCharsets.UTF_8);
        for (String bad : List.of(
                good.substring(0, good.length() / 2),                              // truncated
                "{\"format\": \"something-else\"}",                                // not ours
                good.replace("\"max\" : 2.0", "\"max\" : 3.0"),                     // range edited: digest mismatch
                good.replace("\"int8_scale\" : 0.015748031", "\"int8_scale\" : 0.5"), // scale edited
                good.replace("\"method\" : \"percentile\"", "\"method\" : \"median\""),
                good.replace("\"max\" : 2.0", "\"max\" : \"two\""),
                "")) {
            assertNotEquals(good, bad);
            Files.writeString(file, bad);
            IOException e = assertThrows(IOException.class, () -> CalibrationFile.read(file), bad);
            assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
            assertFalse(e.getMessage().contains("Exception"), e.getMessage());
        }
        assertThrows(NoSuchFileException.class, () -> CalibrationFile.read(dir.resolve("missing.json")));
    }

    @Test
    void rangesDeriveTheScalesOfBothFlavours() {
        CalibrationTable.Range relu = new CalibrationTable.Range(0f, 5.1f);
        assertEquals(5.1f / 127, relu.int8Scale());
        assertEquals(0.02f, relu.uint8Scale(), 1e-7f);
        assertEquals(0, relu.uint8ZeroPoint(), "a ReLU output gets zero point 0");
        CalibrationTable.Range signed = new CalibrationTable.Range(-1f, 3f);
        assertEquals(3f / 127, signed.int8Scale());
        assertEquals(64, signed.uint8ZeroPoint()); // round(1 / (4 / 255)) = round(63.75)
        CalibrationTable.Range positive = new CalibrationTable.Range(2f, 4f);
        assertEquals(0, positive.uint8ZeroPoint(), "the uint8 range always holds 0");
        assertThrows(IllegalArgumentException.class, () -> new CalibrationTable.Range(1f, -1f));
        assertThrows(IllegalArgumentException.class, () -> new CalibrationTable.Range(Float.NaN, 1f));
    }

    @Test
    void keysSayWhatDiffers() {
        assertNull(KEY.difference(KEY));
        CalibrationTable.Key other = new CalibrationTable.Key("arch0", "abc123", "voc2012/train", List.of("2007_000032"),
                CalibrationMethod.PERCENTILE, KEY.graphVersion());
        assertTrue(KEY.difference(other).contains("1 other calibration images"), KEY.difference(other));
        assertNotEquals(KEY.sha256(), other.sha256());
    }
}
