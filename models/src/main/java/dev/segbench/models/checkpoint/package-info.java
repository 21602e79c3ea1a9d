/**
 * Import of PyTorch {@code torch.save} state_dict checkpoints (legacy pre-1.6 stream and zip archive) into plain
 * Java arrays, without executing anything from the pickle. Entry point: {@link dev.segbench.models.checkpoint.CheckpointReader#read}.
 */
package dev.segbench.models.checkpoint;
