package dev.segbench.models;

/** The contextual cell's operation set, in genotype id order (all 64 -> 64 channels, stride 1). */
enum CellOp {
    CONV1X1(Kind.CONV, 1, 1),
    CONV3X3(Kind.CONV, 3, 1),
    SEP_CONV_3X3(Kind.SEPARABLE, 3, 1),
    SEP_CONV_5X5(Kind.SEPARABLE, 5, 1),
    GLOBAL_AVERAGE_POOL(Kind.GLOBAL_POOL, 1, 1),
    CONV3X3_DIL3(Kind.CONV, 3, 3),
    CONV3X3_DIL12(Kind.CONV, 3, 12),
    SEP_CONV_3X3_DIL3(Kind.SEPARABLE, 3, 3),
    SEP_CONV_5X5_DIL6(Kind.SEPARABLE, 5, 6),
    SKIP_CONNECT(Kind.IDENTITY, 0, 0),
    NONE(Kind.ZERO, 0, 0);

    enum Kind { CONV, SEPARABLE, GLOBAL_POOL, IDENTITY, ZERO }

    /** Separable ops repeat [depthwise, pointwise, BN, ReLU] this many times (decoder repeats = 2). */
    static final int SEPARABLE_REPEATS = 2;

    final Kind kind;
    final int kernel;
    final int dilation;

    CellOp(Kind kind, int kernel, int dilation) {
        this.kind = kind;
        this.kernel = kernel;
        this.dilation = dilation;
    }

    /** "Same" padding for a stride-1 conv: dilation * (kernel - 1) / 2. */
    int padding() {
        return dilation * (kernel - 1) / 2;
    }

    static CellOp byId(int id) {
        return values()[id];
    }
}
