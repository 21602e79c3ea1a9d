package dev.segbench.reports;

import dev.segbench.results.GalleryEntry;
import dev.segbench.results.ResultsJson;
import dev.segbench.results.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes the sample report, with a baseline where one p50 was 20% better, to look at: {@code DemoReport OUT_DIR}. */
public final class DemoReport {

    private DemoReport() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createDirectories(Path.of(args.length > 0 ? args[0] : "target/demo-report"));
        List<Run> runs = new java.util.ArrayList<>(SampleResults.fullGrid(7));
        runs.add(Run.notRun("arch0", "cuda", "fp16", Run.SKIPPED, "cuDNN 9 not found (libcudnn.so.9)"));
        List<GalleryEntry> gallery = SampleResults.writeGallery(dir, 6, runs, 11);
        Path baseline = Files.createDirectories(dir.resolve("baseline"));
        ResultsJson.write(baseline, SampleResults.results(runs, gallery, List.of()));
        Run slower = runs.get(7);
        runs.set(7, RegressionTest.withP50(slower, slower.latencyMs().p50() * 1.2));
        ResultsJson.write(dir, SampleResults.results(runs, gallery, List.of("shard 2/2 ran on a different GPU driver")));
        System.out.println(HtmlReport.write(dir, baseline, HtmlReport.DEFAULT_REGRESSION_THRESHOLD));
    }
}
