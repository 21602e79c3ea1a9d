package dev.segbench.harness.results;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.segbench.results.Environment;
import dev.segbench.results.Results;
import dev.segbench.results.ResultsJson;
import dev.segbench.results.Run;
import dev.segbench.harness.CliProcess;
import dev.segbench.harness.CliResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --shard auto} under a scheduler's variables, merging its shards, and merging results of two machines. */
class ShardsAndMachinesTest {

    @TempDir
    Path tmp;

    private static List<String> args(Path out, String shard, String precisions) {
        return new ArrayList<>(List.of("compare", "--in-process", "--backends", "fake", "--models", "tiny4",
                "--precisions", precisions, "--dataset", "fake:7", "--warmup", "0.01",
                "--min-duration", "0.01", "--min-iterations", "3", "--batch-sizes", "1", "--perf-size", "40x56",
                "--gallery", "1", "--progress", "never", "--shard", shard, "--out", out.toString()));
    }

    private static List<String> withReference(List<String> args) {
        args.addAll(List.of("--reference", "fake:fp32"));
        return args;
    }

    private static void assertSameAccuracy(Results expected, Results actual) {
        assertEquals(expected.runs().size(), actual.runs().size());
        for (int i = 0; i < expected.runs().size(); i++) {
            Run e = expected.runs().get(i);
            Run a = actual.runs().get(i);
            assertEquals(e.key(), a.key());
            assertEquals(e.dataset().images(), a.dataset().images(), e.key());
            assertArrayEquals(e.accuracy().confusionMatrix(), a.accuracy().confusionMatrix(), e.key());
            if (e.agreement() != null) {
                assertArrayEquals(e.agreement().confusionMatrix(), a.agreement().confusionMatrix(), e.key());
            }
        }
    }

    @Test
    void shardAutoUnderSlurmAndKubernetesPicksTheExplicitShardsAndMergesToOneRun() throws Exception {
        List<Path> slurm = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Path explicit = tmp.resolve("explicit" + i);
            assertEquals(0, CliResult.run(withReference(args(explicit, i + "/3", "fp32,fp16")).toArray(String[]::new)).code());

            Path s = tmp.resolve("slurm" + i);
            CliProcess p = CliProcess.start(tmp.resolve("p-slurm" + i), Map.of("SLURM_ARRAY_TASK_ID", "" + i,
                    "SLURM_ARRAY_TASK_COUNT", "3", "SLURM_ARRAY_JOB_ID", "77"), List.of(),
                    withReference(args(s, "auto", "fp32,fp16")).toArray(String[]::new));
            assertEquals(0, p.await(120), p.toString());
            assertTrue(p.err().contains("(shard " + i + "/3, from the Slurm job array)"), p.err());
            Path k = tmp.resolve("k8s" + i);
            CliProcess q = CliProcess.start(tmp.resolve("p-k8s" + i), Map.of("JOB_COMPLETION_INDEX", "" + i), List.of(),
                    withReference(args(k, "auto/3", "fp32,fp16")).toArray(String[]::new));
            assertEquals(0, q.await(120), q.toString());

            assertEquals(i + "/3", ResultsJson.read(s).settings().shard());
            assertSameAccuracy(ResultsJson.read(explicit), ResultsJson.read(s));
            assertSameAccuracy(ResultsJson.read(explicit), ResultsJson.read(k));
            slurm.add(s);
        }
        Path merged = tmp.resolve("merged");
        List<String> merge = new ArrayList<>(List.of("merge"));
        slurm.forEach(p -> merge.add(p.toString()));
        merge.addAll(List.of("--out", merged.toString()));
        CliResult m = CliResult.run(merge.toArray(String[]::new));
        assertEquals(0, m.code(), m.toString());
        Path whole = tmp.resolve("whole");
        assertEquals(0, CliResult.run(withReference(args(whole, "0/1", "fp32,fp16")).toArray(String[]::new)).code());
        assertSameAccuracy(ResultsJson.read(whole), ResultsJson.read(merged));
        assertEquals(1, ResultsJson.read(merged).environments().size(), "three shards of one machine are one environment");
    }

    @Test
    void mergingResultsOfTwoMachinesKeepsEachRunsEnvironment() throws Exception {
        Path laptop = tmp.resolve("laptop");
        Path gpuBox = tmp.resolve("gpu-box");
        // Different runs on each machine (no reference, which would add the fp32 run to the fp16 folder).
        List<String> onLaptop = args(laptop, "0/1", "fp32");
        onLaptop.addAll(List.of("--reference", "none"));
        List<String> onGpuBox = args(gpuBox, "0/1", "fp16");
        onGpuBox.addAll(List.of("--reference", "none"));
        assertEquals(0, CliResult.run(onLaptop.toArray(String[]::new)).code());
        assertEquals(0, CliResult.run(onGpuBox.toArray(String[]::new)).code());
        // The second folder as if it came from another machine: its own host, CPU, GPU and backend facts.
        ObjectNode json = (ObjectNode) ResultsJson.mapper().readTree(gpuBox.resolve("results.json").toFile());
        for (var env : List.of((ObjectNode) json.get("environment"), (ObjectNode) json.get("environments").get(0))) {
            env.put("host", "gpu-box-7");
            env.put("id", "gpu-box-7");
            env.put("cpu", "AMD EPYC 9654");
            env.put("gpu", "NVIDIA H200");
            env.withObjectProperty("backend_facts").withObjectProperty("fake").put("nvidia.driver", "580.65");
        }
        json.withArray("runs").forEach(r -> ((ObjectNode) r).put("environment", "gpu-box-7"));
        Files.write(gpuBox.resolve("results.json"), ResultsJson.mapper().writeValueAsBytes(json));

        Path merged = tmp.resolve("merged");
        CliResult m = CliResult.run("merge", laptop.toString(), gpuBox.toString(), "--out", merged.toString());
        assertEquals(0, m.code(), m.toString());
        Results r = ResultsJson.read(merged);
        assertEquals(2, r.environments().size(), r.environments().toString());
        Run fp32 = r.runs().stream().filter(x -> x.precision().equals("fp32")).findFirst().orElseThrow();
        Run fp16 = r.runs().stream().filter(x -> x.precision().equals("fp16")).findFirst().orElseThrow();
        assertEquals("gpu-box-7", fp16.environment());
        Environment gpu = r.environmentOf(fp16);
        assertEquals("NVIDIA H200", gpu.gpu());
        assertEquals("580.65", gpu.backendFacts().get("fake").get("nvidia.driver"));
        Environment here = r.environmentOf(fp32);
        assertEquals(ResultsJson.read(laptop).environment().cpu(), here.cpu());
        assertTrue(r.warningTexts().stream().noneMatch(w -> w.contains("given twice")), r.warningTexts().toString());

        Document doc = Jsoup.parse(merged.resolve("report.html").toFile(), "UTF-8");
        List<String> headers = doc.select("#details thead th").eachText();
        int machine = headers.indexOf("Machine");
        assertTrue(machine > 0, headers.toString());
        assertEquals(List.of(here.id(), "gpu-box-7"), doc.select("#details tbody tr").stream()
                .map(tr -> tr.select("td").get(machine).text()).toList());
        String environment = doc.select("#environment").text();
        assertTrue(environment.contains("AMD EPYC 9654") && environment.contains(here.cpu()), environment);
    }
}
