package dev.strata.tier.metadata.jdbc;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * How to reach the metadata database. The password never appears in {@link #toString()}.
 *
 * @param url the JDBC URL, with the dialect it names
 * @param poolSize most connections the pool opens
 */
public record DatabaseSettings(
        JdbcUrl url, Optional<String> user, Optional<String> password, int poolSize, Duration connectTimeout) {
    public DatabaseSettings {
        requireNonNull(url, "url is null");
        requireNonNull(user, "user is null");
        requireNonNull(password, "password is null");
        requireNonNull(connectTimeout, "connectTimeout is null");
        if (poolSize < 1) {
            throw new IllegalArgumentException("poolSize must be positive, got " + poolSize);
        }
    }

    /**
     * Settings for a URL not parsed yet.
     *
     * @throws IllegalArgumentException if the URL is neither SQLite nor PostgreSQL
     */
    public DatabaseSettings(
            String url, Optional<String> user, Optional<String> password, int poolSize, Duration connectTimeout) {
        this(JdbcUrl.parse(url), user, password, poolSize, connectTimeout);
    }

    public static DatabaseSettings of(String url) {
        return new DatabaseSettings(url, Optional.empty(), Optional.empty(), 8, Duration.ofSeconds(5));
    }

    /** The dialect the URL names. */
    public SqlDialect dialect() {
        return url.dialect();
    }

    @Override
    public String toString() {
        return "DatabaseSettings[url=" + url + ", user=" + user.orElse("") + ", password="
                + (password.isPresent() ? "***" : "") + ", poolSize=" + poolSize + "]";
    }
}
