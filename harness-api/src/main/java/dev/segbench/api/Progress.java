package dev.segbench.api;

/** Progress of long work, shown by the CLI as a progress bar. Implementations must be thread-safe. */
public interface Progress {

    Progress NONE = new Progress() {
        @Override
        public void start(String task, long total, String unit) {
        }

        @Override
        public void advance(long delta) {
        }

        @Override
        public void done() {
        }
    };

    /** @param total -1 when unknown */
    void start(String task, long total, String unit);

    void advance(long delta);

    void done();
}
