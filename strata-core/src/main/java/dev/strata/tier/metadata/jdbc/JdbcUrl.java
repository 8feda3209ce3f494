package dev.strata.tier.metadata.jdbc;

import static java.util.Objects.requireNonNull;

/**
 * A JDBC URL together with the {@link SqlDialect} it names, decided once when the URL is parsed so
 * no caller looks at the URL's prefix again. {@link #toString()} is the URL as given: mask it
 * before logging, it may hold a password.
 *
 * @param value the URL as given, for the driver
 */
public record JdbcUrl(String value, SqlDialect dialect) {
    public JdbcUrl {
        requireNonNull(value, "value is null");
        requireNonNull(dialect, "dialect is null");
        if (!value.startsWith(dialect.urlPrefix())) {
            throw new IllegalArgumentException(
                    "a " + dialect + " URL must start with " + dialect.urlPrefix() + ", got " + value);
        }
    }

    /**
     * Reads the dialect from the URL's prefix.
     *
     * @throws IllegalArgumentException if the URL is neither {@code jdbc:sqlite:} nor {@code jdbc:postgresql:}
     */
    public static JdbcUrl parse(String url) {
        requireNonNull(url, "url is null");
        return new JdbcUrl(url, SqlDialect.fromJdbcUrl(url));
    }

    @Override
    public String toString() {
        return value;
    }
}
