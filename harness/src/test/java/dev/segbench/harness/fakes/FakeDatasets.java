package dev.segbench.harness.fakes;

import dev.segbench.api.BadSampleException;
import dev.segbench.api.Dataset;
import dev.segbench.api.DatasetException;
import dev.segbench.api.DatasetOptions;
import dev.segbench.api.DatasetProvider;
import dev.segbench.api.Sample;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Test dataset "fake:N[,bad=K][?classes=3]": N images of assorted sizes made of class blocks. The red channel of
 * a labelled pixel is 10 * class (what the fake backend decodes), about 5% of pixels are labelled
 * 255 (ignore) with random red values; sample K, if given, is unreadable. With the parameter classes=3 it has
 * {@link FakeModels#THREE_CLASSES} and its own palette ({@link #THREE_CLASS_PALETTE}) instead of VOC's 21.
 */
public final class FakeDatasets implements DatasetProvider {

    /** Colours of the three-class variant: sky blue, asphalt grey, orange; ignore is white. */
    public static final int[] THREE_CLASS_PALETTE = threeClassPalette();

    @Override
    public String scheme() {
        return "fake";
    }

    @Override
    public String description() {
        return "fake data for tests: fake:N[,bad=K][?classes=3]";
    }

    @Override
    public java.util.Set<String> parameterKeys() {
        return java.util.Set.of("classes");
    }

    @Override
    public Dataset open(String location, DatasetOptions options) throws DatasetException {
        String[] parts = location.split(",");
        int n;
        int bad = -1;
        String classesGiven = options.parameter("classes", "21");
        try {
            n = Integer.parseInt(parts[0]);
            if (parts.length > 1) {
                bad = Integer.parseInt(parts[1].replace("bad=", ""));
            }
        } catch (NumberFormatException e) {
            throw new DatasetException("fake:" + location + ": not N[,bad=K]");
        }
        if (!classesGiven.equals("21") && !classesGiven.equals("3")) {
            throw new DatasetException("fake: classes=" + classesGiven + " is neither 3 nor 21");
        }
        int classes = Integer.parseInt(classesGiven);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        if (!options.ids().isEmpty()) {
            order.clear();
            for (String id : options.ids()) {
                order.add(Integer.parseInt(id.replace("fake-", "")));
            }
        }
        if (options.limit() > 0 && options.limit() < order.size()) {
            order = order.subList(0, options.limit());
        }
        return new FakeDataset(List.copyOf(order), bad, classes);
    }

    public static Sample sample(int k) {
        return sample(k, 21);
    }

    public static Sample sample(int k, int classes) {
        SplittableRandom r = new SplittableRandom(1000 + k);
        int w = 37 + 5 * k;
        int h = 29 + 3 * k;
        byte[] labels = new byte[w * h];
        byte[] rgb = new byte[w * h * 3];
        int blocks = 1 + r.nextInt(4);
        int[] classOf = new int[blocks * blocks];
        for (int i = 0; i < classOf.length; i++) {
            classOf[i] = r.nextInt(classes);
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                int c = classOf[(y * blocks / h) * blocks + x * blocks / w];
                boolean ignore = r.nextInt(20) == 0;
                labels[i] = (byte) (ignore ? 255 : c);
                rgb[3 * i] = (byte) (ignore ? r.nextInt(256) : 10 * c);
                rgb[3 * i + 1] = (byte) r.nextInt(256);
                rgb[3 * i + 2] = (byte) (x + y);
            }
        }
        return new Sample("fake-" + k, w, h, rgb, labels);
    }

    private static int[] threeClassPalette() {
        int[] p = new int[256];
        p[0] = 0x87CEEB;
        p[1] = 0x808080;
        p[2] = 0xFF8C00;
        p[255] = 0xFFFFFF;
        return p;
    }

    record FakeDataset(List<Integer> order, int bad, int classes) implements Dataset {
        @Override
        public List<String> classNames() {
            return classes == 3 ? FakeModels.THREE_CLASSES : Dataset.super.classNames();
        }

        @Override
        public int[] palette() {
            return classes == 3 ? THREE_CLASS_PALETTE.clone() : Dataset.super.palette();
        }

        @Override
        public String name() {
            return "fake(" + order.size() + ")";
        }

        @Override
        public boolean synthetic() {
            return true;
        }

        @Override
        public int size() {
            return order.size();
        }

        @Override
        public String sampleId(int index) {
            return "fake-" + order.get(index);
        }

        @Override
        public Sample load(int index) throws BadSampleException {
            int k = order.get(index);
            if (k == bad) {
                throw new BadSampleException("fake-" + k, Path.of("fake-" + k + ".jpg"), "truncated JPEG");
            }
            return sample(k, classes);
        }
    }
}
