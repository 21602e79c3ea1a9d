package dev.segbench.models.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Test-only torch.save writer: lays out a state_dict of a few tensors the way PyTorch does, in the legacy format
 * (magic, protocol version, sys_info, object pickle, key list, raw storages) and in the zip format
 * ({@code <folder>/data.pkl}, {@code <folder>/data/<key>}, {@code <folder>/version}), so the reader can be
 * round-tripped without PyTorch.
 */
final class TorchSaveWriter {
    /** A storage: its torch class name (e.g. "HalfStorage"), key, element count and little-endian bytes. */
    record Storage(String className, String key, long numel, byte[] data) {}

    /** A state_dict entry viewing {@code storage} at {@code offset} with the given sizes and strides. */
    record Tensor(String name, Storage storage, long offset, long[] shape, long[] strides) {}

    private final List<Tensor> tensors = new ArrayList<>();
    private String wrapperKey;
    private Consumer<PickleBuilder> extraTopLevelItem;

    TorchSaveWriter add(String name, Storage storage, long offset, long[] shape, long[] strides) {
        tensors.add(new Tensor(name, storage, offset, shape, strides));
        return this;
    }

    /** Saves {@code {"epoch": 7, wrapperKey: state_dict}} instead of the bare state_dict. */
    TorchSaveWriter wrappedUnder(String key) {
        this.wrapperKey = key;
        return this;
    }

    /** Adds one more item (key and value pushed by the consumer) to the state_dict's SETITEMS. */
    TorchSaveWriter extraItem(Consumer<PickleBuilder> keyAndValue) {
        this.extraTopLevelItem = keyAndValue;
        return this;
    }

    static long[] contiguousStrides(long... shape) {
        long[] strides = new long[shape.length];
        long s = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            strides[d] = s;
            s *= shape[d];
        }
        return strides;
    }

    static Storage floats(String key, float... values) {
        ByteBuffer b = le(values.length * 4);
        for (float v : values) b.putFloat(v);
        return new Storage("FloatStorage", key, values.length, b.array());
    }

    static Storage halfs(String key, float... values) {
        ByteBuffer b = le(values.length * 2);
        for (float v : values) b.putShort(Float.floatToFloat16(v));
        return new Storage("HalfStorage", key, values.length, b.array());
    }

    static Storage bfloat16s(String key, float... values) {
        ByteBuffer b = le(values.length * 2);
        for (float v : values) b.putShort((short) (Float.floatToRawIntBits(v) >>> 16));
        return new Storage("BFloat16Storage", key, values.length, b.array());
    }

    static Storage doubles(String key, double... values) {
        ByteBuffer b = le(values.length * 8);
        for (double v : values) b.putDouble(v);
        return new Storage("DoubleStorage", key, values.length, b.array());
    }

    static Storage longs(String key, long... values) {
        ByteBuffer b = le(values.length * 8);
        for (long v : values) b.putLong(v);
        return new Storage("LongStorage", key, values.length, b.array());
    }

    static Storage ints(String key, int... values) {
        ByteBuffer b = le(values.length * 4);
        for (int v : values) b.putInt(v);
        return new Storage("IntStorage", key, values.length, b.array());
    }

    static Storage raw(String className, String key, long numel, byte[] data) {
        return new Storage(className, key, numel, data);
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private List<Storage> storages() {
        Map<String, Storage> byKey = new LinkedHashMap<>();
        for (Tensor t : tensors) byKey.putIfAbsent(t.storage().key(), t.storage());
        return new ArrayList<>(byKey.values());
    }

    /** The object pickle; legacy persistent ids carry a sixth field (view metadata, None here). */
    byte[] objectPickle(boolean legacy) {
        PickleBuilder p = new PickleBuilder().proto(2);
        if (wrapperKey != null) {
            p.emptyDict().mark().str("epoch").integer(7).str(wrapperKey);
        }
        p.global("collections", "OrderedDict").emptyTuple().reduce().mark();
        for (Tensor t : tensors) {
            p.str(t.name()).global("torch._utils", "_rebuild_tensor_v2").mark();
            p.mark().str("storage").global("torch", t.storage().className()).str(t.storage().key()).str("cpu")
                    .integer(t.storage().numel());
            if (legacy) p.none();
            p.tuple().binpersid();
            p.integer(t.offset());
            p.mark();
            for (long s : t.shape()) p.integer(s);
            p.tuple().mark();
            for (long s : t.strides()) p.integer(s);
            p.tuple().bool(false).global("collections", "OrderedDict").emptyTuple().reduce().tuple().reduce();
        }
        if (extraTopLevelItem != null) extraTopLevelItem.accept(p);
        p.setitems();
        // state_dict()'s `_metadata` attribute, restored with BUILD as torch.save writes it
        p.emptyDict().str("_metadata").global("collections", "OrderedDict").emptyTuple().reduce()
                .mark().str("").emptyDict().str("version").integer(1).setitem().setitems().setitem().build();
        if (wrapperKey != null) p.setitems();
        return p.stop().toByteArray();
    }

    static byte[] legacyHeader() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] magic = {0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19};
        out.writeBytes(new PickleBuilder().proto(2).long1(magic).stop().toByteArray());
        out.writeBytes(new PickleBuilder().proto(2).integer(1001).stop().toByteArray());
        out.writeBytes(new PickleBuilder().proto(2).emptyDict().mark().str("protocol_version").integer(1001)
                .str("little_endian").bool(true).str("type_sizes").emptyDict().mark().str("short").integer(2)
                .str("int").integer(4).str("long").integer(4).setitems().setitems().stop().toByteArray());
        return out.toByteArray();
    }

    /** Legacy torch.save with an arbitrary object pickle (for hostile inputs) and these storages after it. */
    static byte[] legacy(byte[] objectPickle, List<Storage> storages) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(legacyHeader());
        out.writeBytes(objectPickle);
        PickleBuilder keys = new PickleBuilder().proto(2).emptyList().mark();
        // torch writes the keys sorted as strings
        List<Storage> sorted = new ArrayList<>(storages);
        sorted.sort((a, b) -> a.key().compareTo(b.key()));
        for (Storage s : sorted) keys.str(s.key());
        out.writeBytes(keys.appends().stop().toByteArray());
        for (Storage s : sorted) {
            out.writeBytes(le(8).putLong(s.numel()).array());
            out.writeBytes(s.data());
        }
        return out.toByteArray();
    }

    Path writeLegacy(Path file) throws IOException {
        return Files.write(file, legacy(objectPickle(true), storages()));
    }

    Path writeZip(Path file, String folder) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put(folder + "/data.pkl", objectPickle(false));
        for (Storage s : storages()) entries.put(folder + "/data/" + s.key(), s.data());
        entries.put(folder + "/version", "3\n".getBytes());
        return Files.write(file, zip(entries));
    }

    /** A zip of STORED entries, as PyTorch writes them. */
    static byte[] zip(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey());
                entry.setMethod(ZipEntry.STORED);
                entry.setSize(e.getValue().length);
                entry.setCompressedSize(e.getValue().length);
                CRC32 crc = new CRC32();
                crc.update(e.getValue());
                entry.setCrc(crc.getValue());
                zip.putNextEntry(entry);
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }
}
