package dev.segbench.models;

import dev.segbench.api.ModelException;
import java.util.ArrayList;
import java.util.List;

/**
 * A NAS-segm decoder architecture: the contextual-cell config {@code [op0, [p,q,a,b], ...]} and the
 * merge-cell connections {@code [[i,j], ...]}, written {@code [[op0, [p,q,a,b], ...], [[i,j], ...]]}.
 * Every index is validated on construction ({@link #of} and {@link #parse} report problems as
 * {@link ModelException}; the record constructor throws IllegalArgumentException with the same message).
 */
public record Genotype(int firstOp, List<Block> blocks, List<Connection> connections) {

    /** Encoder feature maps that start the decoder's pool: layer3, layer4, layer6, layer8. */
    static final int[] ENCODER_STRIDES = {4, 8, 16, 32};
    /** Number of operations in the search space (ids 0..10). */
    static final int OP_COUNT = CellOp.values().length;

    /** Block m (1-based) of a contextual cell: {@code f[3m-1] = OP[a](f[p])}, {@code f[3m] = OP[b](f[q])}. */
    public record Block(int p, int q, int a, int b) {
    }

    /** Merge cell k reads pool entries {@code x[i]} and {@code x[j]} and appends {@code x[4+k]}. */
    public record Connection(int i, int j) {
    }

    public Genotype {
        blocks = List.copyOf(blocks);
        connections = List.copyOf(connections);
        String problem = problem(firstOp, blocks, connections);
        if (problem != null) {
            throw new IllegalArgumentException("genotype " + text(firstOp, blocks, connections) + ": " + problem);
        }
    }

    /** Builds and validates a genotype; the error names the genotype and the bad index. */
    public static Genotype of(int firstOp, List<Block> blocks, List<Connection> connections) throws ModelException {
        try {
            return new Genotype(firstOp, blocks, connections);
        } catch (IllegalArgumentException e) {
            throw new ModelException(e.getMessage());
        }
    }

    /** Parses the text form, e.g. {@code [[8, [0,0,5,2], [0,2,8,8], [0,5,1,4]], [[3,3], [3,2], [3,0]]]}. */
    public static Genotype parse(String text) throws ModelException {
        String oneLine = text.strip().replaceAll("\\s+", " "); // errors are one line
        Object tree;
        try {
            tree = new NestedIntListParser(text).parseAll();
        } catch (IllegalArgumentException e) {
            throw new ModelException("genotype " + oneLine + ": " + e.getMessage());
        }
        String shapeError = "genotype " + oneLine + ": expected [[op0, [p,q,a,b], ...], [[i,j], ...]]";
        if (!(tree instanceof List<?> top) || top.size() != 2
                || !(top.get(0) instanceof List<?> cell) || !(top.get(1) instanceof List<?> conns)
                || cell.isEmpty() || !(cell.get(0) instanceof Integer op0) || conns.isEmpty()) {
            throw new ModelException(shapeError);
        }
        List<Block> blocks = new ArrayList<>();
        for (Object b : cell.subList(1, cell.size())) {
            int[] v = ints(b, 4);
            if (v == null) {
                throw new ModelException(shapeError + " (a block is not 4 integers: " + b + ")");
            }
            blocks.add(new Block(v[0], v[1], v[2], v[3]));
        }
        List<Connection> connections = new ArrayList<>();
        for (Object c : conns) {
            int[] v = ints(c, 2);
            if (v == null) {
                throw new ModelException(shapeError + " (a connection is not 2 integers: " + c + ")");
            }
            connections.add(new Connection(v[0], v[1]));
        }
        return of(op0, blocks, connections);
    }

    private static int[] ints(Object node, int n) {
        if (!(node instanceof List<?> list) || list.size() != n) {
            return null;
        }
        int[] v = new int[n];
        for (int k = 0; k < n; k++) {
            if (!(list.get(k) instanceof Integer x)) {
                return null;
            }
            v[k] = x;
        }
        return v;
    }

    /** The first problem found, or null. */
    private static String problem(int firstOp, List<Block> blocks, List<Connection> connections) {
        List<String> problems = new ArrayList<>();
        checkOp(firstOp, "op0", problems);
        if (connections.isEmpty()) {
            problems.add("needs at least one connection");
        }
        for (int m = 1; m <= blocks.size(); m++) {
            Block b = blocks.get(m - 1);
            int maxIndex = 3 * m - 2; // f[0 .. 3m-2] exist before block m
            checkIndex(b.p(), maxIndex, "block " + m + " input p", problems);
            checkIndex(b.q(), maxIndex, "block " + m + " input q", problems);
            checkOp(b.a(), "block " + m + " op a", problems);
            checkOp(b.b(), "block " + m + " op b", problems);
        }
        for (int k = 0; k < connections.size(); k++) {
            Connection c = connections.get(k);
            int maxIndex = ENCODER_STRIDES.length - 1 + k; // x[0 .. 3+k] exist before merge cell k
            checkIndex(c.i(), maxIndex, "connection " + k + " index i", problems);
            checkIndex(c.j(), maxIndex, "connection " + k + " index j", problems);
        }
        return problems.isEmpty() ? null : problems.getFirst();
    }

    private static void checkOp(int op, String what, List<String> problems) {
        if (op < 0 || op >= OP_COUNT) {
            problems.add(what + " = " + op + " is not an operation id (0.." + (OP_COUNT - 1) + ")");
        }
    }

    private static void checkIndex(int index, int max, String what, List<String> problems) {
        if (index < 0 || index > max) {
            problems.add(what + " = " + index + " is out of range (0.." + max + ")");
        }
    }

    /** Canonical text form, as in the architecture document. */
    public String text() {
        return text(firstOp, blocks, connections);
    }

    private static String text(int firstOp, List<Block> blocks, List<Connection> connections) {
        StringBuilder s = new StringBuilder("[[").append(firstOp);
        for (Block b : blocks) {
            s.append(", [").append(b.p()).append(',').append(b.q()).append(',').append(b.a()).append(',')
                    .append(b.b()).append(']');
        }
        s.append("], [");
        for (int k = 0; k < connections.size(); k++) {
            Connection c = connections.get(k);
            s.append(k == 0 ? "" : ", ").append('[').append(c.i()).append(',').append(c.j()).append(']');
        }
        return s.append("]]").toString();
    }

    @Override
    public String toString() {
        return text();
    }

    /** Contextual-cell entries f[i] summed for the cell output ("loose ends"), in order. */
    List<Integer> cellOutputs() {
        List<Integer> loose = new ArrayList<>(List.of(1)); // op0 consumed f[0] and produced f[1]
        for (int m = 1; m <= blocks.size(); m++) {
            loose.remove(Integer.valueOf(blocks.get(m - 1).p()));
            loose.remove(Integer.valueOf(blocks.get(m - 1).q()));
            loose.add(3 * m + 1);
        }
        return loose;
    }

    /** Pool entries x[k] concatenated into the decoder output, in order (the collect rule). */
    List<Integer> collected() {
        List<Integer> collect = new ArrayList<>();
        for (int k = 0; k < connections.size(); k++) {
            collect.remove(Integer.valueOf(connections.get(k).i()));
            collect.remove(Integer.valueOf(connections.get(k).j()));
            collect.add(ENCODER_STRIDES.length + k);
        }
        return collect;
    }

    /** Stride (relative to the input) of every pool entry x[0 .. 3+connections]. */
    int[] poolStrides() {
        int[] s = new int[ENCODER_STRIDES.length + connections.size()];
        System.arraycopy(ENCODER_STRIDES, 0, s, 0, ENCODER_STRIDES.length);
        for (int k = 0; k < connections.size(); k++) {
            Connection c = connections.get(k);
            s[ENCODER_STRIDES.length + k] = Math.min(s[c.i()], s[c.j()]); // Agg resizes to the finer map
        }
        return s;
    }

    /** Output stride: the finest collected map (collect resizes everything to it). */
    public int outputStride() {
        int[] strides = poolStrides();
        return collected().stream().mapToInt(k -> strides[k]).min().orElseThrow();
    }

    /**
     * Reads nested lists of integers, e.g. {@code [[8, [0,0,5,2]], [[3,3]]]}. Hand-written because
     * the grammar is three tokens and the errors must point at the offending character.
     */
    private static final class NestedIntListParser {
        private final String text;
        private int pos;

        NestedIntListParser(String text) {
            this.text = text;
        }

        Object parseAll() {
            Object v = value();
            skipSpace();
            if (pos != text.length()) {
                throw error("unexpected '" + text.charAt(pos) + "'");
            }
            return v;
        }

        private Object value() {
            skipSpace();
            if (pos >= text.length()) {
                throw error("unexpected end");
            }
            char c = text.charAt(pos);
            if (c == '[') {
                pos++;
                List<Object> list = new ArrayList<>();
                skipSpace();
                if (pos < text.length() && text.charAt(pos) == ']') {
                    pos++;
                    return list;
                }
                while (true) {
                    list.add(value());
                    skipSpace();
                    if (pos < text.length() && text.charAt(pos) == ',') {
                        pos++;
                    } else if (pos < text.length() && text.charAt(pos) == ']') {
                        pos++;
                        return list;
                    } else {
                        throw error(pos < text.length() ? "unexpected '" + text.charAt(pos) + "'" : "missing ']'");
                    }
                }
            }
            int start = pos;
            if (c == '-') {
                pos++;
            }
            while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
                pos++;
            }
            if (pos == start || (pos == start + 1 && c == '-')) {
                throw error("unexpected '" + c + "'");
            }
            try {
                return Integer.parseInt(text.substring(start, pos));
            } catch (NumberFormatException e) {
                throw error("number too large");
            }
        }

        private void skipSpace() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException(what + " at character " + (pos + 1));
        }
    }
}
