package dev.segbench.backend.cuda;

/** Exposes the package-private test graphs to tests in sub-packages. */
public final class TestGraphsAccess {

    private TestGraphsAccess() {
    }

    public static byte[] mobileBlock() {
        return TestGraphs.mobileBlock(1);
    }

    public static byte[] decoder() {
        return TestGraphs.decoder(2);
    }

    public static byte[] labels() {
        return TestGraphs.labels(3);
    }

    public static byte[] half() {
        return TestGraphs.halfPrecision(4);
    }
}
