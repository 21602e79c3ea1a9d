package dev.segbench.api.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files (format 1.0/2.0, C order, little-endian float32 or uint8): the format is a
 * magic string, a Python-dict header and raw data, so a 60-line reader beats a dependency.
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']+)'");
    private static final Pattern ORDER = Pattern.compile("'fortran_order':\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    /** A loaded array: exactly one of {@code floats} / {@code bytes} is set. */
    public record Array(long[] shape, float[] floats, byte[] bytes) {
        public long size() {
            return Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        }
    }

    private Npy() {
    }

    public static Array read(Path file) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        for (byte m : MAGIC) {
            if (!buf.hasRemaining() || buf.get() != m) {
                throw new IOException(file + ": not a .npy file (bad magic)");
            }
        }
        int major = buf.get();
        buf.get();
        int headerLen = major == 1 ? Short.toUnsignedInt(buf.getShort()) : buf.getInt();
        byte[] h = new byte[headerLen];
        buf.get(h);
        String header = new String(h, StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher o = ORDER.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !o.find() || !s.find()) {
            throw new IOException(file + ": malformed .npy header: " + header.trim());
        }
        if (o.group(1).equals("True")) {
            throw new IOException(file + ": Fortran-order arrays are not supported");
        }
        long[] shape = Arrays.stream(s.group(1).split(",")).map(String::trim).filter(t -> !t.isEmpty())
                .mapToLong(Long::parseLong).toArray();
        long n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        switch (d.group(1)) {
            case "<f4" -> {
                float[] f = new float[Math.toIntExact(n)];
                buf.asFloatBuffer().get(f);
                return new Array(shape, f, null);
            }
            case "|u1", "<u1", "|i1" -> {
                byte[] b = new byte[Math.toIntExact(n)];
                buf.get(b);
                return new Array(shape, null, b);
            }
            default -> throw new IOException(file + ": dtype " + d.group(1) + " is not supported (float32 or uint8)");
        }
    }

    /** Encodes a uint8 C-order array. */
    public static byte[] encodeUint8(long[] shape, byte[] data) {
        String header = header("|u1", shape);
        ByteBuffer out = ByteBuffer.allocate(MAGIC.length + 4 + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        out.put(header.getBytes(StandardCharsets.ISO_8859_1));
        out.put(data);
        return out.array();
    }

    /** Encodes a little-endian float32 C-order array. */
    public static byte[] encodeFloat32(long[] shape, float[] data) {
        String header = header("<f4", shape);
        ByteBuffer out = ByteBuffer.allocate(MAGIC.length + 4 + header.length() + data.length * 4)
                .order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        out.put(header.getBytes(StandardCharsets.ISO_8859_1));
        out.asFloatBuffer().put(data);
        return out.array();
    }

    /** The header dict, padded so that the data starts at a multiple of 64 bytes, ending in a newline. */
    private static String header(String descr, long[] shape) {
        StringBuilder dims = new StringBuilder();
        for (long d : shape) {
            dims.append(d).append(", ");
        }
        if (shape.length > 1) {
            dims.setLength(dims.length() - 2);
        } else if (shape.length == 1) {
            dims.setLength(dims.length() - 1);
        }
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
        int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
        int pad = (64 - unpadded % 64) % 64;
        return dict + " ".repeat(pad) + "\n";
    }
}
