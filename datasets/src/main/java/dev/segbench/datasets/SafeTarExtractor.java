package dev.segbench.datasets;

import dev.segbench.api.DatasetException;
import dev.segbench.api.Progress;
import dev.segbench.api.Text;
import dev.segbench.api.io.Folders;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Extracts a tar archive with commons-compress into a folder, refusing anything that could write or
 * point outside it: absolute names, names with "..", symbolic or hard links whose target lies outside,
 * writes through links, and special files. On any refusal the partly extracted folder is deleted.
 */
public final class SafeTarExtractor {

    private SafeTarExtractor() {
    }

    /** Extracts {@code tar} into {@code dest} (created; must not exist yet). */
    public static void extract(Path tar, Path dest, Progress progress) throws DatasetException {
        try {
            Files.createDirectories(dest.getParent());
            Files.createDirectory(dest);
        } catch (IOException e) {
            throw new DatasetException(dest + ": cannot create extraction folder (" + Text.oneLine(e) + ")", e);
        }
        boolean done = false;
        try {
            Path root = dest.toRealPath();
            progress.start("extract " + tar.getFileName(), Files.size(tar), "B");
            try (InputStream file = new BufferedInputStream(Files.newInputStream(tar), 1 << 20);
                 TarArchiveInputStream in = new TarArchiveInputStream(file)) {
                TarArchiveEntry entry;
                while ((entry = in.getNextEntry()) != null) {
                    extractEntry(tar, root, entry, in);
                    progress.advance(entry.isFile() ? entry.getSize() + 512 : 512);
                }
            }
            checkLinksStayInside(tar, root);
            progress.done();
            done = true;
        } catch (IOException e) {
            throw new DatasetException(tar + ": cannot extract (" + Text.oneLine(e) + ")", e);
        } finally {
            if (!done) {
                Folders.deleteQuietly(dest);
            }
        }
    }

    private static void extractEntry(Path tar, Path root, TarArchiveEntry entry, TarArchiveInputStream in)
            throws IOException, DatasetException {
        String name = entry.getName();
        Path target = inside(tar, root, name, name, "path");
        if (entry.isDirectory()) {
            if (target.equals(root)) {
                return; // "./" entry
            }
            createParents(tar, root, target, name);
            Files.createDirectories(target);
        } else if (entry.isSymbolicLink()) {
            String link = entry.getLinkName();
            Path linkPath = Path.of(link);
            Path resolved = target.getParent().resolve(linkPath).normalize();
            if (link.isEmpty() || linkPath.isAbsolute() || !resolved.startsWith(root)) {
                throw refuse(tar, name, "is a symbolic link to '" + link + "' outside the target folder");
            }
            createParents(tar, root, target, name);
            Files.createSymbolicLink(target, linkPath);
        } else if (entry.isLink()) {
            Path source = inside(tar, root, name, entry.getLinkName(), "hard link target");
            if (!Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
                throw refuse(tar, name, "is a hard link to '" + entry.getLinkName() + "', which is not an extracted file");
            }
            // the name is inside, but a symlinked folder on its way could still lead to a file outside
            if (!source.getParent().toRealPath().startsWith(root)) {
                throw refuse(tar, name, "is a hard link to '" + entry.getLinkName() + "' through a link to outside the target folder");
            }
            createParents(tar, root, target, name);
            Files.createLink(target, source);
        } else if (entry.isFile()) {
            createParents(tar, root, target, name);
            // NOFOLLOW_LINKS: an earlier symlink entry with this name must not redirect the write.
            try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                in.transferTo(out);
            }
        } else {
            throw refuse(tar, name, "is a special file (device, fifo, ...), which this extractor does not create");
        }
    }

    /** The entry's path under root; absolute names, ".." parts and empty names are refused. */
    private static Path inside(Path tar, Path root, String entryName, String path, String what) throws DatasetException {
        String cleaned = path.replace('\\', '/');
        if (cleaned.isEmpty() || cleaned.startsWith("/") || cleaned.matches("^[A-Za-z]:.*")) {
            throw refuse(tar, entryName, "has an absolute " + what + " '" + path + "'");
        }
        for (String part : cleaned.split("/")) {
            if (part.equals("..")) {
                throw refuse(tar, entryName, "has a " + what + " '" + path + "' with '..' that could escape the target folder");
            }
        }
        Path target = root.resolve(cleaned).normalize();
        if (!target.startsWith(root)) {
            throw refuse(tar, entryName, "has a " + what + " '" + path + "' outside the target folder");
        }
        return target;
    }

    /** Creates the parent folders and checks, after following any links, that they are still inside root. */
    private static void createParents(Path tar, Path root, Path target, String name) throws IOException, DatasetException {
        Path parent = target.getParent();
        Files.createDirectories(parent);
        if (!parent.toRealPath().startsWith(root)) {
            throw refuse(tar, name, "would be written through a link to outside the target folder");
        }
    }

    /** Link chains can escape even when each link looks local, so check every link's real target at the end. */
    private static void checkLinksStayInside(Path tar, Path root) throws IOException, DatasetException {
        List<Path> links;
        try (Stream<Path> walk = Files.walk(root)) {
            links = walk.filter(Files::isSymbolicLink).toList();
        }
        for (Path link : links) {
            Path real;
            try {
                real = link.toRealPath();
            } catch (IOException e) {
                // dangling today, but whatever appears at its target later would be exposed: judge where it points
                real = link.getParent().toRealPath().resolve(Files.readSymbolicLink(link)).normalize();
            }
            if (!real.startsWith(root)) {
                throw refuse(tar, root.relativize(link).toString(), "is a chain of links leading outside the target folder");
            }
        }
    }

    private static DatasetException refuse(Path tar, String name, String problem) {
        return new DatasetException(tar + ": unsafe archive: entry '" + name + "' " + problem + "; nothing was extracted");
    }
}
