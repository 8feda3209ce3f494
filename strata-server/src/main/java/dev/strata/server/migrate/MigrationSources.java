package dev.strata.server.migrate;

import dev.strata.server.Strata;

/** Recorded results per legacy source, for the commands. */
public final class MigrationSources {
    private MigrationSources() {}

    public static void recordVerified(Strata strata, String from) {
        new MigrationProgress(strata.database()).markVerified(Importer.sourceId(from));
    }

    /** @throws dev.strata.model.InvalidInputException unless a passing verify is recorded, or {@code force} */
    public static void requireVerified(Strata strata, String from, boolean force) {
        Finalizer.requireVerified(
                new MigrationProgress(strata.database())
                        .load(Importer.sourceId(from))
                        .verified(),
                force);
    }
}
