#!/usr/bin/env bash
# GPU acceptance check of the cuda backend (NOT run in CI: needs a GPU machine with the NVIDIA driver, the CUDA 13
# runtime, cuDNN 9 and NVRTC; no TensorRT and no Java needed there).
#
# Step 1, on a machine with a JDK and Maven (this checkout), export the graphs and pack the module:
#   backend-cuda/gpu-check.sh pack
# Step 2, ship the checkout to the GPU machine with .gpu/ and .gpu-check/ (both git-ignored, so name them
# explicitly, e.g. carry [".gpu", ".gpu-check"]) and run from the repository root:
#   bash backend-cuda/gpu-check.sh run
#
# What "run" checks (dev.segbench.backend.cuda.GpuCheck, exit 0 = pass):
#   - FP32 logits of the GPU session vs the module's CPU reference executor on the same plan, batch 2 at 64x64,
#     max relative error <= 1e-4 (cuDNN FP32 with FMA math, no TF32), and a second run (CUDA graph replay) identical;
#   - FP16 session vs FP32 session on the same input: argmax agreement >= 99 % (relative error printed);
#   - informational: whether cuDNN accepts ReLU6 as CLIPPED_RELU in the fused call (cuda.clipped-relu=true);
#   - a latency table at 512x512 for batch 1 and 32, FP32 and FP16: host wall p50, CUDA-event compute / H2D / D2H,
#     images/s, kernel launches per inference, and whether the CUDA graph was captured.
# Tuning knobs (environment): GPU_CHECK_SIZE (512x512), GPU_CHECK_BATCHES (1,32), GPU_CHECK_ITERS (30), MODELS.
set -euo pipefail
root=$(git rev-parse --show-toplevel)
cd "$root"
models=${MODELS:-arch0 arch1 arch2}
case "${1:-}" in
  pack)
    mkdir -p .gpu-check
    grep -qxF '/.gpu-check/' .git/info/exclude 2>/dev/null || echo '/.gpu-check/' >> .git/info/exclude
    for m in $models; do
      for p in fp32 fp16; do
        ./segbench models export --model "$m" --precision "$p" --seed 42 --out ".gpu-check/$m-$p.onnx"
      done
    done
    ../shared/tools/gpu-pack backend-cuda
    ;;
  run)
    [ -x .gpu/run ] || { echo "gpu-check: .gpu/run missing; run 'backend-cuda/gpu-check.sh pack' first" >&2; exit 2; }
    # the .onnx names carry their precision (MODEL-fp32.onnx, MODEL-fp16.onnx); pass them as unquoted words
    # shellcheck disable=SC2046
    exec bash .gpu/run dev.segbench.backend.cuda.GpuCheck --check-size 64x64 --size "${GPU_CHECK_SIZE:-512x512}" \
      --batches "${GPU_CHECK_BATCHES:-1,32}" --iters "${GPU_CHECK_ITERS:-30}" $(ls .gpu-check/*.onnx)
    ;;
  *)
    echo "usage: backend-cuda/gpu-check.sh pack|run" >&2
    exit 2
    ;;
esac
