package dev.segbench.harness.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.segbench.api.io.AtomicFiles;
import dev.segbench.results.Results;
import dev.segbench.results.ResultsJson;
import dev.segbench.results.Run;
import dev.segbench.harness.CliResult;
import dev.segbench.harness.Messages;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real full disk: a small tmpfs, filled up, mounted where segbench writes (needs root to mount; skipped visibly
 * otherwise). A failed write names its file, and an optional artefact (a gallery image) that cannot be written
 * costs a warning, not the run's measurements.
 */
class FullDiskTest {

    @TempDir
    Path tmp;

    private final List<Path> mounts = new ArrayList<>();

    /** Mounts a 64 KiB tmpfs at {@code dir} and fills it, so that the next write fails with ENOSPC. */
    private Path fullDisk(Path dir) throws Exception {
        Files.createDirectories(dir);
        assumeTrue("root".equals(System.getProperty("user.name")), "mounting a full tmpfs needs root");
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir.toString())
                .redirectErrorStream(true).start();
        String output = new String(mount.getInputStream().readAllBytes());
        assumeTrue(mount.waitFor(30, TimeUnit.SECONDS) && mount.exitValue() == 0,
                "cannot mount a tmpfs here (" + output.strip() + ")");
        mounts.add(dir);
        try (OutputStream filler = Files.newOutputStream(dir.resolve("filler"))) {
            byte[] block = new byte[4096];
            for (int i = 0; i < 1000; i++) {
                filler.write(block);
                filler.flush();
            }
        } catch (IOException full) {
            // the disk is full now
        }
        return dir;
    }

    @AfterEach
    void unmount() throws Exception {
        for (Path dir : mounts) {
            new ProcessBuilder("umount", "-l", dir.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aFailedWriteNamesItsFile() throws Exception {
        Path disk = fullDisk(tmp.resolve("disk"));
        Path target = disk.resolve("results.json");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, new byte[64 << 10]));
        assertEquals(target + ": No space left on device", Messages.oneLine(e));
    }

    /** Before the fix every run failed with "No space left on device", naming no file, and lost its measurements. */
    @Test
    void aGalleryImageThatCannotBeWrittenCostsAWarningNotTheRun() throws Exception {
        Path out = tmp.resolve("out");
        Path gallery = fullDisk(out.resolve("gallery"));
        CliResult r = CliResult.run("compare", "--out", out.toString(), "--in-process", "--backends", "fake",
                "--models", "tiny", "--precisions", "fp32", "--reference", "fake:fp32", "--dataset", "fake:3", "--gallery", "2", "--warmup", "0.01",
                "--min-duration", "0.01", "--min-iterations", "3", "--batch-sizes", "1", "--perf-size", "40x56",
                "--progress", "never");
        assertEquals(0, r.code(), r.toString());
        Results res = ResultsJson.read(out);
        Run run = res.runs().getFirst();
        assertEquals(Run.OK, run.status(), run.reason());
        assertNotNull(run.accuracy(), "the accuracy pass's measurement is kept");
        assertNotNull(run.latencyMs(), "the performance pass's measurement is kept");
        String expected = "gallery image " + gallery.resolve("fake-0-tiny-fake-fp32.png") + " not written (No space left on device)";
        assertTrue(run.warnings().stream().anyMatch(w -> w.startsWith(expected)), run.warnings().toString());
        assertTrue(r.err().contains("gallery image " + gallery.resolve("fake-0.png") + " not written (No space left on device)"),
                r.err());
        assertTrue(res.gallery().isEmpty(), "no gallery entry links to a missing image: " + res.gallery());
    }
}
