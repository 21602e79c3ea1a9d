package dev.segbench.models.checkpoint;

import dev.segbench.api.ModelException;
import java.nio.file.Path;

/** Reads PyTorch state_dict checkpoints (legacy and zip torch.save formats) without executing pickled code. */
public final class CheckpointReader {
    private CheckpointReader() {}

    public static Checkpoint read(Path file) throws ModelException {
        throw new ModelException(file + ": checkpoint import not implemented yet");
    }
}
