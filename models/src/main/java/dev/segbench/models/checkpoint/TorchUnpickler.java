package dev.segbench.models.checkpoint;

import java.io.IOException;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;

/**
 * razorvine's Unpickler restricted to what a torch.save state_dict needs.
 *
 * <p>Globals are resolved here against a fixed allowlist instead of razorvine's static constructor registry, so a
 * pickle naming anything else (os.system, builtins.eval, ...) is refused the moment the GLOBAL/STACK_GLOBAL/INST
 * opcode is read, and other users of razorvine are unaffected. Dict opcodes are overridden because razorvine
 * builds HashMaps, which would lose the state_dict's key order. BUILD is only accepted on OrderedDicts (the
 * {@code _metadata} attribute), never reflectively on arbitrary objects.
 */
final class TorchUnpickler extends Unpickler {
    // pickle opcodes handled here (values from CPython's pickle.py)
    private static final short BUILD = 'b';
    private static final short DICT = 'd';
    private static final short EMPTY_DICT = '}';
    private static final short GLOBAL = 'c';
    private static final short INST = 'i';
    private static final short SETITEMS = 'u';
    private static final short EXT1 = 0x82;
    private static final short EXT2 = 0x83;
    private static final short EXT4 = 0x84;
    private static final short STACK_GLOBAL = 0x93;

    /** Resolves a storage persistent id (the tuple torch.save emits) to a slice of a storage. */
    interface StorageResolver {
        StorageSlice resolve(Object[] persistentId);
    }

    /** A run of {@code numel} elements starting at {@code offset} of the storage saved under {@code key}. */
    record StorageSlice(String key, StorageType type, long offset, long numel) {}

    /** A tensor as pickled, before the storage bytes are available (legacy files store them after the pickle). */
    record PendingTensor(StorageSlice storage, long storageOffset, long[] shape, long[] strides) {}

    /** The value of the global {@code torch.<Something>Storage}; {@code type} is empty when unsupported. */
    record StorageClass(String qualifiedName, Optional<StorageType> type) implements IObjectConstructor {
        @Override
        public Object construct(Object[] args) {
            throw new CheckpointFormatException("not a state_dict: the pickle calls the storage class " + qualifiedName);
        }
    }

    /** collections.OrderedDict instances, so BUILD can tell them from other maps. */
    static final class OrderedDict extends LinkedHashMap<Object, Object> {}

    private final StorageResolver storages;

    TorchUnpickler(StorageResolver storages) {
        this.storages = storages;
    }

    @Override
    protected Object dispatch(short key) throws IOException {
        switch (key) {
            case GLOBAL -> {
                String module = PickleUtils.readline(input);
                String name = PickleUtils.readline(input);
                stack.add(resolveGlobal(module, name));
            }
            case STACK_GLOBAL -> {
                Object name = stack.pop();
                Object module = stack.pop();
                if (!(module instanceof String m) || !(name instanceof String n)) {
                    throw new CheckpointFormatException("malformed pickle: STACK_GLOBAL operands are not strings");
                }
                stack.add(resolveGlobal(m, n));
            }
            case INST -> {
                IObjectConstructor constructor = resolveGlobal(PickleUtils.readline(input), PickleUtils.readline(input));
                stack.add(constructor.construct(stack.pop_all_since_marker().toArray()));
            }
            case EMPTY_DICT -> stack.add(new LinkedHashMap<>());
            case DICT -> {
                Map<Object, Object> dict = new LinkedHashMap<>();
                putPairs(dict, stack.pop_all_since_marker());
                stack.add(dict);
            }
            case SETITEMS -> {
                List<Object> items = stack.pop_all_since_marker();
                if (!(stack.peek() instanceof Map<?, ?> target)) {
                    throw new CheckpointFormatException("malformed pickle: SETITEMS on a non-dict");
                }
                @SuppressWarnings("unchecked")
                Map<Object, Object> dict = (Map<Object, Object>) target;
                putPairs(dict, items);
            }
            case BUILD -> {
                Object state = stack.pop();
                Object target = stack.peek();
                // torch state_dicts carry a `_metadata` attribute (per-module versions) that inference ignores
                if (!(target instanceof OrderedDict) || !(state instanceof Map<?, ?>)) {
                    throw new CheckpointFormatException("not a state_dict: the pickle sets the state of a "
                            + describe(target));
                }
            }
            case EXT1, EXT2, EXT4 -> throw new CheckpointFormatException(
                    "not a state_dict: the pickle uses the copyreg extension registry");
            default -> {
                return super.dispatch(key);
            }
        }
        return NO_RETURN_VALUE;
    }

    private static void putPairs(Map<Object, Object> dict, List<Object> items) {
        if (items.size() % 2 != 0) {
            throw new CheckpointFormatException("malformed pickle: odd number of dict items");
        }
        for (int i = 0; i < items.size(); i += 2) {
            dict.put(items.get(i), items.get(i + 1));
        }
    }

    @Override
    protected Object persistentLoad(Object pid) {
        if (!(pid instanceof Object[] tuple) || tuple.length == 0 || !"storage".equals(tuple[0])) {
            throw new CheckpointFormatException("not a state_dict: unknown persistent id " + describe(pid));
        }
        return storages.resolve(tuple);
    }

    /** The allowlist: everything else is refused before it could be constructed or called. */
    private static IObjectConstructor resolveGlobal(String module, String name) {
        String qualified = module + "." + name;
        switch (qualified) {
            case "collections.OrderedDict" -> {
                return TorchUnpickler::newOrderedDict;
            }
            case "torch._utils._rebuild_tensor_v2" -> {
                // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
                return args -> rebuildTensor(qualified, args, 6, 7);
            }
            case "torch._utils._rebuild_tensor" -> {
                // pre-0.4 form: (storage, storage_offset, size, stride)
                return args -> rebuildTensor(qualified, args, 4, 4);
            }
            case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state" -> {
                // (data, requires_grad, backward_hooks[, state]): a Parameter is its data for inference
                return args -> {
                    if (args.length < 3 || !(args[0] instanceof PendingTensor data)) {
                        throw new CheckpointFormatException("malformed pickle: bad arguments to " + qualified);
                    }
                    return data;
                };
            }
            case "torch.Size" -> {
                return args -> {
                    if (args.length != 1 || !(args[0] instanceof Object[] || args[0] instanceof List<?>)) {
                        throw new CheckpointFormatException("malformed pickle: bad arguments to torch.Size");
                    }
                    return args[0] instanceof List<?> list ? list.toArray() : args[0];
                };
            }
            default -> {
                if (module.equals("torch") && name.endsWith("Storage")) {
                    return new StorageClass(qualified, StorageType.forClassName(name));
                }
                if (module.equals("torch._utils") && name.startsWith("_rebuild_")) {
                    // quantized, sparse, meta, device-numpy tensors: genuine torch, but not a dense state_dict
                    throw new CheckpointFormatException("unsupported tensor kind " + qualified
                            + " (only dense CPU-loadable tensors are supported)");
                }
                throw CheckpointFormatException.forbiddenGlobal(qualified);
            }
        }
    }

    private static Object newOrderedDict(Object[] args) {
        OrderedDict dict = new OrderedDict();
        if (args.length == 1 && args[0] instanceof List<?> pairs) {
            for (Object pair : pairs) {
                if (!(pair instanceof Object[] kv) || kv.length != 2) {
                    throw new CheckpointFormatException("malformed pickle: OrderedDict item is not a pair");
                }
                dict.put(kv[0], kv[1]);
            }
        } else if (args.length != 0) {
            throw new CheckpointFormatException("malformed pickle: unexpected arguments to collections.OrderedDict");
        }
        return dict;
    }

    private static PendingTensor rebuildTensor(String function, Object[] args, int minArgs, int maxArgs) {
        if (args.length < minArgs || args.length > maxArgs) {
            throw new CheckpointFormatException("malformed pickle: " + function + " called with " + args.length
                    + " arguments");
        }
        if (!(args[0] instanceof StorageSlice storage)) {
            throw new CheckpointFormatException("malformed pickle: " + function + " without a storage");
        }
        long offset = toLong(args[1], "storage offset");
        long[] shape = toLongs(args[2], "size");
        long[] strides = toLongs(args[3], "stride");
        if (shape.length != strides.length) {
            throw new CheckpointFormatException("malformed tensor: size " + java.util.Arrays.toString(shape)
                    + " and stride " + java.util.Arrays.toString(strides) + " differ in rank");
        }
        return new PendingTensor(storage, offset, shape, strides);
    }

    static long toLong(Object value, String what) {
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof BigInteger big && big.bitLength() < 64) {
            return big.longValue();
        }
        throw new CheckpointFormatException("malformed tensor: " + what + " is " + describe(value));
    }

    private static long[] toLongs(Object value, String what) {
        Object[] items;
        if (value instanceof Object[] tuple) {
            items = tuple;
        } else if (value instanceof List<?> list) {
            items = list.toArray();
        } else {
            throw new CheckpointFormatException("malformed tensor: " + what + " is " + describe(value));
        }
        long[] out = new long[items.length];
        for (int i = 0; i < items.length; i++) {
            out[i] = toLong(items[i], what);
        }
        return out;
    }

    /** A short, one-line description of an unpickled value for error messages (never its full contents). */
    static String describe(Object value) {
        if (value == null) return "None";
        if (value instanceof PendingTensor) return "a tensor";
        if (value instanceof OrderedDict) return "an OrderedDict";
        if (value instanceof Map<?, ?>) return "a dict";
        if (value instanceof Object[]) return "a tuple";
        if (value instanceof List<?>) return "a list";
        if (value instanceof String) return "a str";
        if (value instanceof Number) return "a number";
        if (value instanceof Boolean) return "a bool";
        if (value instanceof StorageSlice) return "a storage";
        return "an object of type " + value.getClass().getSimpleName();
    }
}
