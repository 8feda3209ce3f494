package dev.strata.tier.metadata.jdbc;

/** The SQL databases Strata runs on; chosen from the JDBC URL. */
public enum SqlDialect {
    SQLITE("sqlite"),
    POSTGRESQL("postgresql");

    private final String migrationFolder;

    SqlDialect(String migrationFolder) {
        this.migrationFolder = migrationFolder;
    }

    /** Folder name of this dialect's migrations under each migration root. */
    public String migrationFolder() {
        return migrationFolder;
    }

    public static SqlDialect fromJdbcUrl(String url) {
        if (url.startsWith("jdbc:sqlite:")) {
            return SQLITE;
        }
        if (url.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        throw new IllegalArgumentException(
                "unsupported database URL (expected jdbc:sqlite:... or jdbc:postgresql:...): " + url);
    }
}
