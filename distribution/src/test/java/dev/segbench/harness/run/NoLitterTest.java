package dev.segbench.harness.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.results.ResultsJson;
import dev.segbench.results.Run;
import dev.segbench.harness.CliProcess;
import dev.segbench.harness.Real;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A compare with the real cpu backend leaves the temp folder as it found it. ONNX Runtime's Java loader extracts its
 * libraries into Java's temp folder and its telemetry writes mat-debug-PID.log and .ses into $TMPDIR: the children
 * get private temp folders that go when they end, availability is probed in a child, and the libraries are extracted
 * once into the cache folder.
 */
class NoLitterTest {

    @TempDir
    Path tmp;

    private static List<String> entries(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void theTempFolderHoldsTheSameEntriesBeforeAndAfterACompare() throws Exception {
        Real.cpu(Real.plugins());
        Path temp = Files.createDirectories(tmp.resolve("temp"));
        Files.writeString(temp.resolve("someone-elses-file"), "x");
        List<String> before = entries(temp);
        Path out = tmp.resolve("out");
        Path cache = tmp.resolve("cache");
        CliProcess p = CliProcess.start(tmp.resolve("p"), Map.of("TMPDIR", temp.toString()),
                List.of("-Djava.io.tmpdir=" + temp), "compare", "--backends", "cpu", "--models", "arch0",
                "--precisions", "fp32", "--dataset", "synthetic:2", "--warmup", "0", "--min-duration", "0",
                "--min-iterations", "2", "--batch-sizes", "1", "--perf-size", "64x64", "--gallery", "1",
                "--progress", "never", "--cache-dir", cache.toString(), "--out", out.toString());
        assertEquals(0, p.await(300), p.toString());
        assertEquals(Run.OK, ResultsJson.read(out).runs().getFirst().status());
        assertEquals(before, entries(temp));
        assertTrue(Files.isRegularFile(out.resolve(Runner.LOG_FOLDER).resolve("probe.log")),
                "the probe child's log was moved into the results' log folder");
        if (System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux")
                && System.getProperty("os.arch").equals("amd64")) {
            // ONNX Runtime's libraries were extracted once into the cache, not into a temp folder per process
            try (Stream<Path> libs = Files.walk(cache.resolve("onnxruntime-native"))) {
                assertEquals(List.of("libonnxruntime.so", "libonnxruntime4j_jni.so"), libs.filter(Files::isRegularFile)
                        .map(f -> f.getFileName().toString()).sorted().toList());
            }
        }
    }

    @Test
    void badInputStopsTheEarlyProbeAndWritesNothing() throws Exception {
        Path temp = Files.createDirectories(tmp.resolve("temp"));
        List<String> before = entries(temp);
        Path out = tmp.resolve("out");
        // the probe child starts before the dataset is checked; the dataset is missing, so it must be stopped and removed
        CliProcess p = CliProcess.start(tmp.resolve("p"), Map.of("TMPDIR", temp.toString()),
                List.of("-Djava.io.tmpdir=" + temp), "compare", "--backends", "cpu", "--models", "arch0",
                "--dataset", "voc:" + tmp.resolve("no-such-devkit"), "--progress", "never", "--out", out.toString());
        assertEquals(2, p.await(120), p.toString());
        assertTrue(p.err().contains("no-such-devkit"), p.toString());
        assertFalse(Files.exists(out), "nothing written for bad input");
        assertEquals(before, entries(temp));
    }
}
