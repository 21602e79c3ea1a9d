/**
 * The accuracy and speed gate for CI ({@code --gate agreement>=0.99,miou>=0.99*ref,p99-ms<=120}): a
 * {@link dev.segbench.harness.gate.GateParser} that turns the option into {@link dev.segbench.harness.gate.Condition}s
 * with one-line errors, and a {@link dev.segbench.harness.gate.GateEvaluator} that checks every run against its
 * reference and yields a {@link dev.segbench.results.Gate} per run.
 */
package dev.segbench.harness.gate;
