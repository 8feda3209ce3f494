package dev.strata.server.migrate;

import dev.strata.tier.metadata.jdbc.Database;

/** Recorded results per legacy source, for the commands. */
public final class MigrationSources {
    private MigrationSources() {}

    public static void recordVerified(Database database, String from) {
        new MigrationProgress(database).markVerified(Importer.sourceId(from));
    }

    /** @throws dev.strata.model.InvalidInputException unless a passing verify is recorded, or {@code force} */
    public static void requireVerified(Database database, String from, boolean force) {
        Finalizer.requireVerified(
                new MigrationProgress(database).load(Importer.sourceId(from)).verified(), force);
    }
}
