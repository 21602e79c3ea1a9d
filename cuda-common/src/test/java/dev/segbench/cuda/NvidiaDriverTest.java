package dev.segbench.cuda;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

class NvidiaDriverTest {

    @Test
    void readsTheProprietaryAndTheOpenKernelModuleLines() {
        assertEquals(Optional.of("535.104.05"), NvidiaDriver.parse(
                "NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.104.05  Sat Aug 19 01:15:15 UTC 2023\n"
                        + "GCC version:  gcc version 12.2.0 (Debian 12.2.0-14)\n"));
        assertEquals(Optional.of("570.86.15"), NvidiaDriver.parse(
                "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  570.86.15  Release Build  "
                        + "(dvs-builder@U16-I3-B03-4-3)  Thu Jan 23 21:36:28 UTC 2025\nGCC version:  gcc version 11.4.0\n"));
        assertEquals(Optional.of("580.65"), NvidiaDriver.parse("NVRM version: NVIDIA UNIX Kernel Module 580.65"));
    }

    @Test
    void somethingElseIsNoVersion(@TempDir Path dir) throws Exception {
        assertEquals(Optional.empty(), NvidiaDriver.parse("GCC version:  gcc version 12.2.0\n"));
        assertEquals(Optional.empty(), NvidiaDriver.versionFrom(dir.resolve("missing")));
        Path file = Files.writeString(dir.resolve("version"), "NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.14  x\n");
        assertEquals(Optional.of("550.54.14"), NvidiaDriver.versionFrom(file));
    }
}
