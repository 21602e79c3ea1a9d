package dev.segbench.harness.run;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The reference run's predicted label maps, spilled to a temporary file in sample order so later
 * runs of the same model stream them back for agreement; memory stays flat in the dataset size.
 */
final class LabelSpill {

    private LabelSpill() {
    }

    /** Appends {@code (sample index, labels)} records. Used by one thread. */
    static final class Writer implements AutoCloseable {
        private final Path file;
        private final DataOutputStream out;

        Writer(Path file) throws IOException {
            this.file = file;
            out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
        }

        void write(int sampleIndex, byte[] labels) {
            try {
                out.writeInt(sampleIndex);
                out.writeInt(labels.length);
                out.write(labels);
            } catch (IOException e) {
                throw new UncheckedIOException(file + ": cannot spill reference labels (" + e.getMessage() + ")", e);
            }
        }

        @Override
        public void close() throws IOException {
            try {
                out.close(); // flushes the buffer: a full disk shows here
            } catch (IOException e) {
                throw new UncheckedIOException(file + ": cannot spill reference labels (" + e.getMessage() + ")", e);
            }
        }
    }

    /** Reads the records back in order; asks must come in increasing sample index. Used by one thread. */
    static final class Reader implements AutoCloseable {
        private final Path file;
        private final DataInputStream in;
        private int nextIndex = -1;
        private boolean exhausted;

        Reader(Path file) throws IOException {
            this.file = file;
            in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
            advance();
        }

        private void advance() throws IOException {
            try {
                nextIndex = in.readInt();
            } catch (EOFException e) {
                exhausted = true;
            }
        }

        /** The reference labels of {@code sampleIndex}, or null when the reference has none (it skipped it). */
        byte[] labelsFor(int sampleIndex) {
            try {
                while (!exhausted && nextIndex < sampleIndex) {
                    in.skipNBytes(in.readInt());
                    advance();
                }
                if (exhausted || nextIndex != sampleIndex) {
                    return null;
                }
                byte[] labels = new byte[in.readInt()];
                in.readFully(labels);
                advance();
                return labels;
            } catch (IOException e) {
                throw new UncheckedIOException(file + ": cannot read spilled reference labels (" + e.getMessage() + ")", e);
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
