package dev.strata.tier.metadata.jdbc;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * How to reach the metadata database. The password never appears in {@link #toString()}.
 *
 * @param poolSize most connections the pool opens
 */
public record DatabaseSettings(
        String url, Optional<String> user, Optional<String> password, int poolSize, Duration connectTimeout) {
    public DatabaseSettings {
        requireNonNull(url, "url is null");
        SqlDialect.fromJdbcUrl(url);
        requireNonNull(user, "user is null");
        requireNonNull(password, "password is null");
        requireNonNull(connectTimeout, "connectTimeout is null");
        if (poolSize < 1) {
            throw new IllegalArgumentException("poolSize must be positive, got " + poolSize);
        }
    }

    public static DatabaseSettings of(String url) {
        return new DatabaseSettings(url, Optional.empty(), Optional.empty(), 8, Duration.ofSeconds(5));
    }

    @Override
    public String toString() {
        return "DatabaseSettings[url=" + url + ", user=" + user.orElse("") + ", password="
                + (password.isPresent() ? "***" : "") + ", poolSize=" + poolSize + "]";
    }
}
