package dev.segbench.models.checkpoint;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Test-only: emits pickle opcodes one by one, so tests can build exactly the byte streams torch.save writes (and
 * hostile ones) without Python. Opcode values are from CPython's pickle.py.
 */
final class PickleBuilder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    PickleBuilder proto(int version) {
        return op(0x80).op(version);
    }

    PickleBuilder global(String module, String name) {
        op('c');
        bytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** Protocol 4 form: module and name pushed as strings, then STACK_GLOBAL. */
    PickleBuilder stackGlobal(String module, String name) {
        return str(module).str(name).op(0x93);
    }

    PickleBuilder mark() {
        return op('(');
    }

    PickleBuilder tuple() {
        return op('t');
    }

    PickleBuilder emptyTuple() {
        return op(')');
    }

    PickleBuilder emptyDict() {
        return op('}');
    }

    PickleBuilder emptyList() {
        return op(']');
    }

    PickleBuilder appends() {
        return op('e');
    }

    PickleBuilder setitem() {
        return op('s');
    }

    PickleBuilder setitems() {
        return op('u');
    }

    PickleBuilder reduce() {
        return op('R');
    }

    PickleBuilder build() {
        return op('b');
    }

    PickleBuilder binpersid() {
        return op('Q');
    }

    PickleBuilder pop() {
        return op('0');
    }

    PickleBuilder none() {
        return op('N');
    }

    PickleBuilder bool(boolean value) {
        return op(value ? 0x88 : 0x89);
    }

    PickleBuilder stop() {
        return op('.');
    }

    /** BININT1 / BININT2 / BININT / LONG1, like CPython picks them. */
    PickleBuilder integer(long value) {
        if (value >= 0 && value < 256) {
            return op('K').op((int) value);
        }
        if (value >= 0 && value < 65536) {
            return op('M').op((int) value & 0xff).op((int) (value >>> 8));
        }
        if (value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE) {
            op('J');
            for (int i = 0; i < 4; i++) op((int) (value >>> (8 * i)) & 0xff);
            return this;
        }
        op(0x8a).op(8);
        for (int i = 0; i < 8; i++) op((int) (value >>> (8 * i)) & 0xff);
        return this;
    }

    /** LONG1 with explicit little-endian two's complement bytes (torch's magic number needs 10). */
    PickleBuilder long1(byte[] littleEndian) {
        op(0x8a).op(littleEndian.length);
        bytes(littleEndian);
        return this;
    }

    PickleBuilder str(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        op('X');
        for (int i = 0; i < 4; i++) op((utf8.length >>> (8 * i)) & 0xff);
        bytes(utf8);
        return this;
    }

    PickleBuilder op(int b) {
        out.write(b);
        return this;
    }

    PickleBuilder bytes(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }
}
