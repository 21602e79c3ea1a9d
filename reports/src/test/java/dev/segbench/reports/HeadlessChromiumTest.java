package dev.segbench.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.segbench.results.GalleryEntry;
import dev.segbench.results.ResultsJson;
import dev.segbench.results.Run;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renders the report in headless Chromium, offline: every non-file request would have to go through a proxy that
 * this test runs and that records what it is asked for (Chromium's own service hosts aside). Skips visibly without Chromium.
 */
class HeadlessChromiumTest {

    private static final String SKIP_REASON = "chromium not installed (tried chromium, chromium-browser, "
            + "google-chrome on PATH): headless rendering check skipped; apt-get install chromium to run it";
    /**
     * Chromium's own update, clock and sign-in services, which it contacts even with background networking off;
     * exact hosts, so a page loading e.g. fonts.googleapis.com is still caught.
     */
    private static final Set<String> CHROMIUM_SERVICES = Set.of("update.googleapis.com", "accounts.google.com",
            "clients2.google.com", "redirector.gvt1.com", "optimizationguide-pa.googleapis.com");

    @TempDir
    Path dir;

    @Test
    void rendersOfflineToANonBlankScreenshot() throws Exception {
        Path browser = findBrowser();
        assumeTrue(browser != null, SKIP_REASON);
        List<Run> runs = SampleResults.fullGrid(7);
        List<GalleryEntry> gallery = SampleResults.writeGallery(dir, 6, runs, 11);
        ResultsJson.write(dir, SampleResults.results(runs, gallery, List.of("demo warning so the banner shows")));
        Path report = HtmlReport.write(dir);
        Path screenshot = dir.resolve("screenshot.png");

        List<String> requests = render(browser, report, screenshot);

        assertTrue(Files.isRegularFile(screenshot), "no screenshot written; log: " + log());
        BufferedImage image = ImageIO.read(screenshot.toFile());
        assertEquals(1280, image.getWidth());
        Set<Integer> colours = new HashSet<>();
        long nonWhite = 0;
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                int rgb = image.getRGB(x, y) & 0xFFFFFF;
                colours.add(rgb);
                nonWhite += rgb == 0xFFFFFF ? 0 : 1;
            }
        }
        long sampled = (long) ((image.getHeight() + 1) / 2) * ((image.getWidth() + 1) / 2);
        assertTrue(colours.size() > 100, "screenshot looks blank: " + colours.size() + " colours");
        assertTrue(nonWhite > sampled / 20, "screenshot is almost all white: " + nonWhite + " of " + sampled);
        assertEquals(List.of(), requests, "the report made network requests");
    }

    /**
     * What a newcomer saw: on a machine without a GPU, the skipped backends' long reason (a library search path with
     * no spaces) pushed the headline table past the page. Measured in the rendered page, not guessed from CSS.
     */
    @Test
    void theHeadlineTableFitsThePageWithLongSkipReasons() throws Exception {
        Path browser = findBrowser();
        assumeTrue(browser != null, SKIP_REASON);
        String reason = "no NVIDIA driver (libcuda.so.1 not found; searched LD_LIBRARY_PATH/segbench.native.path (0 dirs), "
                + "/etc/ld.so.cache, 11 standard dirs such as /usr/local/cuda/lib64)";
        List<Run> runs = new ArrayList<>();
        java.util.Random rnd = new java.util.Random(4);
        for (String m : SampleResults.MODELS) {
            for (String precision : List.of("fp32", "fp16")) {
                // as on a busy 2-core machine with seeded weights: unstable notes and n/a cells on every row
                Run r = SampleResults.run(m, "cpu", precision, rnd);
                Run.Latency l = r.latencyMs();
                runs.add(r.toBuilder().weights(new Run.Weights("seeded", "seeded:42")).latencyMs(new Run.Latency(l.p50(),
                        l.p90(), l.p95(), l.p99(), l.max(), l.mean(), l.stddev(), l.count(), l.min(), 0.3287, l.cdf())).build());
            }
            for (String b : List.of("tensorrt", "cuda")) {
                runs.add(Run.notRun(m, b, "fp32", Run.SKIPPED, reason));
                runs.add(Run.notRun(m, b, "fp16", Run.SKIPPED, reason));
            }
        }
        ResultsJson.write(dir, SampleResults.results(runs, List.of(), List.of()));
        Path report = HtmlReport.write(dir);
        // the page measures itself once laid out; --dump-dom prints the result
        Path probe = dir.resolve("probe.html");
        Files.writeString(probe, Files.readString(report).replace("</body>", "<script>window.addEventListener('load', "
                + "function () { var w = document.getElementById('headline').closest('.table-wrap'); "
                + "document.body.setAttribute('data-overflow', String(w.scrollWidth - w.clientWidth)); });</script></body>"));
        Process p = new ProcessBuilder(browser.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--window-size=1400,2400", "--user-data-dir=" + dir.resolve("profile2"), "--no-first-run",
                "--disable-background-networking", "--dump-dom", probe.toUri().toString())
                .redirectError(dir.resolve("chromium2.log").toFile()).start();
        String dom = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium did not finish");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("data-overflow=\"(-?\\d+)\"").matcher(dom);
        assertTrue(m.find(), "the page did not measure itself; log: " + Files.readString(dir.resolve("chromium2.log")));
        assertTrue(Integer.parseInt(m.group(1)) <= 0, "the headline table is " + m.group(1) + " px wider than the page");
    }

    /** Control: the same set-up does catch a page that loads an image from the network. */
    @Test
    void proxyCatchesAnExternalImage() throws Exception {
        Path browser = findBrowser();
        assumeTrue(browser != null, SKIP_REASON);
        Path page = dir.resolve("external.html");
        Files.writeString(page, "<!DOCTYPE html><p>control</p><img src=\"http://example.com/pixel.png\" alt=\"x\">");

        List<String> requests = render(browser, page, dir.resolve("control.png"));

        assertTrue(requests.stream().anyMatch(r -> r.contains("example.com/pixel.png")), "not caught: " + requests);
    }

    /** Runs Chromium on the page with every network request sent to a local recording proxy; returns the requests. */
    private List<String> render(Path browser, Path page, Path screenshot) throws Exception {
        List<String> requests = Collections.synchronizedList(new ArrayList<>());
        ServerSocket proxy = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread sink = Thread.ofVirtual().start(() -> recordRequests(proxy, requests));
        try {
            List<String> command = List.of(browser.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                    "--hide-scrollbars", "--window-size=1280,2000", "--screenshot=" + screenshot,
                    "--user-data-dir=" + dir.resolve("profile"), "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-extensions",
                    "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,Translate,MediaRouter",
                    "--proxy-server=http://127.0.0.1:" + proxy.getLocalPort(), "--proxy-bypass-list=<-loopback>",
                    page.toUri().toString());
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("chromium.log").toFile()).start();
            boolean finished = p.waitFor(120, TimeUnit.SECONDS);
            if (!finished) {
                p.destroyForcibly();
            }
            assertTrue(finished, "chromium did not finish in 120 s; log: " + log());
        } finally {
            proxy.close(); // ends the recording loop; a request already accepted is still recorded
        }
        sink.join(2000);
        synchronized (requests) {
            return requests.stream().filter(r -> !CHROMIUM_SERVICES.contains(host(r))).toList();
        }
    }

    /** The host a proxy request line names: "CONNECT host:443 ..." or "GET http://host/path ...". */
    static String host(String requestLine) {
        String[] parts = requestLine.split(" ");
        if (parts.length < 2) {
            return "";
        }
        String target = parts[1].replaceFirst("^[a-z]+://", "");
        return target.replaceFirst("[:/].*$", "");
    }

    private static void recordRequests(ServerSocket proxy, List<String> requests) {
        while (!proxy.isClosed()) {
            try (Socket s = proxy.accept()) {
                s.setSoTimeout(2000);
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
                String line = in.readLine();
                requests.add(line == null ? "(connection without request)" : line);
                s.getOutputStream().write("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            } catch (IOException e) {
                // closed at the end of the test, or a client that hung up: nothing to record
            }
        }
    }

    private String log() throws IOException {
        Path log = dir.resolve("chromium.log");
        return Files.exists(log) ? Files.readString(log).lines().limit(20).reduce("", (a, b) -> a + "\n" + b) : "(none)";
    }

    private static Path findBrowser() {
        for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
            for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
                Path candidate = Path.of(d, name);
                if (!d.isEmpty() && Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        return null;
    }
}
