#!/usr/bin/env bash
# segbench on a Slurm cluster: one job array, one shard of the evaluation samples per task, every shard in its own
# folder on a volume all nodes share; then one `segbench merge`. Submit the array and a merge that waits for it:
#
#   jid=$(sbatch --parsable docs/slurm-array.sh)
#   sbatch --dependency=afterok:$jid --job-name=segbench-merge \
#       --wrap "$HOME/segbench/segbench merge /shared/segbench/run-$jid/shard-* --out /shared/segbench/run-$jid/merged"
#
# `--shard auto` reads SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT (and SLURM_ARRAY_TASK_MIN, so --array=1-4 works
# too); the array must be contiguous. Task i evaluates the samples whose index % N == i, so merging all N shards gives
# exactly the accuracy of one run over every sample (confusion matrices and latency histograms are added).
# `--resume` makes a requeued or preempted task reuse the runs it had finished (OUT/runs) and do only the rest.
#
#SBATCH --job-name=segbench
#SBATCH --array=0-3
#SBATCH --cpus-per-task=8
#SBATCH --mem=24G
#SBATCH --time=04:00:00
#SBATCH --output=segbench-%A_%a.log
## On GPU partitions, one GPU per task (the tensorrt and cuda backends are skipped with a reason where there is none):
##SBATCH --gres=gpu:1
set -euo pipefail

SEGBENCH=${SEGBENCH:-$HOME/segbench/segbench}     # the launcher of a checkout (builds once, then runs)
SHARED=${SHARED:-/shared/segbench}                # a folder every node sees
VOC=${VOC:-$SHARED/VOCdevkit}                     # ./segbench datasets fetch voc2012 --dir $SHARED
WEIGHTS=${WEIGHTS:-arch0=$SHARED/segm-23378522.pth,arch1=$SHARED/segm-12f78b21.pth,arch2=$SHARED/segm-8f00fc4d.pth}

run=$SHARED/run-${SLURM_ARRAY_JOB_ID}
mkdir -p "$run"
# Engines are cached per node (TensorRT engines are valid only for the GPU model and TensorRT version that built them).
exec "$SEGBENCH" compare --shard auto --resume \
    --dataset "voc:$VOC" --weights "$WEIGHTS" \
    --cache-dir "${TMPDIR:-/tmp}/segbench-cache-$(hostname -s)" \
    --out "$run/shard-${SLURM_ARRAY_TASK_ID}" \
    --progress never "$@"
