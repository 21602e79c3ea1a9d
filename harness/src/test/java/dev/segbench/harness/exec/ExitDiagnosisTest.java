package dev.segbench.harness.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a child's end is told in one line. */
class ExitDiagnosisTest {

    @TempDir
    Path tmp;

    private static ExitDiagnosis.Ending ending(int status, String killed, Path hsErr, String last, Long peak, boolean oom) {
        return new ExitDiagnosis.Ending(status, killed, false, hsErr, last, Path.of("OUT/logs/m.b.p.log"), peak, 24L << 30, oom);
    }

    @Test
    void signalsAreNamedFromTheExitStatus() {
        assertEquals("SIGSEGV", ExitDiagnosis.signal(139));
        assertEquals("SIGABRT", ExitDiagnosis.signal(134));
        assertEquals("SIGKILL", ExitDiagnosis.signal(137));
        assertNull(ExitDiagnosis.signal(3));
        assertNull(ExitDiagnosis.signal(0));
        assertTrue(ExitDiagnosis.interruptedBySignal(130));
        assertTrue(ExitDiagnosis.interruptedBySignal(143));
        assertFalse(ExitDiagnosis.interruptedBySignal(137));
    }

    @Test
    void aJvmCrashNamesTheFaultTheFrameAndTheReport() throws Exception {
        Path hsErr = Files.writeString(tmp.resolve("hs_err_m_42.log"), """
                #
                # A fatal error has been detected by the Java Runtime Environment:
                #
                #  SIGSEGV (0xb) at pc=0x00007f53fbc33f9d, pid=42, tid=43
                #
                # JRE version: OpenJDK Runtime Environment Temurin-25.0.3+9 (25.0.3+9)
                # Problematic frame:
                # V  [libjvm.so+0x1233f9d]  Unsafe_GetLong+0xad
                #
                """);
        String line = ExitDiagnosis.describe(ending(134, null, hsErr, "# An error report file is saved", null, false));
        assertTrue(line.startsWith("child JVM crashed: SIGSEGV (0xb) at pc=0x00007f53fbc33f9d, problematic frame "
                + "V [libjvm.so+0x1233f9d] Unsafe_GetLong+0xad (the JVM then ended with SIGABRT, exit 134)"), line);
        assertTrue(line.contains("hs_err kept at " + hsErr), line);
        assertFalse(line.contains("pid=42"), line);
        assertEquals(1, line.lines().count());
    }

    @Test
    void aCompiledFrameLosesItsAddresses() throws Exception {
        Path hsErr = Files.writeString(tmp.resolve("hs_err_m_7.log"), """
                #  SIGSEGV (0xb) at pc=0x00007f3360635cdc, pid=7, tid=8
                # Problematic frame:
                # J 1597 c1 jdk.internal.misc.Unsafe.getLongUnaligned(Ljava/lang/Object;JZ)J java.base@25.0.3 (12 bytes) \
                @ 0x00007f3360635cdc [0x00007f3360635c80+0x000000000000005c]
                """);
        assertEquals("SIGSEGV (0xb) at pc=0x00007f3360635cdc, problematic frame J 1597 c1 "
                + "jdk.internal.misc.Unsafe.getLongUnaligned(Ljava/lang/Object;JZ)J java.base@25.0.3",
                ExitDiagnosis.crashSummary(hsErr));
    }

    @Test
    void theLastStderrLineSkipsTheCrashBannerOnStdout() throws Exception {
        Path log = Files.writeString(tmp.resolve("run.log"), "=== header ===\nabout to read address 0\n"
                + ChildProcess.STDOUT_PREFIX + "#\n" + ChildProcess.STDOUT_PREFIX + "# A fatal error has been detected\n"
                + ChildProcess.STDOUT_PREFIX + "[3.793s][warning][os] Loading hsdis library failed\n" + ChildProcess.STDOUT_PREFIX + "#\n\n");
        assertEquals("about to read address 0", ChildProcess.lastLine(log, "=== header ===\n".length()));
        assertNull(ChildProcess.lastLine(log, Files.size(log)), "nothing after the offset");
    }

    @Test
    void anAbortWithoutReportSaysSo() {
        String line = ExitDiagnosis.describe(ending(134, null, null, "Fatal glibc error: malloc(): corrupted top size", null, false));
        assertEquals("child JVM killed by SIGABRT (exit 134); no hs_err file (the JVM did not handle the signal); last stderr "
                + "line: Fatal glibc error: malloc(): corrupted top size; log: OUT/logs/m.b.p.log", line);
    }

    @Test
    void sigkillSuspectsTheOutOfMemoryKillerWithThePeak() {
        String line = ExitDiagnosis.describe(ending(137, null, null, null, 21L << 30, false));
        assertTrue(line.startsWith("child JVM killed by SIGKILL (exit 137) at a peak of 21.0 GiB resident of 24.0 GiB: "
                + "the kernel's out-of-memory killer or an operator"), line);
    }

    @Test
    void timeoutsOutOfHeapAndEarlyExitsAreTold() {
        assertTrue(ExitDiagnosis.describe(ending(137, "made no progress for 10 min in 'accuracy a/b/c' (--stall-timeout)",
                null, null, null, false)).startsWith("child JVM made no progress for 10 min in 'accuracy a/b/c' "
                + "(--stall-timeout); killed; log:"));
        String oom = ExitDiagnosis.describe(ending(3, null, null,
                "Terminating due to java.lang.OutOfMemoryError: Java heap space", null, true));
        assertTrue(oom.startsWith("child JVM ran out of Java heap (java.lang.OutOfMemoryError, exit 3); give runs more with "
                + "--child-jvm-options=-Xmx<size>"), oom);
        assertTrue(oom.contains("last stderr line: Terminating due to java.lang.OutOfMemoryError: Java heap space"), oom);
        assertTrue(ExitDiagnosis.describe(ending(0, null, null, null, null, false))
                .startsWith("child JVM exited with status 0 before writing its result"));
        assertTrue(ExitDiagnosis.describe(ending(42, null, null, null, null, false)).startsWith("child JVM exited with status 42"));
    }
}
