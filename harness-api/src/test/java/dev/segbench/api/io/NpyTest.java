package dev.segbench.api.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class NpyTest {

    @Test
    void uint8AndFloat32RoundTripWithAlignedData(@TempDir Path dir) throws Exception {
        byte[] rgb = {0, 1, (byte) 200, (byte) 255, 7, 9};
        byte[] encoded = Npy.encodeUint8(new long[] {1, 2, 3}, rgb);
        assertEquals(0, (encoded.length - rgb.length) % 64, "data starts at a multiple of 64 bytes");
        Npy.Array u8 = Npy.read(Files.write(dir.resolve("rgb.npy"), encoded));
        assertArrayEquals(new long[] {1, 2, 3}, u8.shape());
        assertArrayEquals(rgb, u8.bytes());
        assertNull(u8.floats());

        float[] logits = {1.5f, -2f, Float.MAX_VALUE};
        Npy.Array f32 = Npy.read(Files.write(dir.resolve("l.npy"), Npy.encodeFloat32(new long[] {3}, logits)));
        assertArrayEquals(new long[] {3}, f32.shape());
        assertArrayEquals(logits, f32.floats());
    }
}
