#!/usr/bin/env bash
# GPU checks for cuda-common and backend-tensorrt, for a lent GPU machine (driver + CUDA 13 libraries, no Java,
# no Maven, no network). Two steps:
#
#   backend-tensorrt/gpu-check.sh pack    # on the build machine: makes .gpu/ (class path, trimmed natives, JRE,
#                                         # the GPU test classes and JUnit), via ../shared/tools/gpu-pack
#   backend-tensorrt/gpu-check.sh run     # on the GPU machine, from the checkout root, with .gpu/ shipped along
#
# With the device tool: run(command="bash backend-tensorrt/gpu-check.sh run", carry=[".gpu"], timeout_s=540).
# `run` executes dev.segbench.backend.tensorrt.GpuTestMain, which runs CudaRuntimeProbeTest, CudaGpuTest,
# TensorRtBackendTest and TensorRtGpuTest and prints one PASSED/SKIPPED/FAILED line per test, skip reasons included.
# TensorRtGpuTest builds six small FP16/FP32 engines (opt level 0, profile 1..2 x 64..256 px): about 1-3 minutes.
#
# TensorRT itself (libnvinfer.so.10, libnvonnxparser.so.10) is NOT packed (it is >1 GB). If the GPU machine lacks
# it, the TensorRT tests skip with "TensorRT library libnvinfer.so.10 not found" and only the CUDA layer is checked;
# point at an installed TensorRT with TRT_LIB_DIR=/path/to/TensorRT-10.x/lib.
set -euo pipefail
root=$(git rev-parse --show-toplevel)
cd "$root"

case "${1:-}" in
  pack)
    ../shared/tools/gpu-pack backend-tensorrt
    if [ -z "${JAVA_HOME:-}" ] || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -qE 'version "(2[2-9]|[3-9][0-9])'; then
      JAVA_HOME=$(ls -d /usr/lib/jvm/temurin-* 2>/dev/null | sort -V | tail -1)
    fi
    export JAVA_HOME
    mvn -q -B -pl cuda-common,backend-tensorrt test-compile
    # test-scope jars (models, JUnit); org.bytedeco is left out because gpu-pack already put trimmed copies there
    mvn -q -B -pl backend-tensorrt dependency:copy-dependencies -DincludeScope=test \
      -DexcludeGroupIds=org.bytedeco,com.microsoft.onnxruntime -DoutputDirectory="$root/.gpu/lib"
    "$JAVA_HOME/bin/jar" cf .gpu/lib/segbench-gpu-tests.jar \
      -C cuda-common/target/test-classes . -C backend-tensorrt/target/test-classes .
    size=$(du -sm --apparent-size .gpu | cut -f1)
    echo "gpu-check: .gpu is ${size} MiB (must stay under 60 for the device tool)"
    [ "$size" -le 60 ]
    ;;
  run)
    [ -x .gpu/run ] || { echo "gpu-check: .gpu/run missing; run 'backend-tensorrt/gpu-check.sh pack' first" >&2; exit 2; }
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo "gpu-check: nvidia-smi not available"
    for lib in libcuda.so.1 libcudart.so.13 libnvinfer.so.10 libnvonnxparser.so.10 libnvinfer_plugin.so.10; do
      hit=$( (ldconfig -p 2>/dev/null || true) | grep -m1 -F "$lib" | sed 's/.*=> //')
      echo "gpu-check: $lib: ${hit:-not in the linker cache}"
    done
    if [ -n "${TRT_LIB_DIR:-}" ]; then
      export LD_LIBRARY_PATH="$TRT_LIB_DIR:${LD_LIBRARY_PATH:-}"
    fi
    timeout "${GPU_CHECK_TIMEOUT:-500}" bash .gpu/run dev.segbench.backend.tensorrt.GpuTestMain "${@:2}"
    ;;
  *)
    echo "usage: backend-tensorrt/gpu-check.sh pack|run [test classes...]" >&2
    exit 2
    ;;
esac
