/**
 * Load generation, after MLPerf LoadGen's split: the harness generates traffic, takes every timestamp and
 * summarises; the system under test ({@link dev.segbench.harness.load.SystemUnderTest}) only runs prepared inputs.
 * Scenarios keep LoadGen's names: {@link dev.segbench.harness.load.SingleStreamScenario} (batch-1 closed loop),
 * {@link dev.segbench.harness.load.OfflineScenario} (K requests in flight from K threads) and
 * {@link dev.segbench.harness.load.ServerScenario} (open loop on a seeded arrival schedule, latency counted from
 * each request's scheduled time), with {@link dev.segbench.harness.load.MaxQpsSearch} for the highest rate under a
 * p99 bound and {@link dev.segbench.harness.load.PercentileBootstrap} for confidence intervals.
 */
package dev.segbench.harness.load;
