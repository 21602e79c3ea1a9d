package dev.segbench.datasets;

import dev.segbench.api.Sample;
import dev.segbench.api.VocClasses;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Draws one synthetic scene, deterministically from (seed, index): a textured background (gradient,
 * smooth value noise, pixel noise) and 2..6 overlapping shapes (ellipses, rotated rectangles, star-shaped
 * polygons), each a VOC class 1..20, later shapes on top. As in VOC, a band a few pixels wide around
 * every object boundary is labelled 255 (ignore). Seeded SplittableRandom, plain double arithmetic and
 * StrictMath (Math.sin/cos may differ in the last bit between JVMs and CPUs), so the output is the same
 * on every JVM.
 */
public final class SyntheticScenes {

    static final String ID_PREFIX = "synthetic-";

    private SyntheticScenes() {
    }

    /** Draws sample {@code index} of the set with this seed at width x height. */
    public static Sample draw(long seed, int index, int width, int height) {
        if (width < 8 || height < 8) {
            throw new IllegalArgumentException("synthetic images need at least 8x8 pixels, not " + width + "x" + height);
        }
        SplittableRandom random = new SplittableRandom(mix(seed, index));
        byte[] rgb = new byte[width * height * 3];
        byte[] labels = new byte[width * height];
        drawBackground(random, width, height, rgb);
        int shapes = 2 + random.nextInt(5);
        for (int s = 0; s < shapes; s++) {
            drawShape(random, width, height, rgb, labels);
        }
        markBoundaries(labels, width, height, Math.max(1, Math.min(3, Math.min(width, height) / 128)));
        return new Sample(id(index), width, height, rgb, labels);
    }

    /** The id of scene {@code index}: "synthetic-000042" (ASCII digits whatever the default locale). */
    public static String id(int index) {
        return String.format(Locale.ROOT, "%s%06d", ID_PREFIX, index);
    }

    /** SplitMix64's finaliser over (seed, index), so neighbouring indices and seeds get unrelated streams. */
    private static long mix(long seed, int index) {
        long z = seed * 0x9E3779B97F4A7C15L + index;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static void drawBackground(SplittableRandom random, int width, int height, byte[] rgb) {
        int[] from = randomColor(random);
        int[] to = randomColor(random);
        double angle = random.nextDouble() * Math.PI * 2;
        double dx = StrictMath.cos(angle);
        double dy = StrictMath.sin(angle);
        double span = Math.abs(dx) * width + Math.abs(dy) * height;
        double offset = Math.min(0, dx * width) + Math.min(0, dy * height);
        // Coarse random grid interpolated bilinearly: smooth blotches like out-of-focus clutter.
        int cells = 4 + random.nextInt(8);
        double[] grid = new double[(cells + 1) * (cells + 1)];
        for (int i = 0; i < grid.length; i++) {
            grid[i] = random.nextDouble() * 60 - 30;
        }
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double t = (dx * x + dy * y - offset) / span;
                double blotch = bilinear(grid, cells, x * (double) cells / width, y * (double) cells / height);
                int p = 3 * (y * width + x);
                for (int c = 0; c < 3; c++) {
                    double v = from[c] + (to[c] - from[c]) * t + blotch + random.nextInt(17) - 8;
                    rgb[p + c] = clamp(v);
                }
            }
        }
    }

    private static void drawShape(SplittableRandom random, int width, int height, byte[] rgb, byte[] labels) {
        int label = 1 + random.nextInt(VocClasses.COUNT - 1);
        double cx = random.nextDouble() * width;
        double cy = random.nextDouble() * height;
        double size = Math.min(width, height) * (0.08 + random.nextDouble() * 0.3);
        int kind = random.nextInt(3);
        double rotation = random.nextDouble() * Math.PI;
        double[] xs;
        double[] ys;
        double rx = size * (0.5 + random.nextDouble());
        double ry = size * (0.5 + random.nextDouble());
        if (kind == 1) {
            xs = new double[] {-rx, rx, rx, -rx};
            ys = new double[] {-ry, -ry, ry, ry};
        } else if (kind == 2) {
            int n = 3 + random.nextInt(6);
            xs = new double[n];
            ys = new double[n];
            for (int i = 0; i < n; i++) {
                double a = (i + random.nextDouble() * 0.8) * 2 * Math.PI / n;
                double r = size * (0.4 + random.nextDouble() * 0.9);
                xs[i] = r * StrictMath.cos(a);
                ys[i] = r * StrictMath.sin(a);
            }
        } else {
            xs = null;
            ys = null;
        }
        double cos = StrictMath.cos(rotation);
        double sin = StrictMath.sin(rotation);
        int[] base = randomColor(random);
        double stripe = 0.05 + random.nextDouble() * 0.4;
        double reach = 1.6 * size + 2;
        int x0 = Math.max(0, (int) Math.floor(cx - reach));
        int x1 = Math.min(width - 1, (int) Math.ceil(cx + reach));
        int y0 = Math.max(0, (int) Math.floor(cy - reach));
        int y1 = Math.min(height - 1, (int) Math.ceil(cy + reach));
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                // Pixel centre in the shape's own (unrotated) frame.
                double px = x + 0.5 - cx;
                double py = y + 0.5 - cy;
                double u = cos * px + sin * py;
                double v = -sin * px + cos * py;
                boolean inside = xs == null ? (u * u) / (rx * rx) + (v * v) / (ry * ry) <= 1 : insidePolygon(xs, ys, u, v);
                if (!inside) {
                    continue;
                }
                int i = y * width + x;
                labels[i] = (byte) label;
                double shade = 25 * StrictMath.sin(u * stripe) + random.nextInt(11) - 5;
                for (int c = 0; c < 3; c++) {
                    rgb[3 * i + c] = clamp(base[c] + shade);
                }
            }
        }
    }

    /** Even-odd crossing test; hand-written because java.awt.geom would pull AWT into every worker thread. */
    private static boolean insidePolygon(double[] xs, double[] ys, double x, double y) {
        boolean inside = false;
        for (int i = 0, j = xs.length - 1; i < xs.length; j = i++) {
            if ((ys[i] > y) != (ys[j] > y) && x < (xs[j] - xs[i]) * (y - ys[i]) / (ys[j] - ys[i]) + xs[i]) {
                inside = !inside;
            }
        }
        return inside;
    }

    /** Sets 255 within {@code radius} pixels (square) of any place where two labels meet, as VOC's borders. */
    static void markBoundaries(byte[] labels, int width, int height, int radius) {
        boolean[] edge = new boolean[labels.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = y * width + x;
                if (x + 1 < width && labels[i] != labels[i + 1]) {
                    edge[i] = true;
                    edge[i + 1] = true;
                }
                if (y + 1 < height && labels[i] != labels[i + width]) {
                    edge[i] = true;
                    edge[i + width] = true;
                }
            }
        }
        // Separable square dilation: horizontal run, then vertical run.
        boolean[] horizontal = new boolean[labels.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                if (edge[y * width + x]) {
                    for (int k = Math.max(0, x - radius + 1); k <= Math.min(width - 1, x + radius - 1); k++) {
                        horizontal[y * width + k] = true;
                    }
                }
            }
        }
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                if (horizontal[y * width + x]) {
                    for (int k = Math.max(0, y - radius + 1); k <= Math.min(height - 1, y + radius - 1); k++) {
                        labels[k * width + x] = (byte) VocClasses.IGNORE;
                    }
                }
            }
        }
    }

    private static double bilinear(double[] grid, int cells, double gx, double gy) {
        int ix = Math.min(cells - 1, (int) gx);
        int iy = Math.min(cells - 1, (int) gy);
        double fx = gx - ix;
        double fy = gy - iy;
        int stride = cells + 1;
        double top = grid[iy * stride + ix] * (1 - fx) + grid[iy * stride + ix + 1] * fx;
        double bottom = grid[(iy + 1) * stride + ix] * (1 - fx) + grid[(iy + 1) * stride + ix + 1] * fx;
        return top * (1 - fy) + bottom * fy;
    }

    private static int[] randomColor(SplittableRandom random) {
        return new int[] {random.nextInt(256), random.nextInt(256), random.nextInt(256)};
    }

    private static byte clamp(double v) {
        return (byte) Math.max(0, Math.min(255, (int) Math.round(v)));
    }
}
