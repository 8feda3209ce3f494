package dev.strata.bench;

import java.util.BitSet;
import java.util.List;

/**
 * A system the ingest sweep posts batches to over HTTP: Strata's real server, or the original
 * design behind its own minimal endpoint. Both are driven by the same clients, so their figures
 * differ only by what the server does with an append.
 */
interface SweepTarget extends AutoCloseable {
    /** Shown in the report: "strata" or "original". */
    String name();

    /** Creates {@code count} new, empty tasks and returns their ids. */
    List<String> createTasks(String prefix, int count);

    /** Where a batch for one task is POSTed, and with which headers (auth, content type). */
    RawHttpClient.Post append(String taskId);

    /** The seqs the task holds now, read back through the system's own read path. */
    BitSet storedSeqs(String taskId);

    /** Content-tier PUTs this system has made so far. */
    long contentPuts();

    @Override
    void close();
}
