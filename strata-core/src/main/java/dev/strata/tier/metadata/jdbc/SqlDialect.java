package dev.strata.tier.metadata.jdbc;

/** The SQL databases Strata runs on; chosen once from the JDBC URL by {@link JdbcUrl#parse}. */
public enum SqlDialect {
    SQLITE("sqlite", "jdbc:sqlite:"),
    POSTGRESQL("postgresql", "jdbc:postgresql:");

    private final String migrationFolder;
    private final String urlPrefix;

    SqlDialect(String migrationFolder, String urlPrefix) {
        this.migrationFolder = migrationFolder;
        this.urlPrefix = urlPrefix;
    }

    /** Folder name of this dialect's migrations under each migration root. */
    public String migrationFolder() {
        return migrationFolder;
    }

    /** How every JDBC URL of this dialect starts, for example {@code jdbc:sqlite:}. */
    public String urlPrefix() {
        return urlPrefix;
    }

    /**
     * The dialect a JDBC URL names; call {@link JdbcUrl#parse} instead, which keeps the answer
     * with the URL.
     *
     * @throws IllegalArgumentException if the URL is neither SQLite nor PostgreSQL
     */
    static SqlDialect fromJdbcUrl(String url) {
        for (SqlDialect dialect : values()) {
            if (url.startsWith(dialect.urlPrefix)) {
                return dialect;
            }
        }
        throw new IllegalArgumentException(
                "unsupported database URL (expected jdbc:sqlite:... or jdbc:postgresql:...): " + url);
    }
}
