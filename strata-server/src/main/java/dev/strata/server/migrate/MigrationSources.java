package dev.strata.server.migrate;

import dev.strata.model.InvalidInputException;
import dev.strata.tier.metadata.jdbc.Database;
import java.util.Optional;

/** Recorded results per legacy source, for the commands. */
public final class MigrationSources {
    private MigrationSources() {}

    /** Records a passing verify, with what the source held when it started ({@link Verifier.Result#source}). */
    public static void recordVerified(Database database, String from, Verifier.Result verify) {
        if (!verify.passed()) {
            throw new IllegalArgumentException("only a passing verify is recorded");
        }
        new MigrationProgress(database).markVerified(Importer.sourceId(from), verify.source());
    }

    /**
     * @throws InvalidInputException unless a passing verify is recorded and the source still holds
     *     what it held then (its row count and high-water mark), or {@code force}
     */
    public static void requireVerified(Database database, String from, boolean force) {
        if (force) {
            return;
        }
        Optional<Verifier.Fingerprint> verified =
                new MigrationProgress(database).load(Importer.sourceId(from)).verified();
        if (verified.isEmpty()) {
            throw new InvalidInputException(
                    "no passing 'migrate verify' is recorded for this source; run it first, or use --force");
        }
        Verifier.Fingerprint now;
        try (LegacyDatabase legacy = new LegacyDatabase(from)) {
            now = legacy.fingerprint();
        }
        if (!now.equals(verified.get())) {
            throw new InvalidInputException("the legacy database changed since the last passing 'migrate verify' ("
                    + verified.get().rows() + " rows then, " + now.rows()
                    + " now): run 'migrate import' and 'migrate verify' again, or use --force");
        }
    }
}
