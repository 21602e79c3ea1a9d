package dev.segbench.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.segbench.api.Dataset;
import dev.segbench.api.DatasetException;
import dev.segbench.api.DatasetOptions;
import dev.segbench.api.Progress;
import dev.segbench.api.Sample;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fetch against a server on 127.0.0.1 that this test starts, serving tars this test builds. */
class VocDownloadTest {

    private static final String TAR_NAME = "VOCtrainval_11-May-2012.tar";

    @TempDir
    Path temp;

    private HttpServer server;
    private final List<String> ranges = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger requests = new AtomicInteger();

    /** How the test server behaves. */
    private record Behaviour(int cutFirstRequests, long cutAfterBytes, boolean honourRange) {
    }

    private URI serve(byte[] tar, Behaviour behaviour) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/pascal/" + TAR_NAME, exchange -> handle(exchange, tar, behaviour));
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/pascal/" + TAR_NAME);
    }

    private void handle(HttpExchange exchange, byte[] tar, Behaviour behaviour) throws IOException {
        int number = requests.incrementAndGet();
        String range = exchange.getRequestHeaders().getFirst("Range");
        ranges.add(range);
        int start = 0;
        if (range != null && behaviour.honourRange()) {
            start = Integer.parseInt(range.replace("bytes=", "").replace("-", ""));
            exchange.getResponseHeaders().add("Content-Range", "bytes " + start + "-" + (tar.length - 1) + "/" + tar.length);
            exchange.sendResponseHeaders(206, tar.length - start);
        } else {
            exchange.sendResponseHeaders(200, tar.length);
        }
        OutputStream body = exchange.getResponseBody();
        if (number <= behaviour.cutFirstRequests()) {
            // Send part of the body, then drop the connection: closing short of Content-Length closes the socket.
            body.write(tar, start, (int) behaviour.cutAfterBytes());
            body.flush();
            try {
                exchange.close();
            } catch (RuntimeException e) {
                // expected: the server complains that fewer bytes than announced were written
            }
            return;
        }
        body.write(tar, start, tar.length - start);
        exchange.close();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    /** A tiny VOCdevkit with one sample and a filler file, so a cut-off midway is meaningful. */
    private static byte[] devkitTar(TarEntryWriter extra) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (String dir : List.of("VOCdevkit/", "VOCdevkit/VOC2012/", "VOCdevkit/VOC2012/ImageSets/",
                    "VOCdevkit/VOC2012/ImageSets/Segmentation/", "VOCdevkit/VOC2012/JPEGImages/",
                    "VOCdevkit/VOC2012/SegmentationClass/")) {
                tar.putArchiveEntry(new TarArchiveEntry(dir));
                tar.closeArchiveEntry();
            }
            file(tar, "VOCdevkit/VOC2012/ImageSets/Segmentation/val.txt", "x_1\n".getBytes(StandardCharsets.UTF_8));
            file(tar, "VOCdevkit/VOC2012/JPEGImages/x_1.jpg", TestImages.jpeg(32, 24));
            file(tar, "VOCdevkit/VOC2012/SegmentationClass/x_1.png", TestImages.palettePng(32, 24, TestImages.labels(32, 24, 12)));
            byte[] filler = new byte[300_000];
            new Random(1).nextBytes(filler);
            file(tar, "VOCdevkit/VOC2012/filler.bin", filler);
            extra.write(tar);
        }
        return bytes.toByteArray();
    }

    interface TarEntryWriter {
        void write(TarArchiveOutputStream tar) throws IOException;
    }

    private static void file(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name, true);
        entry.setSize(content.length);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    private static void link(TarArchiveOutputStream tar, String name, byte type, String target) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name, type);
        entry.setLinkName(target);
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
    }

    private static String md5(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
    }

    /** Records what the download reports, to check progress adds up. */
    private static final class RecordingProgress implements Progress {
        final List<String> tasks = Collections.synchronizedList(new ArrayList<>());
        final AtomicLong advancedSinceStart = new AtomicLong();
        final List<Long> totals = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void start(String task, long total, String unit) {
            tasks.add(task);
            totals.add(total);
            advancedSinceStart.set(0);
        }

        @Override
        public void advance(long delta) {
            advancedSinceStart.addAndGet(delta);
        }

        @Override
        public void done() {
            tasks.add("done");
        }
    }

    @Test
    void resumesWithRangeAfterACutOffThenVerifiesAndExtracts() throws Exception {
        byte[] tar = devkitTar(t -> { });
        URI url = serve(tar, new Behaviour(1, 100_000, true));
        Path dir = temp.resolve("data");
        RecordingProgress progress = new RecordingProgress();
        Path devkit = new VocDownload(url, tar.length, md5(tar)).fetch(dir, progress, 10);

        assertEquals(dir.resolve("VOCdevkit"), devkit);
        assertEquals(2, requests.get(), "one cut-off request and one resumed request");
        assertNull(ranges.get(0), "first request asks for the whole file");
        String resume = ranges.get(1);
        assertTrue(resume != null && resume.matches("bytes=\\d+-"), "second request resumes with Range: " + resume);
        long resumedAt = Long.parseLong(resume.replaceAll("\\D", ""));
        assertTrue(resumedAt > 0 && resumedAt <= 100_000, "resumed from what arrived: " + resumedAt);
        assertTrue(progress.tasks.contains("download " + TAR_NAME));
        assertTrue(progress.tasks.contains("verify " + TAR_NAME + ".part"));
        assertTrue(progress.totals.contains((long) tar.length));

        assertFalse(Files.exists(dir.resolve(TAR_NAME + ".part")), "partial file renamed");
        assertFalse(Files.exists(dir.resolve(TAR_NAME)), "tar deleted after extraction");
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(devkit), left.toList(), "no temporary folder left");
        }
        try (Dataset dataset = new VocDatasetProvider().open(devkit.toString(), DatasetOptions.defaults())) {
            Sample sample = dataset.load(0);
            assertEquals("x_1", sample.id());
            assertEquals(12, sample.labels()[12 * 32 + 16]);
        }
        byte[] filler = Files.readAllBytes(devkit.resolve("VOC2012/filler.bin"));
        byte[] expectedFiller = new byte[300_000];
        new Random(1).nextBytes(expectedFiller);
        assertArrayEquals(expectedFiller, filler);

        int before = requests.get();
        assertEquals(devkit, new VocDownload(url, tar.length, md5(tar)).fetch(dir, Progress.NONE, 10));
        assertEquals(before, requests.get(), "an extracted VOCdevkit is not downloaded again");
    }

    @Test
    void startsOverWhenTheServerIgnoresRange() throws Exception {
        byte[] tar = devkitTar(t -> { });
        URI url = serve(tar, new Behaviour(1, 50_000, false));
        Path devkit = new VocDownload(url, tar.length, md5(tar)).fetch(temp, Progress.NONE, 10);
        assertEquals(2, requests.get());
        assertTrue(ranges.get(1) != null, "asked to resume");
        assertTrue(Files.isRegularFile(devkit.resolve("VOC2012/JPEGImages/x_1.jpg")));
        assertEquals(300_000, Files.size(devkit.resolve("VOC2012/filler.bin")));
    }

    @Test
    void aLaterFetchResumesWhatAnEarlierOneLeft() throws Exception {
        byte[] tar = devkitTar(t -> { });
        URI url = serve(tar, new Behaviour(VocDownload.ATTEMPTS, 20_000, true));
        VocDownload download = new VocDownload(url, tar.length, md5(tar));
        DatasetException failed = assertThrows(DatasetException.class, () -> download.fetch(temp, Progress.NONE, 1));
        assertTrue(failed.getMessage().contains("download incomplete"), failed.getMessage());
        assertFalse(failed.getMessage().contains("\n"));
        long kept = Files.size(temp.resolve(TAR_NAME + ".part"));
        assertTrue(kept > 0 && kept < tar.length, "partial download kept: " + kept);

        Path devkit = download.fetch(temp, Progress.NONE, 1);
        assertEquals("bytes=" + kept + "-", ranges.get(ranges.size() - 1));
        assertTrue(Files.isDirectory(devkit.resolve("VOC2012/ImageSets/Segmentation")));
    }

    @Test
    void checksumMismatchDeletesThePartialFileAndSaysSo() throws Exception {
        byte[] tar = devkitTar(t -> { });
        URI url = serve(tar, new Behaviour(0, 0, true));
        String wrong = "0123456789abcdef0123456789abcdef";
        DatasetException e = assertThrows(DatasetException.class,
                () -> new VocDownload(url, tar.length, wrong).fetch(temp, Progress.NONE, 1));
        Path part = temp.resolve(TAR_NAME + ".part");
        assertEquals(part + ": MD5 " + md5(tar) + ", expected " + wrong
                + " (corrupt or different file); deleted it, run fetch again", e.getMessage());
        assertFalse(Files.exists(part));
        assertFalse(Files.exists(temp.resolve("VOCdevkit")));
    }

    @Test
    void httpErrorIsOneLine() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.start();
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/missing/" + TAR_NAME);
        DatasetException e = assertThrows(DatasetException.class,
                () -> new VocDownload(url, 1000, "0123456789abcdef0123456789abcdef").fetch(temp, Progress.NONE, 1));
        assertEquals(url + ": HTTP 404", e.getMessage());
    }

    @Test
    void wrongSizeIsRefusedBeforeWriting() throws Exception {
        byte[] tar = devkitTar(t -> { });
        URI url = serve(tar, new Behaviour(0, 0, true));
        DatasetException e = assertThrows(DatasetException.class,
                () -> new VocDownload(url, tar.length + 10L, md5(tar)).fetch(temp, Progress.NONE, 1));
        assertTrue(e.getMessage().contains("server announces " + tar.length + " bytes"), e.getMessage());
    }

    @Test
    void refusesATarWithDotDotEntry() throws Exception {
        assertRefused(devkitTar(t -> file(t, "../evil", "pwned".getBytes(StandardCharsets.UTF_8))),
                "entry '../evil' has a path '../evil' with '..' that could escape the target folder", temp.resolve("evil"));
    }

    @Test
    void refusesATarWithAnAbsoluteEntry() throws Exception {
        Path target = temp.resolve("absolute-evil");
        assertRefused(devkitTar(t -> file(t, target.toString(), "pwned".getBytes(StandardCharsets.UTF_8))),
                "entry '" + target + "' has an absolute path", target);
    }

    @Test
    void refusesATarWithASymlinkOut() throws Exception {
        Path outside = Files.createDirectory(temp.resolve("outside"));
        assertRefused(devkitTar(t -> {
            link(t, "VOCdevkit/escape", TarConstants.LF_SYMLINK, "../../outside");
            file(t, "VOCdevkit/escape/evil", "pwned".getBytes(StandardCharsets.UTF_8));
        }), "entry 'VOCdevkit/escape' is a symbolic link to '../../outside' outside the target folder", outside.resolve("evil"));
        assertRefused(devkitTar(t -> link(t, "VOCdevkit/abs", TarConstants.LF_SYMLINK, outside.toString())),
                "entry 'VOCdevkit/abs' is a symbolic link to '" + outside + "'", outside.resolve("evil"));
    }

    @Test
    void refusesAHardLinkOutButKeepsLinksInside() throws Exception {
        assertRefused(devkitTar(t -> link(t, "VOCdevkit/hard", TarConstants.LF_LINK, "../secret")),
                "entry 'VOCdevkit/hard' has a hard link target '../secret' with '..'", temp.resolve("secret"));

        byte[] fine = devkitTar(t -> {
            link(t, "VOCdevkit/VOC2012/list.txt", TarConstants.LF_SYMLINK, "ImageSets/Segmentation/val.txt");
            link(t, "VOCdevkit/VOC2012/copy.txt", TarConstants.LF_LINK, "VOCdevkit/VOC2012/ImageSets/Segmentation/val.txt");
        });
        Path tarFile = temp.resolve("fine.tar");
        Files.write(tarFile, fine);
        Path dest = temp.resolve("fine");
        SafeTarExtractor.extract(tarFile, dest, Progress.NONE);
        assertEquals("x_1\n", Files.readString(dest.resolve("VOCdevkit/VOC2012/list.txt")));
        assertTrue(Files.isSymbolicLink(dest.resolve("VOCdevkit/VOC2012/list.txt")));
        assertEquals("x_1\n", Files.readString(dest.resolve("VOCdevkit/VOC2012/copy.txt")));
    }

    @Test
    void refusesLinksThatEscapeOnlyThroughAnEarlierSymlinkedFolder() throws Exception {
        Path outside = Files.createDirectories(temp.resolve("outside"));
        Path secret = Files.writeString(outside.resolve("secret"), "keep");
        // VOCdevkit/d1 -> "." makes d1/d2 physically one level higher than its name says, so "../../.." from
        // inside it lands beside the target folder although each name looks local
        TarEntryWriter folderLink = t -> {
            link(t, "VOCdevkit/d1", TarConstants.LF_SYMLINK, ".");
            t.putArchiveEntry(new TarArchiveEntry("VOCdevkit/d1/d2/"));
            t.closeArchiveEntry();
            link(t, "VOCdevkit/d1/d2/x", TarConstants.LF_SYMLINK, "../../../outside");
        };
        Path dest = temp.resolve("dest");
        DatasetException hard = assertThrows(DatasetException.class, () -> SafeTarExtractor.extract(
                tarFile(devkitTar(t -> {
                    folderLink.write(t);
                    link(t, "VOCdevkit/h", TarConstants.LF_LINK, "VOCdevkit/d1/d2/x/secret");
                    file(t, "VOCdevkit/h", "pwned".getBytes(StandardCharsets.UTF_8));
                })), dest, Progress.NONE));
        assertTrue(hard.getMessage().contains("entry 'VOCdevkit/h' is a hard link to 'VOCdevkit/d1/d2/x/secret' through a link"),
                hard.getMessage());
        assertEquals("keep", Files.readString(secret));
        assertFalse(Files.exists(dest), "partly extracted folder removed");

        Files.delete(secret);
        DatasetException dangling = assertThrows(DatasetException.class, () -> SafeTarExtractor.extract(
                tarFile(devkitTar(t -> {
                    folderLink.write(t);
                    link(t, "VOCdevkit/d1/d2/later", TarConstants.LF_SYMLINK, "../../../outside/secret");
                })), dest, Progress.NONE));
        assertTrue(dangling.getMessage().contains("chain of links leading outside"), dangling.getMessage());
        assertFalse(Files.exists(dest), "partly extracted folder removed");
    }

    private Path tarFile(byte[] tar) throws IOException {
        Path file = temp.resolve("archive-" + System.nanoTime() + ".tar");
        Files.write(file, tar);
        return file;
    }

    private void assertRefused(byte[] tar, String expected, Path mustNotExist) throws Exception {
        ranges.clear();
        requests.set(0);
        if (server != null) {
            server.stop(0);
        }
        URI url = serve(tar, new Behaviour(0, 0, true));
        Path dir = Files.createDirectories(temp.resolve("fetch-" + System.nanoTime()));
        DatasetException e = assertThrows(DatasetException.class,
                () -> new VocDownload(url, tar.length, md5(tar)).fetch(dir, Progress.NONE, 1));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().contains("unsafe archive") && e.getMessage().endsWith("nothing was extracted"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertFalse(Files.exists(mustNotExist), mustNotExist + " must not be written");
        assertFalse(Files.exists(dir.resolve("VOCdevkit")), "no VOCdevkit from an unsafe archive");
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(dir.resolve(TAR_NAME)), left.toList(), "only the verified tar remains, no temp folder");
        }
    }

    @Test
    void providerFetchUsesTheSystemProperties() throws Exception {
        byte[] tar = devkitTar(t -> { });
        URI url = serve(tar, new Behaviour(0, 0, true));
        VocDatasetProvider provider = new VocDatasetProvider();
        assertEquals(List.of("voc2012"), provider.fetchable());
        assertThrows(DatasetException.class, () -> provider.fetch("coco", temp, Progress.NONE));
        System.setProperty(VocDownload.URL_PROPERTY, url.toString());
        System.setProperty(VocDownload.SIZE_PROPERTY, Long.toString(tar.length));
        System.setProperty(VocDownload.MD5_PROPERTY, md5(tar));
        try {
            Path devkit = provider.fetch("voc2012", temp.resolve("cli"), Progress.NONE);
            try (Dataset dataset = provider.open(devkit.toString(), DatasetOptions.defaults())) {
                assertEquals(1, dataset.size());
            }
            System.clearProperty(VocDownload.MD5_PROPERTY);
            DatasetException partial = assertThrows(DatasetException.class, VocDownload::configured);
            assertTrue(partial.getMessage().contains(VocDownload.MD5_PROPERTY));
        } finally {
            System.clearProperty(VocDownload.URL_PROPERTY);
            System.clearProperty(VocDownload.SIZE_PROPERTY);
            System.clearProperty(VocDownload.MD5_PROPERTY);
        }
        assertEquals(VocDownload.OFFICIAL, VocDownload.configured());
        assertEquals(1_999_639_040L, VocDownload.OFFICIAL.size());
        assertEquals("6cd6e144f989b92b3379bac3b3de84fd", VocDownload.OFFICIAL.md5());
    }
}
