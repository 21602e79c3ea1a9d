package dev.segbench.api;

import java.lang.foreign.Arena;

/**
 * A result whose output lives in an arena of its own, so it outlives the next run and the session; closing it frees
 * the arena once (from any thread), and reading it after close throws IllegalStateException.
 */
public final class ArenaResult implements InferenceResult {

    private final HostTensor output;
    private final String what;
    private Arena arena;

    /** @param what names the result in the after-close error, e.g. the model id */
    public ArenaResult(HostTensor output, Arena arena, String what) {
        this.output = output;
        this.arena = arena;
        this.what = what;
    }

    @Override
    public synchronized HostTensor output() {
        if (arena == null) {
            throw new IllegalStateException("result of " + what + " is closed");
        }
        return output;
    }

    @Override
    public void close() {
        Arena released;
        synchronized (this) {
            released = arena;
            arena = null;
        }
        if (released != null) {
            released.close();
        }
    }
}
