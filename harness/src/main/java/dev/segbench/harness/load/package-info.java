/**
 * Load generation, after MLPerf LoadGen's split: the harness generates traffic, takes every timestamp and
 * summarises; the system under test ({@link dev.segbench.harness.load.SystemUnderTest}) only runs prepared inputs.
 * Scenarios keep LoadGen's names: {@link dev.segbench.harness.load.SingleStreamScenario} (batch-1 closed loop),
 * {@link dev.segbench.harness.load.OfflineScenario} (K requests in flight from K threads) and
 * {@link dev.segbench.harness.load.ServerScenario} (open loop on a seeded arrival schedule, latency counted from
 * each request's scheduled time), with {@link dev.segbench.harness.load.MaxQpsSearch} for the highest rate under a
 * latency bound, and confidence intervals by {@link dev.segbench.harness.load.BatchMeans} (latencies in arrival
 * order: server trials; and the shards of a merged run); single-stream's distribution-free intervals are derived from
 * its histogram ({@link dev.segbench.results.Latencies#intervalsMs}).
 */
package dev.segbench.harness.load;
