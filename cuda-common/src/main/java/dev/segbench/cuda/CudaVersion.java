package dev.segbench.cuda;

/** CUDA encodes versions as {@code 1000 * major + 10 * minor} (13010 = 13.1). */
public final class CudaVersion {

    private CudaVersion() {
    }

    /** "13.1" for 13010; "none" for 0 (what cudaDriverGetVersion reports without a driver). */
    public static String format(int encoded) {
        if (encoded <= 0) {
            return "none";
        }
        return major(encoded) + "." + minor(encoded);
    }

    public static int major(int encoded) {
        return encoded / 1000;
    }

    public static int minor(int encoded) {
        return (encoded % 1000) / 10;
    }
}
