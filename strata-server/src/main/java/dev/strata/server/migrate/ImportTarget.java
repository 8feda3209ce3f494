package dev.strata.server.migrate;

import static java.util.Objects.requireNonNull;

import dev.strata.server.workspace.WorkspaceDirectory;
import dev.strata.store.TaskMessageStore;
import dev.strata.tier.metadata.jdbc.Database;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * What an import writes to, and nothing more: the store for messages, the directory for the tasks'
 * owners, the database for checkpoints, the message types the server drops, and a reading of the
 * bytes written to the content tier so far (the summary reports the difference a run made).
 */
public record ImportTarget(
        TaskMessageStore store,
        WorkspaceDirectory directory,
        Database database,
        Set<String> dropTypes,
        LongSupplier contentBytesWritten) {
    public ImportTarget {
        requireNonNull(store, "store is null");
        requireNonNull(directory, "directory is null");
        requireNonNull(database, "database is null");
        dropTypes = Set.copyOf(requireNonNull(dropTypes, "dropTypes is null"));
        requireNonNull(contentBytesWritten, "contentBytesWritten is null");
    }
}
