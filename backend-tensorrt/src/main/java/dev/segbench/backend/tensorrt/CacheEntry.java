package dev.segbench.backend.tensorrt;

import dev.segbench.api.io.Sha256;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import java.util.HexFormat;

/**
 * The on-disk form of one cache entry (an engine or a timing cache): a fixed header, then the payload.
 * <pre>
 *   8 bytes  magic "SBTRTC01"
 *  32 bytes  key digest (SHA-256 of the cache key)
 *  32 bytes  SHA-256 of the payload
 *   8 bytes  payload length (big-endian)
 *   n bytes  payload
 * </pre>
 * Reading checks all four, so a truncated, bit-flipped, foreign or other-key file is recognised and never
 * handed to TensorRT.
 */
final class CacheEntry {

    static final byte[] MAGIC = "SBTRTC01".getBytes(StandardCharsets.US_ASCII);
    static final int HEADER_BYTES = 8 + 32 + 32 + 8;

    private CacheEntry() {
    }

    /** Header plus payload. */
    static byte[] encode(String keyHexDigest, byte[] payload) {
        ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES + payload.length).order(ByteOrder.BIG_ENDIAN);
        out.put(MAGIC).put(digestBytes(keyHexDigest)).put(Sha256.digest(payload)).putLong(payload.length).put(payload);
        return out.array();
    }

    /** The decoded payload, or why the bytes are not a valid entry for {@code keyHexDigest}. */
    sealed interface Decoded permits Valid, Invalid {
    }

    record Valid(byte[] payload) implements Decoded {
    }

    record Invalid(String reason) implements Decoded {
    }

    static Decoded decode(byte[] file, String keyHexDigest) {
        if (file.length < HEADER_BYTES) {
            return new Invalid("truncated header (" + file.length + " of " + HEADER_BYTES + " bytes)");
        }
        ByteBuffer in = ByteBuffer.wrap(file).order(ByteOrder.BIG_ENDIAN);
        byte[] magic = new byte[MAGIC.length];
        in.get(magic);
        if (!MessageDigest.isEqual(magic, MAGIC)) {
            return new Invalid("not a segbench TensorRT cache entry (bad magic)");
        }
        byte[] key = new byte[32];
        in.get(key);
        if (!MessageDigest.isEqual(key, digestBytes(keyHexDigest))) {
            return new Invalid("written for another key (" + HexFormat.of().formatHex(key) + ")");
        }
        byte[] payloadSha = new byte[32];
        in.get(payloadSha);
        long length = in.getLong();
        long present = file.length - HEADER_BYTES;
        if (length != present) {
            return new Invalid("payload length mismatch (header says " + length + " bytes, file holds " + present + ")");
        }
        byte[] payload = new byte[(int) length];
        in.get(payload);
        if (!MessageDigest.isEqual(payloadSha, Sha256.digest(payload))) {
            return new Invalid("payload checksum mismatch (corrupted)");
        }
        return new Valid(payload);
    }

    private static byte[] digestBytes(String hex) {
        byte[] bytes = HexFormat.of().parseHex(hex);
        if (bytes.length != 32) {
            throw new IllegalArgumentException("key digest must be 64 hex digits: " + hex);
        }
        return bytes;
    }
}
