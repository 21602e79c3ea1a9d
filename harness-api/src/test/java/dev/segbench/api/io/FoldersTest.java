package dev.segbench.api.io;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FoldersTest {

    @TempDir
    Path tmp;

    @Test
    void bothDeleteATreeAndLinksButNotWhatTheLinksPointAt() throws Exception {
        Path outside = Files.writeString(tmp.resolve("outside.txt"), "keep");
        for (boolean quietly : new boolean[] {false, true}) {
            Path tree = Files.createDirectories(tmp.resolve("tree-" + quietly).resolve("a/b"));
            Files.writeString(tree.resolve("f.txt"), "x");
            Files.createSymbolicLink(tree.resolve("link"), outside);
            Path root = tmp.resolve("tree-" + quietly);
            if (quietly) {
                Folders.deleteQuietly(root);
            } else {
                Folders.deleteTree(root);
            }
            assertFalse(Files.exists(root), "deleted: " + root);
            assertTrue(Files.isRegularFile(outside), "a link's target is left alone");
        }
    }

    @Test
    void aMissingFolderIsNothingToDo() {
        assertDoesNotThrow(() -> Folders.deleteTree(tmp.resolve("none")));
        assertDoesNotThrow(() -> Folders.deleteQuietly(tmp.resolve("none")));
    }
}
