package dev.segbench.models.checkpoint;

import java.nio.file.Path;
import java.util.Map;

/**
 * A PyTorch checkpoint read by {@link CheckpointReader}.
 *
 * @param file    the file that was read
 * @param sha256  lowercase hex SHA-256 of the whole file
 * @param format  {@code "legacy"} (pre-1.6 torch.save) or {@code "zip"}
 * @param tensors the state_dict, unmodifiable, iterating in file order
 */
public record Checkpoint(Path file, String sha256, String format, Map<String, CheckpointTensor> tensors) {}
