package dev.segbench.datasets;

import dev.segbench.api.DatasetException;
import dev.segbench.api.Progress;
import dev.segbench.api.Text;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A verified, resumable download of the VOC 2012 trainval tar, then a safe extraction.
 *
 * <p>{@link #fetch} downloads into {@code DIR/NAME.tar.part}, resuming with an HTTP Range request after an
 * interruption (up to {@value #ATTEMPTS} attempts in one call; a later call resumes too) and starting over
 * when the server ignores Range. It then checks size and MD5 (a mismatch deletes the file and says so),
 * renames it to {@code DIR/NAME.tar}, extracts it with {@link SafeTarExtractor} into a temporary folder in
 * DIR, moves {@code VOCdevkit} to {@code DIR/VOCdevkit}, deletes the tar and returns {@code DIR/VOCdevkit}.
 * If {@code DIR/VOCdevkit/VOC2012} is already there, nothing is downloaded.
 *
 * @param url  where the tar is
 * @param size its exact size in bytes
 * @param md5  its MD5, hex
 */
public record VocDownload(URI url, long size, String md5) {

    /** The official PASCAL VOC 2012 trainval tar. */
    public static final VocDownload OFFICIAL = new VocDownload(
            URI.create("http://host.robots.ox.ac.uk/pascal/VOC/voc2012/VOCtrainval_11-May-2012.tar"),
            1_999_639_040L, "6cd6e144f989b92b3379bac3b3de84fd");

    public static final String URL_PROPERTY = "segbench.voc.url";
    public static final String SIZE_PROPERTY = "segbench.voc.size";
    public static final String MD5_PROPERTY = "segbench.voc.md5";

    static final int ATTEMPTS = 5;
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

    public VocDownload {
        if (size <= 0) {
            throw new IllegalArgumentException("size must be positive");
        }
        if (!md5.matches("[0-9a-fA-F]{32}")) {
            throw new IllegalArgumentException("md5 must be 32 hex digits, not '" + md5 + "'");
        }
        md5 = md5.toLowerCase(Locale.ROOT);
    }

    /** {@link #OFFICIAL}, or the system properties segbench.voc.url/.size/.md5 when all three are set. */
    public static VocDownload configured() throws DatasetException {
        String url = System.getProperty(URL_PROPERTY);
        String size = System.getProperty(SIZE_PROPERTY);
        String md5 = System.getProperty(MD5_PROPERTY);
        if (url == null && size == null && md5 == null) {
            return OFFICIAL;
        }
        if (url == null || size == null || md5 == null) {
            throw new DatasetException("set all of -D" + URL_PROPERTY + ", -D" + SIZE_PROPERTY + " and -D" + MD5_PROPERTY
                    + " to download from another place");
        }
        try {
            return new VocDownload(URI.create(url), Long.parseLong(size), md5);
        } catch (IllegalArgumentException e) {
            throw new DatasetException("-D" + URL_PROPERTY + "/" + SIZE_PROPERTY + "/" + MD5_PROPERTY + ": " + Text.oneLine(e));
        }
    }

    /** The tar's file name, from the URL. */
    public String fileName() {
        String path = url.getPath();
        String last = path == null ? "" : path.substring(path.lastIndexOf('/') + 1);
        return last.isBlank() ? "voc2012.tar" : last;
    }

    /** Downloads (resuming), verifies, extracts; returns {@code dir/VOCdevkit}. */
    public Path fetch(Path dir, Progress progress) throws DatasetException {
        return fetch(dir, progress, 500);
    }

    /** As {@link #fetch(Path, Progress)}, waiting {@code retryPauseMillis} x attempt between attempts. */
    Path fetch(Path dir, Progress progress, long retryPauseMillis) throws DatasetException {
        Path devkit = dir.resolve("VOCdevkit");
        if (Files.isDirectory(devkit.resolve("VOC2012").resolve("ImageSets"))) {
            return devkit;
        }
        if (Files.exists(devkit)) {
            throw new DatasetException(devkit + ": exists but has no VOC2012/ImageSets; move it away and fetch again");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new DatasetException(dir + ": cannot create folder (" + Text.oneLine(e) + ")", e);
        }
        Path tar = dir.resolve(fileName());
        Path part = dir.resolve(fileName() + ".part");
        if (!Files.isRegularFile(tar)) {
            download(part, progress, retryPauseMillis);
            verify(part, progress);
            move(part, tar);
        } else {
            verify(tar, progress);
        }
        Path temp = dir.resolve(".extract-" + fileName() + ".tmp");
        dev.segbench.api.io.Folders.deleteQuietly(temp);
        try {
            SafeTarExtractor.extract(tar, temp, progress);
            Path extracted = temp.resolve("VOCdevkit");
            if (!Files.isDirectory(extracted.resolve("VOC2012").resolve("ImageSets"))) {
                throw new DatasetException(tar + ": the archive has no VOCdevkit/VOC2012/ImageSets");
            }
            move(extracted, devkit);
        } finally {
            dev.segbench.api.io.Folders.deleteQuietly(temp);
        }
        try {
            Files.deleteIfExists(tar);
        } catch (IOException e) {
            // The dataset is ready; a tar left behind only costs disk space.
        }
        return devkit;
    }

    private void download(Path part, Progress progress, long retryPauseMillis) throws DatasetException {
        try (HttpClient client = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30))
                .build()) {
            progress.start("download " + fileName(), size, "B");
            IOException lastFailure = null;
            for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
                long have = Files.exists(part) ? Files.size(part) : 0;
                if (have > size) {
                    Files.delete(part);
                    have = 0;
                }
                if (attempt == 1) {
                    progress.advance(have);
                }
                if (have == size) {
                    break;
                }
                try {
                    transfer(client, part, have, progress);
                    lastFailure = null;
                } catch (IOException e) {
                    lastFailure = e;
                    if (attempt < ATTEMPTS) {
                        Thread.sleep(retryPauseMillis * attempt);
                    }
                }
            }
            long have = Files.exists(part) ? Files.size(part) : 0;
            if (have != size) {
                String why = lastFailure == null ? "" : " (last error: " + Text.oneLine(lastFailure) + ")";
                throw new DatasetException(url + ": download incomplete after " + ATTEMPTS + " attempts, " + have + " of "
                        + size + " bytes kept in " + part + "; run fetch again to resume" + why);
            }
            progress.done();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatasetException(url + ": download interrupted; " + part + " is kept and the next fetch resumes it");
        } catch (IOException e) {
            throw new DatasetException(part + ": cannot write (" + Text.oneLine(e) + ")", e);
        }
    }

    /** One request: appends from {@code have} on a 206, starts over on a 200. IOExceptions mean "try again". */
    private void transfer(HttpClient client, Path part, long have, Progress progress)
            throws IOException, InterruptedException, DatasetException {
        // bounds the wait for the response headers; a stalled body shows up as a stalled progress bar
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(60)).GET();
        if (have > 0) {
            request.header("Range", "bytes=" + have + "-");
        }
        HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            int status = response.statusCode();
            boolean append;
            if (status == 206) {
                Matcher range = CONTENT_RANGE.matcher(response.headers().firstValue("Content-Range").orElse(""));
                if (!range.matches() || Long.parseLong(range.group(1)) != have) {
                    // The server answered a different range than asked: safest is to start over.
                    Files.deleteIfExists(part);
                    throw new IOException("server answered Range with '"
                            + response.headers().firstValue("Content-Range").orElse("no Content-Range") + "'; starting over");
                }
                append = true;
            } else if (status == 200) {
                append = false;
                if (have > 0) {
                    progress.start("download " + fileName() + " (server ignored resume, starting over)", size, "B");
                }
            } else if (status == 416 && have > 0) {
                Files.deleteIfExists(part);
                throw new IOException("server refused the resume range (HTTP 416); starting over");
            } else if (status >= 500) {
                throw new IOException("HTTP " + status);
            } else {
                throw new DatasetException(url + ": HTTP " + status);
            }
            long expected = append ? size - have : size;
            long announced = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (announced >= 0 && announced != expected) {
                throw new DatasetException(url + ": server announces " + announced + " bytes, expected " + expected
                        + " (is the configured size " + size + " right?)");
            }
            StandardOpenOption mode = append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
            try (OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode)) {
                byte[] buffer = new byte[1 << 16];
                long written = 0;
                int n;
                while ((n = body.read(buffer)) > 0) {
                    written += n;
                    if (written > expected) {
                        throw new DatasetException(url + ": server sent more than the expected " + size + " bytes");
                    }
                    out.write(buffer, 0, n);
                    progress.advance(n);
                }
            }
        }
    }

    /** Checks size and MD5; a mismatch deletes the file. */
    private void verify(Path file, Progress progress) throws DatasetException {
        try {
            long actual = Files.size(file);
            if (actual != size) {
                Files.deleteIfExists(file);
                throw new DatasetException(file + ": size " + actual + " bytes, expected " + size + "; deleted it, run fetch again");
            }
            MessageDigest digest = MessageDigest.getInstance("MD5");
            progress.start("verify " + file.getFileName(), size, "B");
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buffer = new byte[1 << 20];
                int n;
                while ((n = in.read(buffer)) > 0) {
                    digest.update(buffer, 0, n);
                    progress.advance(n);
                }
            }
            progress.done();
            String actualMd5 = HexFormat.of().formatHex(digest.digest());
            if (!actualMd5.equals(md5)) {
                Files.deleteIfExists(file);
                throw new DatasetException(file + ": MD5 " + actualMd5 + ", expected " + md5
                        + " (corrupt or different file); deleted it, run fetch again");
            }
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot verify (" + Text.oneLine(e) + ")", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has MD5", e);
        }
    }

    private static void move(Path from, Path to) throws DatasetException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new DatasetException(to + ": cannot move " + from + " here (" + Text.oneLine(e) + ")", e);
        }
    }
}
