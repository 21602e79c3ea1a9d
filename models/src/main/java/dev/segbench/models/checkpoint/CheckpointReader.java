package dev.segbench.models.checkpoint;

import dev.segbench.api.ModelException;
import dev.segbench.api.Text;
import dev.segbench.api.io.Sha256;
import dev.segbench.models.checkpoint.StorageType.DecodedStorage;
import dev.segbench.models.checkpoint.TorchUnpickler.PendingTensor;
import dev.segbench.models.checkpoint.TorchUnpickler.StorageClass;
import dev.segbench.models.checkpoint.TorchUnpickler.StorageSlice;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import java.util.Arrays;
import java.util.Collections;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import net.razorvine.pickle.PickleException;

/**
 * Reads PyTorch state_dict checkpoints written by {@code torch.save}, in both the legacy (pre-1.6) and the zip
 * format, without executing anything from the pickle: only OrderedDicts, tensors, parameters and storages are
 * accepted (see {@link TorchUnpickler}). Every failure is a {@link ModelException} with a one-line message that
 * starts with the file.
 */
public final class CheckpointReader {
    /** torch.save's legacy magic number, the first pickle of a legacy file. */
    private static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    private static final int LEGACY_PROTOCOL_VERSION = 1001;
    /** torch model-zoo convention: {@code name-<sha256 prefix>.ext}, as in torch.hub's HASH_REGEX (8+ digits). */
    private static final Pattern HASH_IN_NAME = Pattern.compile("-([0-9a-f]{8,64})\\.");
    private static final Pattern ZIP_PICKLE = Pattern.compile("([^/]+)/data\\.pkl");

    private CheckpointReader() {}

    /**
     * Reads the whole state_dict of {@code file}. A dict that wraps the state_dict under {@code "state_dict"} or
     * {@code "model"} is accepted too. Verifies the SHA-256 prefix when the file name carries one.
     */
    public static Checkpoint read(Path file) throws ModelException {
        byte[] bytes = readBytes(file);
        String sha256 = Sha256.hex(bytes);
        verifyHashInName(file, sha256);
        try {
            Parsed parsed = isZip(bytes) ? parseZip(file) : parseLegacy(bytes);
            Map<String, CheckpointTensor> tensors = materialize(stateDict(parsed.root()), parsed.storages());
            return new Checkpoint(file, sha256, parsed.format(), tensors);
        } catch (CheckpointFormatException e) {
            throw new ModelException(file + ": " + Text.oneLine(e.getMessage()), e);
        } catch (OutOfMemoryError e) {
            // a corrupt length field in the pickle asked for a huge string
            throw new ModelException(file + ": corrupt checkpoint (it declares an object too large to load)", e);
        } catch (PickleException e) {
            // razorvine's own errors, e.g. an invalid opcode
            throw new ModelException(file + ": not a PyTorch state_dict checkpoint (corrupt pickle: "
                    + Text.oneLine(String.valueOf(e.getMessage())) + ")", e);
        } catch (RuntimeException e) {
            // operands of the wrong type (ClassCastException and the like): a pickle, but not one torch.save wrote
            throw new ModelException(file + ": not a PyTorch state_dict checkpoint (malformed pickle)", e);
        }
    }

    private record Parsed(String format, Object root, Map<String, DecodedStorage> storages) {}

    private static byte[] readBytes(Path file) throws ModelException {
        try {
            if (Files.isDirectory(file)) {
                throw new ModelException(file + ": is a directory, not a checkpoint file");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ModelException(file + ": no such checkpoint file", e);
        } catch (AccessDeniedException e) {
            throw new ModelException(file + ": permission denied", e);
        } catch (IOException | OutOfMemoryError e) {
            throw new ModelException(file + ": cannot read (" + Text.oneLine(String.valueOf(e.getMessage())) + ")", e);
        }
    }

    private static void verifyHashInName(Path file, String sha256) throws ModelException {
        Path name = file.getFileName();
        if (name == null) {
            return;
        }
        Matcher m = HASH_IN_NAME.matcher(name.toString());
        if (m.find() && !sha256.startsWith(m.group(1))) {
            throw new ModelException(file + ": SHA-256 mismatch: the file name expects a hash starting with "
                    + m.group(1) + " but the file's SHA-256 is " + sha256 + " (corrupt or wrong download?)");
        }
    }

    private static boolean isZip(byte[] bytes) {
        return bytes.length >= 4 && bytes[0] == 'P' && bytes[1] == 'K' && bytes[2] < 10 && bytes[3] < 10;
    }

    // ---- legacy format: magic, protocol version, sys_info, object pickle, key list, raw storages ----

    private static Parsed parseLegacy(byte[] bytes) {
        if (bytes.length == 0) {
            throw new CheckpointFormatException("empty file, not a PyTorch checkpoint");
        }
        int magicEnd = legacyMagicEnd(bytes);
        if (magicEnd < 0) {
            throw new CheckpointFormatException("not a PyTorch checkpoint (neither a torch.save zip archive nor a"
                    + " legacy torch.save stream)");
        }
        ByteArrayInputStream in = new ByteArrayInputStream(bytes, magicEnd, bytes.length - magicEnd);
        Map<String, StorageSlice> roots = new LinkedHashMap<>();
        Object root;
        List<?> keys;
        try {
            Object version = unpickle(in, null);
            if (!(version instanceof Integer v && v == LEGACY_PROTOCOL_VERSION)) {
                throw new CheckpointFormatException("unsupported legacy torch.save protocol version " + version);
            }
            if (unpickle(in, null) instanceof Map<?, ?> sysInfo && Boolean.FALSE.equals(sysInfo.get("little_endian"))) {
                throw new CheckpointFormatException("big-endian checkpoints are not supported");
            }
            root = unpickle(in, pid -> legacyStorage(pid, roots));
            if (!(unpickle(in, null) instanceof List<?> list)) {
                throw new CheckpointFormatException("malformed legacy checkpoint: no storage key list");
            }
            keys = list;
        } catch (IOException e) {
            // the stream was a ByteArrayInputStream, so this is always the end of the data
            throw new CheckpointFormatException("truncated checkpoint: the pickle ends early ("
                    + Text.oneLine(String.valueOf(e.getMessage())) + ")", e);
        }
        Map<String, DecodedStorage> storages = new LinkedHashMap<>();
        int position = bytes.length - in.available();  // ByteArrayInputStream: available() is what is left
        for (Object key : keys) {
            StorageSlice ref = roots.get(String.valueOf(key));
            if (ref == null) {
                throw new CheckpointFormatException("malformed legacy checkpoint: storage " + key
                        + " is listed but no tensor uses it");
            }
            if (bytes.length - position < 8) {
                throw new CheckpointFormatException("truncated checkpoint: storage " + key + " is missing");
            }
            long numel = ByteBuffer.wrap(bytes, position, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            position += 8;
            long available = (bytes.length - position) / ref.type().elementSize;
            if (numel < 0 || numel > available) {
                throw new CheckpointFormatException("truncated checkpoint: storage " + key + " needs " + numel
                        + " " + ref.type().dtype + " elements, the file has " + available + " left");
            }
            storages.put(ref.key(), ref.type().decode(bytes, position, (int) numel));
            position += (int) numel * ref.type().elementSize;
        }
        for (String key : roots.keySet()) {
            if (!storages.containsKey(key)) {
                throw new CheckpointFormatException("malformed legacy checkpoint: storage " + key + " is not saved");
            }
        }
        return new Parsed("legacy", root, storages);
    }

    /**
     * Where the magic-number pickle ends, or -1 if the file does not start with it. Checked byte-wise (PROTO n,
     * optional FRAME, LONG1 of 10 bytes, STOP) so that arbitrary files never reach the unpickler.
     */
    private static int legacyMagicEnd(byte[] bytes) {
        if (bytes.length < 2 || (bytes[0] & 0xff) != 0x80 || bytes[1] < 2 || bytes[1] > 5) {
            return -1;
        }
        int p = 2;
        if (bytes.length > p && (bytes[p] & 0xff) == 0x95) {
            p += 9; // FRAME with an 8-byte length (protocol 4+)
        }
        if (bytes.length < p + 13 || (bytes[p] & 0xff) != 0x8a || bytes[p + 1] != 10 || bytes[p + 12] != '.') {
            return -1;
        }
        byte[] littleEndian = new byte[10];
        for (int i = 0; i < 10; i++) {
            littleEndian[9 - i] = bytes[p + 2 + i];
        }
        return new BigInteger(littleEndian).equals(LEGACY_MAGIC) ? p + 13 : -1;
    }

    private static Object unpickle(InputStream in, TorchUnpickler.StorageResolver storages) throws IOException {
        return new TorchUnpickler(storages != null ? storages : pid -> {
            throw new CheckpointFormatException("malformed legacy checkpoint: storage outside the object pickle");
        }).load(in);
    }

    /** ('storage', storage_type, root_key, location, root_numel, view_metadata = None | (view_key, offset, numel)). */
    private static StorageSlice legacyStorage(Object[] pid, Map<String, StorageSlice> roots) {
        if (pid.length != 6) {
            throw new CheckpointFormatException("malformed legacy checkpoint: storage id with " + pid.length
                    + " fields");
        }
        StorageSlice root = rootStorage(pid[1], pid[2], pid[4], roots);
        if (pid[5] == null) {
            return root;
        }
        if (!(pid[5] instanceof Object[] view) || view.length != 3) {
            throw new CheckpointFormatException("malformed legacy checkpoint: bad storage view "
                    + TorchUnpickler.describe(pid[5]));
        }
        long offset = TorchUnpickler.toLong(view[1], "storage view offset");
        long numel = TorchUnpickler.toLong(view[2], "storage view size");
        if (offset < 0 || numel < 0) {
            throw new CheckpointFormatException("malformed legacy checkpoint: negative storage view bounds");
        }
        return new StorageSlice(root.key(), root.type(), offset, numel);
    }

    private static StorageSlice rootStorage(Object storageClass, Object key, Object numel,
                                            Map<String, StorageSlice> roots) {
        if (!(storageClass instanceof StorageClass cls)) {
            throw new CheckpointFormatException("malformed checkpoint: storage type is "
                    + TorchUnpickler.describe(storageClass));
        }
        StorageType type = cls.type().orElseThrow(() -> new CheckpointFormatException(
                "unsupported storage type " + cls.qualifiedName() + " (supported: float32/16/64, bfloat16 and"
                        + " integer/bool storages)"));
        if (!(key instanceof String k)) {
            throw new CheckpointFormatException("malformed checkpoint: storage key is " + TorchUnpickler.describe(key));
        }
        long size = TorchUnpickler.toLong(numel, "storage size");
        if (size < 0) {
            throw new CheckpointFormatException("malformed checkpoint: storage " + k + " has negative size " + size);
        }
        StorageSlice slice = new StorageSlice(k, type, 0, size);
        StorageSlice known = roots.putIfAbsent(k, slice);
        if (known != null && known.type() != type) {
            throw new CheckpointFormatException("malformed checkpoint: storage " + k + " is both "
                    + known.type().dtype + " and " + type.dtype);
        }
        return known != null ? known : slice;
    }

    // ---- zip format: <folder>/data.pkl plus one record <folder>/data/<key> per storage ----

    private static Parsed parseZip(Path file) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            String folder = zip.stream().map(e -> ZIP_PICKLE.matcher(e.getName()))
                    .filter(Matcher::matches).map(m -> m.group(1)).findFirst()
                    .orElseThrow(() -> new CheckpointFormatException(
                            "not a PyTorch checkpoint: the zip archive has no <folder>/data.pkl"));
            ZipEntry byteOrder = zip.getEntry(folder + "/byteorder");
            if (byteOrder != null) {
                String order = new String(readSmall(zip, byteOrder), StandardCharsets.US_ASCII).trim();
                if (!order.equals("little")) {
                    throw new CheckpointFormatException("unsupported byte order '" + order + "' in the zip archive");
                }
            }
            Map<String, StorageSlice> roots = new LinkedHashMap<>();
            Object root;
            try (InputStream in = new BufferedInputStream(zip.getInputStream(zip.getEntry(folder + "/data.pkl")))) {
                root = new TorchUnpickler(pid -> zipStorage(pid, roots)).load(in);
            }
            Map<String, DecodedStorage> storages = new LinkedHashMap<>();
            for (StorageSlice ref : roots.values()) {
                String name = folder + "/data/" + ref.key();
                ZipEntry entry = zip.getEntry(name);
                if (entry == null) {
                    throw new CheckpointFormatException("malformed checkpoint: the zip archive lacks the storage"
                            + " record " + name);
                }
                // compared by division so that a huge declared size cannot overflow the byte count
                if (ref.numel() > (Integer.MAX_VALUE - 8) / ref.type().elementSize) {
                    throw new CheckpointFormatException("storage " + ref.key() + " declares " + ref.numel()
                            + " elements, too many for Java arrays");
                }
                int needed = (int) ref.numel() * ref.type().elementSize;
                byte[] data;
                try (InputStream in = zip.getInputStream(entry)) {
                    data = in.readNBytes(needed); // never more than the pickle declared
                }
                if (data.length < needed) {
                    throw new CheckpointFormatException("truncated checkpoint: storage record " + name + " holds "
                            + data.length + " bytes, the pickle declares " + ref.numel() + " " + ref.type().dtype
                            + " elements (" + needed + " bytes)");
                }
                storages.put(ref.key(), ref.type().decode(data, 0, (int) ref.numel()));
            }
            return new Parsed("zip", root, storages);
        } catch (ZipException e) {
            throw new CheckpointFormatException("truncated or corrupt zip archive (" + Text.oneLine(String.valueOf(
                    e.getMessage())) + ")", e);
        } catch (IOException e) {
            throw new CheckpointFormatException("truncated or unreadable checkpoint (" + Text.oneLine(String.valueOf(
                    e.getMessage())) + ")", e);
        }
    }

    private static byte[] readSmall(ZipFile zip, ZipEntry entry) throws IOException {
        try (InputStream in = zip.getInputStream(entry)) {
            return in.readNBytes(64);
        }
    }

    /** ('storage', storage_type, key, location, numel). */
    private static StorageSlice zipStorage(Object[] pid, Map<String, StorageSlice> roots) {
        if (pid.length != 5) {
            throw new CheckpointFormatException("malformed checkpoint: storage id with " + pid.length + " fields");
        }
        return rootStorage(pid[1], pid[2], pid[4], roots);
    }

    // ---- from the unpickled object to tensors ----

    /** The state_dict itself, or the one a training checkpoint wraps under "state_dict" / "model". */
    private static Map<?, ?> stateDict(Object root) {
        if (!(root instanceof Map<?, ?> map)) {
            throw new CheckpointFormatException("not a state_dict: the checkpoint holds " + TorchUnpickler.describe(root));
        }
        for (String wrapper : List.of("state_dict", "model")) {
            if (map.get(wrapper) instanceof Map<?, ?> inner && !inner.isEmpty()
                    && inner.values().stream().allMatch(v -> v instanceof PendingTensor)) {
                return inner;
            }
        }
        if (map.isEmpty()) {
            throw new CheckpointFormatException("not a state_dict: the checkpoint holds an empty dict");
        }
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String) || !(e.getValue() instanceof PendingTensor)) {
                throw new CheckpointFormatException("not a state_dict: entry '" + e.getKey() + "' is "
                        + TorchUnpickler.describe(e.getValue()) + ", not a tensor");
            }
        }
        return map;
    }

    private static Map<String, CheckpointTensor> materialize(Map<?, ?> stateDict, Map<String, DecodedStorage> storages) {
        Map<String, CheckpointTensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : stateDict.entrySet()) {
            String name = String.valueOf(e.getKey());
            tensors.put(name, copyOut(name, (PendingTensor) e.getValue(), storages.get(
                    ((PendingTensor) e.getValue()).storage().key())));
        }
        return Collections.unmodifiableMap(tensors);
    }

    /** Copies the tensor's elements, in row-major order, out of its storage, checking that they lie inside it. */
    private static CheckpointTensor copyOut(String name, PendingTensor t, DecodedStorage storage) {
        StorageSlice slice = t.storage();
        long[] shape = t.shape();
        long[] strides = t.strides();
        long numel = 1;
        long lastElement = t.storageOffset();
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] < 0 || strides[d] < 0) {
                throw new CheckpointFormatException("malformed tensor '" + name + "': size " + Arrays.toString(shape)
                        + ", stride " + Arrays.toString(strides));
            }
            numel = Math.multiplyExact(numel, shape[d]);
            lastElement += shape[d] == 0 ? 0 : (shape[d] - 1) * strides[d];
        }
        // the slice is a view (legacy storage views) of the decoded root storage
        long sliceEnd = Math.min(slice.offset() + slice.numel(), storage.numel());
        long base = slice.offset() + t.storageOffset();
        if (numel > 0 && (t.storageOffset() < 0 || base + (lastElement - t.storageOffset()) >= sliceEnd)) {
            throw new CheckpointFormatException("storage " + slice.key() + " (" + storage.numel() + " "
                    + slice.type().dtype + " elements) is shorter than tensor '" + name + "' needs (offset "
                    + t.storageOffset() + ", size " + Arrays.toString(shape) + ", stride " + Arrays.toString(strides)
                    + ")");
        }
        if (numel > Integer.MAX_VALUE - 8) {
            throw new CheckpointFormatException("tensor '" + name + "' has " + numel + " elements, too many for Java");
        }
        int[] sourceIndex = sourceIndices(shape, strides, (int) numel, base);
        if (storage.floats() != null) {
            float[] out = new float[(int) numel];
            if (sourceIndex == null) {
                System.arraycopy(storage.floats(), (int) base, out, 0, out.length);
            } else {
                for (int i = 0; i < out.length; i++) out[i] = storage.floats()[sourceIndex[i]];
            }
            return new CheckpointTensor(name, shape.clone(), slice.type().dtype, out, null);
        }
        long[] out = new long[(int) numel];
        if (sourceIndex == null) {
            System.arraycopy(storage.longs(), (int) base, out, 0, out.length);
        } else {
            for (int i = 0; i < out.length; i++) out[i] = storage.longs()[sourceIndex[i]];
        }
        return new CheckpointTensor(name, shape.clone(), slice.type().dtype, null, out);
    }

    /**
     * Storage index of each element in row-major order, or null when the tensor is contiguous from {@code base}
     * (strides of size-1 dimensions do not matter, as in torch's is_contiguous).
     */
    private static int[] sourceIndices(long[] shape, long[] strides, int numel, long base) {
        long expected = 1;
        boolean contiguous = true;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1 && strides[d] != expected) {
                contiguous = false;
                break;
            }
            expected *= shape[d];
        }
        if (contiguous || numel == 0) {
            return null;
        }
        int[] index = new int[numel];
        long[] counter = new long[shape.length];
        long position = base;
        for (int i = 0; i < numel; i++) {
            index[i] = (int) position;
            // odometer over the dimensions, last one fastest
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++counter[d] < shape[d]) {
                    position += strides[d];
                    break;
                }
                position -= (shape[d] - 1) * strides[d];
                counter[d] = 0;
            }
        }
        return index;
    }
}
