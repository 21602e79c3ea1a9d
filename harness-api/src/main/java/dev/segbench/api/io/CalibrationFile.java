package dev.segbench.api.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.segbench.api.CalibrationMethod;
import dev.segbench.api.CalibrationTable;
import dev.segbench.api.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The calibration cache file: JSON holding one or more {@link CalibrationTable}s (one per model), each with its key,
 * its SHA-256 and per tensor the range and both flavours' scales (the scales are written for people and other tools;
 * on reading they must follow from the range, so a hand-edited scale is caught). Written atomically.
 *
 * <pre>{"format": "segbench-calibration/1", "tables": [{"model": "arch0", "weights_sha256": "...", "dataset": "...",
 *   "method": "entropy", "graph_version": "...", "image_ids": [...], "sha256": "...",
 *   "tensors": {"input": {"min": -2.1, "max": 2.6, "int8_scale": 0.0205, "uint8_scale": 0.0184,
 *   "uint8_zero_point": 114}, ...}}]}</pre>
 */
public final class CalibrationFile {

    public static final String FORMAT = "segbench-calibration/1";

    /** Big decimals on reading: a float written as its shortest decimal then reads back to the same bits. */
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private CalibrationFile() {
    }

    /** A file that is not a readable calibration file; the message is one line naming the file and the problem. */
    public static final class BadCalibrationFileException extends IOException {
        public BadCalibrationFileException(String message) {
            super(message);
        }
    }

    public static byte[] toBytes(List<CalibrationTable> tables) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format", FORMAT);
        ArrayNode array = root.putArray("tables");
        for (CalibrationTable t : tables) {
            ObjectNode o = array.addObject();
            CalibrationTable.Key k = t.key();
            o.put("model", k.modelId());
            o.put("weights_sha256", k.weightsSha256());
            o.put("dataset", k.dataset());
            o.put("method", k.method().id());
            o.put("graph_version", k.graphVersion());
            ArrayNode ids = o.putArray("image_ids");
            k.imageIds().forEach(ids::add);
            o.put("sha256", t.sha256());
            ObjectNode tensors = o.putObject("tensors");
            t.ranges().forEach((name, r) -> {
                ObjectNode n = tensors.putObject(name);
                n.put("min", r.min());
                n.put("max", r.max());
                n.put("int8_scale", r.int8Scale());
                n.put("uint8_scale", r.uint8Scale());
                n.put("uint8_zero_point", r.uint8ZeroPoint());
            });
        }
        try {
            return MAPPER.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("a calibration table cannot be serialised", e);
        }
    }

    public static void write(Path file, List<CalibrationTable> tables) throws IOException {
        AtomicFiles.write(file, toBytes(tables));
    }

    /** Every table in {@code file}; a missing, unreadable, corrupt or inconsistent file throws with one line. */
    public static List<CalibrationTable> read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no such calibration file");
        }
        return parse(bytes, file.toString());
    }

    public static List<CalibrationTable> parse(byte[] json, String origin) throws BadCalibrationFileException {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JacksonException e) {
            throw new BadCalibrationFileException(origin + ": not a calibration file (invalid JSON: "
                    + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new BadCalibrationFileException(origin + ": not a calibration file (" + e.getMessage() + ")");
        }
        if (root == null || !root.isObject() || !FORMAT.equals(root.path("format").asText(null))) {
            throw new BadCalibrationFileException(origin + ": not a calibration file (no \"format\": \"" + FORMAT + "\")");
        }
        JsonNode array = root.get("tables");
        if (array == null || !array.isArray()) {
            throw new BadCalibrationFileException(origin + ": corrupt calibration file (no \"tables\" list)");
        }
        List<CalibrationTable> tables = new ArrayList<>();
        for (JsonNode o : array) {
            tables.add(table(o, origin + " table " + (tables.size() + 1)));
        }
        return tables;
    }

    private static CalibrationTable table(JsonNode o, String where) throws BadCalibrationFileException {
        try {
            List<String> ids = new ArrayList<>();
            for (JsonNode id : required(o, "image_ids", where)) {
                ids.add(id.asText());
            }
            CalibrationTable.Key key = new CalibrationTable.Key(text(o, "model", where), text(o, "weights_sha256", where),
                    text(o, "dataset", where), ids, CalibrationMethod.parse(text(o, "method", where)),
                    text(o, "graph_version", where));
            where = where + " (" + key.modelId() + ")";
            Map<String, CalibrationTable.Range> ranges = new TreeMap<>();
            Iterator<Map.Entry<String, JsonNode>> fields = required(o, "tensors", where).fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                JsonNode n = f.getValue();
                CalibrationTable.Range r = new CalibrationTable.Range(number(n, "min", where), number(n, "max", where));
                check(n, "int8_scale", r.int8Scale(), f.getKey(), where);
                check(n, "uint8_scale", r.uint8Scale(), f.getKey(), where);
                if (n.has("uint8_zero_point") && n.get("uint8_zero_point").asInt(-1) != r.uint8ZeroPoint()) {
                    throw new BadCalibrationFileException(where + ": tensor " + f.getKey()
                            + ": uint8_zero_point does not follow from its range");
                }
                ranges.put(f.getKey(), r);
            }
            CalibrationTable table = CalibrationTable.of(key, ranges);
            if (o.has("sha256") && !table.sha256().equals(o.get("sha256").asText())) {
                throw new BadCalibrationFileException(where + ": corrupt (its sha256 does not match its content)");
            }
            return table;
        } catch (IllegalArgumentException e) {
            throw new BadCalibrationFileException(where + ": " + e.getMessage());
        }
    }

    private static void check(JsonNode n, String field, float derived, String tensor, String where)
            throws BadCalibrationFileException {
        if (n.has(field) && (!n.get(field).isNumber() || asFloat(n.get(field)) != derived)) {
            throw new BadCalibrationFileException(where + ": tensor " + tensor + ": " + field + " " + n.get(field)
                    + " does not follow from its range (expected " + derived + ")");
        }
    }

    private static JsonNode required(JsonNode o, String field, String where) throws BadCalibrationFileException {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            throw new BadCalibrationFileException(where + ": corrupt (no \"" + field + "\")");
        }
        return v;
    }

    private static String text(JsonNode o, String field, String where) throws BadCalibrationFileException {
        JsonNode v = required(o, field, where);
        if (!v.isTextual()) {
            throw new BadCalibrationFileException(where + ": corrupt (\"" + field + "\" is not text)");
        }
        return v.asText();
    }

    private static float number(JsonNode o, String field, String where) throws BadCalibrationFileException {
        JsonNode v = required(o, field, where);
        if (!v.isNumber()) {
            throw new BadCalibrationFileException(where + ": corrupt (\"" + field + "\" is not a number)");
        }
        return asFloat(v);
    }

    private static float asFloat(JsonNode number) {
        return Float.parseFloat(number.decimalValue().toString());
    }
}
