package dev.segbench.api.results;

import java.util.Map;

/** The machine and software a run happened on. GPU fields are null where there is none. */
public record Environment(String cpu, int cores, long memoryBytes, String os, String jvm,
                          String gpu, String gpuDriver, String cuda, String tensorrt,
                          String harnessVersion, String gitCommit, Map<String, String> backendVersions) {
}
