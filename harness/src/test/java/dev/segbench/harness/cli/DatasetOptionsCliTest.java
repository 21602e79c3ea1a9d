package dev.segbench.harness.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.segbench.results.ResultsJson;
import dev.segbench.harness.CliResult;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's dataset flags reach the provider as its own options; a provider refuses options it does not take. */
class DatasetOptionsCliTest {

    @TempDir
    Path tmp;

    @Test
    void splitIsVocsOptionSoAnotherProviderRefusesIt() {
        CliResult r = CompareEndToEndTest.compareInProcess(tmp.resolve("out"), "--backends", "fake", "--models", "tiny",
                "--dataset", "fake:2", "--split", "train");
        assertEquals(Cli.USER_ERROR, r.code(), r.toString());
        assertEquals(List.of("segbench: dataset fake: unknown option 'split' (it takes classes)"), r.errLines());
    }

    @Test
    void syntheticTakesSeedAndSizeFromTheSpec() throws Exception {
        Path out = tmp.resolve("synthetic");
        CliResult r = CompareEndToEndTest.compareInProcess(out, "--backends", "fake", "--models", "tiny", "--precisions",
                "fp32", "--dataset", "synthetic:2?seed=7&size=40x32");
        assertEquals(0, r.code(), r.toString());
        assertEquals("synthetic(seed=7, 40x32)", ResultsJson.read(out).runs().getFirst().dataset().name());
    }

    @Test
    void aMalformedOrUnknownSyntheticOptionIsOneLine() {
        CliResult bad = CompareEndToEndTest.compareInProcess(tmp.resolve("bad"), "--backends", "fake", "--models", "tiny",
                "--dataset", "synthetic:2?size=big");
        assertEquals(Cli.USER_ERROR, bad.code(), bad.toString());
        assertEquals(List.of("segbench: synthetic: size=big is not WIDTHxHEIGHT, e.g. 512x512"), bad.errLines());
        CliResult unknown = CompareEndToEndTest.compareInProcess(tmp.resolve("unknown"), "--backends", "fake", "--models",
                "tiny", "--dataset", "synthetic:2?aug-labels=true");
        assertEquals(List.of("segbench: dataset synthetic: unknown option 'aug-labels' (it takes seed, size)"),
                unknown.errLines());
    }
}
