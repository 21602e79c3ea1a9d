package dev.segbench.backend.tensorrt;

import dev.segbench.api.SessionOptions.ShapeProfile;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class ProfileShapesTest {

    @Test
    void mapsTheRunProfileToNchwMinOptMax() {
        ProfileShapes p = ProfileShapes.from(new ShapeProfile(1, 4, 8, 64, 384, 500, 96, 512, 640));
        assertArrayEquals(new long[] {1, 3, 64, 96}, p.min());
        assertArrayEquals(new long[] {4, 3, 384, 512}, p.opt());
        assertArrayEquals(new long[] {8, 3, 500, 640}, p.max());
        assertEquals("min 1x3x64x96, opt 4x3x384x512, max 8x3x500x640", p.describe());
    }

    @Test
    void defaultProfile() {
        ProfileShapes p = ProfileShapes.from(ShapeProfile.DEFAULT);
        assertArrayEquals(new long[] {ShapeProfile.DEFAULT.maxBatch(), 3, ShapeProfile.DEFAULT.maxHeight(),
                ShapeProfile.DEFAULT.maxWidth()}, p.max());
        assertEquals(4L * ShapeProfile.DEFAULT.maxBatch() * 3 * ShapeProfile.DEFAULT.maxHeight()
                * ShapeProfile.DEFAULT.maxWidth(), p.maxInputBytes());
    }

    @Test
    void acceptsExactlyTheShapesInsideTheProfile() {
        ProfileShapes p = ProfileShapes.from(new ShapeProfile(1, 1, 4, 64, 128, 256, 64, 128, 256));
        assertTrue(p.accepts(1, 64, 64));
        assertTrue(p.accepts(4, 256, 256));
        assertFalse(p.accepts(5, 128, 128));
        assertFalse(p.accepts(1, 63, 128));
        assertFalse(p.accepts(1, 128, 257));
        assertFalse(p.accepts(0, 128, 128));
    }

    @Test
    void valueSemanticsAndDefensiveCopies() {
        ProfileShapes a = ProfileShapes.from(ShapeProfile.DEFAULT);
        ProfileShapes b = ProfileShapes.from(ShapeProfile.DEFAULT);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        a.min()[0] = 99;
        assertEquals(b, a, "min() must return a copy");
        assertNotEquals(a, ProfileShapes.from(new ShapeProfile(1, 1, 16, 64, 512, 1024, 64, 512, 1024)));
    }
}
