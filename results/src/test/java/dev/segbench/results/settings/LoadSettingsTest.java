package dev.segbench.results.settings;

import dev.segbench.results.settings.LoadSettings;
import dev.segbench.results.settings.Scenario;
import dev.segbench.results.settings.Arrivals;
import dev.segbench.results.settings.OptionLists;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.api.Capability;
import dev.segbench.results.UserException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad scenario input is one line naming the option and the problem; lists take any values, not only powers of two. */
class LoadSettingsTest {

    static final List<OptionLists.Size> SIZE = List.of(new OptionLists.Size(512, 512));

    static String error(Executable e) {
        String m = assertThrows(UserException.class, e).getMessage();
        assertEquals(1, m.lines().count(), m);
        assertTrue(!m.contains("Exception"), m);
        return m;
    }

    static LoadSettings settings(Set<Scenario> scenarios, List<Integer> inFlight, Double p99, Double qps) {
        return new LoadSettings(scenarios, SIZE, inFlight, Arrivals.POISSON, 1, p99, qps, 500);
    }

    @Test
    void listsTakeAnyValues() {
        assertEquals(List.of(1, 3, 6, 12), OptionLists.positiveInts("--batch-sizes", "12,1,3,6,3", 1024));
        assertEquals(List.of(1, 2, 4), OptionLists.positiveInts("--in-flight", " 1, 2 ,4", 256));
        assertEquals(List.of(new OptionLists.Size(384, 384), new OptionLists.Size(512, 640)),
                OptionLists.sizes("--perf-size", "384x384,512X640,384x384"));
        assertEquals("384x512", new OptionLists.Size(384, 512).toString());
        assertEquals(2.5, OptionLists.positive("--server-qps", "2.5"));
    }

    /** The offline sweep of threads per request x requests in flight, for a session of 4 threads. */
    @Test
    void offlineThreadsSplitTheThreadsKeepThemOrCrossAList() {
        List<Integer> ks = List.of(1, 2, 4, 8);
        LoadSettings.ThreadsInFlight[] split = {new LoadSettings.ThreadsInFlight(4, 1), new LoadSettings.ThreadsInFlight(2, 2),
                new LoadSettings.ThreadsInFlight(1, 4), new LoadSettings.ThreadsInFlight(1, 8)};
        assertEquals(List.of(split), withThreads(null).offlineConfigurations(4, ks), "split is the default");
        assertEquals(List.of(split), withThreads(" Split ").offlineConfigurations(4, ks));
        assertEquals(List.of(new LoadSettings.ThreadsInFlight(4, 1), new LoadSettings.ThreadsInFlight(4, 2)),
                withThreads("fixed").offlineConfigurations(4, List.of(1, 2)));
        assertEquals(List.of(new LoadSettings.ThreadsInFlight(1, 1), new LoadSettings.ThreadsInFlight(1, 2),
                        new LoadSettings.ThreadsInFlight(3, 1), new LoadSettings.ThreadsInFlight(3, 2)),
                withThreads("3,1").offlineConfigurations(4, List.of(1, 2)));
        assertEquals("--offline-threads: 'half' is not split, fixed or a list of thread counts such as 1,2",
                error(() -> withThreads("half")));
        assertEquals("--offline-threads: '0,2' is not split, fixed or a list of thread counts such as 1,2",
                error(() -> withThreads("0,2")));
    }

    private static LoadSettings withThreads(String mode) {
        return new LoadSettings(Scenario.DEFAULT, SIZE, List.of(1), Arrivals.POISSON, 1, null, null, 500, mode, 1800, 99);
    }

    @Test
    void badListsAndNumbersAreOneLineEach() {
        assertEquals("--perf-size: give at least one size (e.g. 512x512)", error(() -> OptionLists.sizes("--perf-size", " ")));
        assertEquals("--perf-size: '512' is not HxW (e.g. 512x512)", error(() -> OptionLists.sizes("--perf-size", "384x384,512")));
        assertEquals("--perf-size: 'axb' is not HxW (e.g. 512x512)", error(() -> OptionLists.sizes("--perf-size", "axb")));
        assertEquals("--perf-size: 0x512 is not in 1x1..8192x8192", error(() -> OptionLists.sizes("--perf-size", "0x512")));
        assertEquals("--perf-size: empty entry in '384x384,,512x512'", error(() -> OptionLists.sizes("--perf-size", "384x384,,512x512")));
        assertEquals("--batch-sizes: give at least one whole number (e.g. 1,2,4)", error(() -> OptionLists.positiveInts("--batch-sizes", "", 1024)));
        assertEquals("--batch-sizes: 'x' is not a whole number", error(() -> OptionLists.positiveInts("--batch-sizes", "1,x", 1024)));
        assertEquals("--in-flight: 0 is not in 1..256", error(() -> OptionLists.positiveInts("--in-flight", "0", 256)));
        assertEquals("--server-qps: must be a number > 0 (got 0)", error(() -> OptionLists.positive("--server-qps", 0)));
        assertEquals("--server-qps: must be a number > 0 (got -2.5)", error(() -> OptionLists.positive("--server-qps", "-2.5")));
        assertEquals("--server-p99-ms: must be a number > 0 (got NaN)", error(() -> OptionLists.positive("--server-p99-ms", Double.NaN)));
        assertEquals("--server-p99-ms: 'fast' is not a number", error(() -> OptionLists.positive("--server-p99-ms", "fast")));
        assertEquals("--scenarios: 'servr' is not a scenario (known: single-stream, offline, server)",
                error(() -> Scenario.parseList("--scenarios", "single-stream,servr")));
        assertEquals("--arrivals: 'bursty' is not poisson or uniform", error(() -> Arrivals.parse("--arrivals", "bursty")));
    }

    @Test
    void settingsRefuseQpsAndBoundsAtOrBelowZeroAndInconsistentServerOptions() {
        Set<Scenario> server = Set.of(Scenario.SERVER);
        assertEquals("--server-qps: must be a number > 0 (got 0)", error(() -> settings(server, List.of(1), null, 0.0)));
        assertEquals("--server-latency-ms: must be a number > 0 (got -1)", error(() -> settings(server, List.of(1), -1.0, null)));
        assertTrue(error(() -> settings(server, List.of(1), null, null)).startsWith("--scenarios server: give --server-latency-ms MS or --server-p99-ms MS"));
        assertEquals("--server-latency-ms (or --server-p99-ms): the server scenario is not among --scenarios single-stream",
                error(() -> settings(Set.of(Scenario.SINGLE_STREAM), List.of(1), 20.0, null)));
        assertEquals("--in-flight: give at least one whole number (e.g. 1,2,4)", error(() -> settings(server, List.of(), 20.0, null)));
        assertEquals("--perf-size: give at least one size (e.g. 512x512)",
                error(() -> new LoadSettings(server, List.of(), List.of(1), Arrivals.POISSON, 1, 20.0, null, 500)));
        assertEquals("--scenarios: give at least one of single-stream, offline, server",
                error(() -> settings(Set.of(), List.of(1), null, null)));
    }

    @Test
    void serverOptionsAddTheServerScenarioOnlyWhenScenariosWereNotGiven() {
        assertEquals(Scenario.DEFAULT, LoadSettings.scenarios(null, false));
        assertEquals(Set.of(Scenario.SINGLE_STREAM, Scenario.OFFLINE, Scenario.SERVER), LoadSettings.scenarios(null, true));
        assertEquals(Set.of(Scenario.SERVER), LoadSettings.scenarios("server", true));
        assertEquals("single-stream,offline,server", LoadSettings.ids(LoadSettings.scenarios(null, true)));
    }

    @Test
    void inFlightNeedsTheConcurrentRunsCapability() {
        LoadSettings s = settings(Set.of(Scenario.OFFLINE, Scenario.SERVER), List.of(1, 2, 4), 50.0, null);
        assertEquals(List.of(1, 2, 4), s.inFlightFor(Set.of(Capability.GPU, Capability.CONCURRENT_RUNS)));
        assertEquals(List.of(1), s.inFlightFor(Set.of(Capability.GPU)));
        assertEquals(4, s.serverWorkers(Set.of(Capability.CONCURRENT_RUNS)));
        assertEquals(1, s.serverWorkers(Set.of()));
        assertEquals("in flight 2,4 skipped on cpu: the backend does not declare concurrent runs, so one request at a time",
                s.inFlightWarning("cpu", Set.of()));
        assertNull(s.inFlightWarning("tensorrt", Set.of(Capability.CONCURRENT_RUNS)));
        assertNull(settings(Set.of(Scenario.OFFLINE), List.of(1), null, null).inFlightWarning("cpu", Set.of()));
    }
}
