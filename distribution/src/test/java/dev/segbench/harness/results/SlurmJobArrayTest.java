package dev.segbench.harness.results;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.segbench.results.Results;
import dev.segbench.results.ResultsJson;
import dev.segbench.results.Run;
import dev.segbench.harness.CliResult;
import dev.segbench.harness.Real;
import dev.segbench.harness.exec.JvmCommand;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/slurm-array.sh submitted to a real Slurm (one node here; `.ci/slurm start` sets it up as root) as a 3-task job
 * array on the fixture checkpoint and the VOC sample: each task takes its shard with --shard auto, and merging the
 * three folders gives the accuracy of one compare over all samples. Skips visibly without Slurm or fixtures.
 */
class SlurmJobArrayTest {

    @TempDir
    Path tmp;

    private static boolean slurmAnswers() {
        try {
            Process p = new ProcessBuilder("sinfo", "-h", "-o", "%T").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 && out.lines().anyMatch(l -> l.startsWith("idle")
                    || l.startsWith("mix") || l.startsWith("alloc"));
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void theDocsArrayScriptShardsAndMergesToOneRun() throws Exception {
        assumeTrue(slurmAnswers(), "no Slurm cluster answers here (sinfo); `.ci/slurm start` sets up a one-node one: skipped");
        Real.cpu(Real.plugins());
        Path ref = Real.reference();
        Path voc = Real.shared().resolve("data/voc2012-sample/VOCdevkit");
        String weights = "arch0=" + ref.resolve("arch0-seed1.pth");
        List<String> common = List.of("--backends", "cpu", "--models", "arch0", "--precisions", "fp32", "--warmup", "0",
                "--min-duration", "0", "--min-iterations", "2", "--batch-sizes", "1", "--perf-size", "64x64", "--gallery", "1");

        // The script runs $SEGBENCH: here this JVM's java with the test class path.
        Path launcher = tmp.resolve("segbench");
        List<String> java = JvmCommand.viaArgumentFile(JvmCommand.command(List.of(), "dev.segbench.harness.Main", List.of()),
                tmp.resolve("segbench.args"));
        Files.writeString(launcher, "#!/bin/sh\nexec " + java.get(0) + " '" + java.get(1) + "' \"$@\"\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path script = Path.of(System.getProperty("user.dir")).getParent().resolve("docs/slurm-array.sh");
        Path shared = Files.createDirectories(tmp.resolve("shared"));
        List<String> cmd = new ArrayList<>(List.of("sbatch", "--parsable", "--wait", "--array=0-2", "--cpus-per-task=1",
                "--mem=2G", "--time=20", "--output=" + tmp.resolve("task-%a.log"), script.toString()));
        cmd.addAll(common);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("SEGBENCH", launcher.toString());
        pb.environment().put("SHARED", shared.toString());
        pb.environment().put("VOC", voc.toString());
        pb.environment().put("WEIGHTS", weights);
        pb.environment().put("TMPDIR", Files.createDirectories(tmp.resolve("tmp")).toString());
        Process sbatch = pb.start();
        String said = new String(sbatch.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(true, sbatch.waitFor(600, TimeUnit.SECONDS), said);
        assertEquals(0, sbatch.exitValue(), said + logs());
        String job = said.lines().filter(l -> l.matches("\\d+")).findFirst().orElseThrow(() -> new AssertionError(said));

        Path run = shared.resolve("run-" + job);
        List<String> merge = new ArrayList<>(List.of("merge"));
        for (int i = 0; i < 3; i++) {
            Results shard = ResultsJson.read(run.resolve("shard-" + i));
            assertEquals(i + "/3", shard.settings().shard());
            merge.add(run.resolve("shard-" + i).toString());
        }
        merge.addAll(List.of("--out", run.resolve("merged").toString()));
        CliResult m = CliResult.run(merge.toArray(String[]::new));
        assertEquals(0, m.code(), m.toString());

        List<String> whole = new ArrayList<>(List.of("compare", "--in-process", "--dataset", "voc:" + voc, "--weights", weights,
                "--progress", "never", "--out", tmp.resolve("whole").toString()));
        whole.addAll(common);
        assertEquals(0, CliResult.run(whole.toArray(String[]::new)).code());
        Run one = ResultsJson.read(tmp.resolve("whole")).runs().getFirst();
        Run merged = ResultsJson.read(run.resolve("merged")).runs().getFirst();
        assertEquals(Run.OK, merged.status(), merged.reason());
        assertEquals(5, merged.dataset().images());
        assertArrayEquals(one.accuracy().confusionMatrix(), merged.accuracy().confusionMatrix());
        assertEquals(one.accuracy().miou(), merged.accuracy().miou(), 1e-12);
    }

    private String logs() throws Exception {
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> s = Files.list(tmp)) {
            for (Path f : s.filter(p -> p.getFileName().toString().startsWith("task-")).sorted().toList()) {
                sb.append("\n--- ").append(f.getFileName()).append('\n').append(Files.readString(f));
            }
        }
        return sb.toString();
    }
}
