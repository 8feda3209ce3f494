package dev.strata.tier.metadata.jdbc;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.strata.model.BackendUnavailableException;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/**
 * A pooled connection to the metadata database, shared by the store and the server's own tables.
 *
 * <p>SQLite runs in WAL mode with {@code synchronous=FULL} (a commit is on disk when it returns)
 * and immediate transactions; its writers are also serialized in this process so they queue on a
 * lock instead of spinning in SQLite's busy handler. PostgreSQL needs neither. Thread-safe.
 */
public final class Database implements AutoCloseable {
    /** PostgreSQL read timeout unless the URL sets {@code socketTimeout}: far above any statement Strata runs. */
    static final long DEFAULT_SOCKET_TIMEOUT_SECONDS = 30;

    private final SqlDialect dialect;
    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final Optional<String> schema;
    private final ReentrantLock writeLock = new ReentrantLock(true);

    /** @param settings where the database is and how large the pool may grow */
    public Database(DatabaseSettings settings) {
        requireNonNull(settings, "settings is null");
        this.dialect = settings.dialect();
        this.schema =
                dialect == SqlDialect.POSTGRESQL ? currentSchema(settings.url().value()) : Optional.empty();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(settings.url().value());
        settings.user().ifPresent(config::setUsername);
        settings.password().ifPresent(config::setPassword);
        config.setPoolName("strata-metadata");
        config.setMaximumPoolSize(settings.poolSize());
        config.setConnectionTimeout(settings.connectTimeout().toMillis());
        config.setInitializationFailTimeout(-1);
        if (dialect == SqlDialect.SQLITE) {
            createParentDirectory(settings.url().value());
            config.addDataSourceProperty("journal_mode", "WAL");
            config.addDataSourceProperty("synchronous", "FULL");
            // How long a writer waits for another process (an admin command) to release the database.
            config.addDataSourceProperty(
                    "busy_timeout", Long.toString(settings.connectTimeout().toMillis()));
            config.addDataSourceProperty("transaction_mode", "IMMEDIATE");
            config.addDataSourceProperty("foreign_keys", "false");
        } else {
            schema.ifPresent(name -> createSchema(settings, name));
            config.addDataSourceProperty("tcpKeepAlive", "true");
            // Without a read timeout a partitioned (black-holed) server holds a request for as long
            // as the partition lasts; with it the request fails as a 503 and may be retried. A
            // socketTimeout in the URL takes precedence (pgjdbc lets URL parameters win).
            config.addDataSourceProperty("socketTimeout", Long.toString(DEFAULT_SOCKET_TIMEOUT_SECONDS));
        }
        this.dataSource = new HikariDataSource(config);
        this.jdbi = Jdbi.create(dataSource);
    }

    public SqlDialect dialect() {
        return dialect;
    }

    /** Bare access for tests and tools; writes go through {@link #write}, which owns the transaction and the lock. */
    public Jdbi jdbi() {
        return jdbi;
    }

    public HikariDataSource dataSource() {
        return dataSource;
    }

    /**
     * Applies one component's versioned migrations, found under
     * {@code classpath:<root>/<dialect>}, tracked in their own history table.
     */
    public void migrate(String root, String historyTable) {
        var configuration = Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:" + root + "/" + dialect.migrationFolder())
                .table(historyTable)
                .baselineOnMigrate(true)
                .baselineVersion("0");
        schema.ifPresent(name -> configuration.schemas(name).defaultSchema(name).createSchemas(true));
        try {
            configuration.load().migrate();
        } catch (RuntimeException e) {
            throw new BackendUnavailableException(
                    "migrating " + root + " on " + dialect + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Runs {@code work} as one write transaction: committed when it returns, rolled back when it
     * throws. On SQLite, writers of this process take turns; the turn is taken before a pooled
     * connection (not in a Jdbi transaction handler, which runs once the connection is taken), so a
     * waiting writer holds no connection a reader needs. No other tier's I/O may run inside.
     *
     * @param operation what the work does and to what, for the error message: {@code "metadata seal for t1"}
     * @throws BackendUnavailableException when the database fails; nothing of the work is committed
     */
    public <T> T write(String operation, HandleCallback<T, RuntimeException> work) {
        if (dialect != SqlDialect.SQLITE) {
            return translate(operation, () -> jdbi.inTransaction(work));
        }
        writeLock.lock();
        try {
            return translate(operation, () -> jdbi.inTransaction(work));
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Runs {@code work} on one connection without a transaction of its own: each statement sees
     * what is committed when it runs.
     *
     * @param operation what the work reads, for the error message
     * @throws BackendUnavailableException when the database fails
     */
    public <T> T read(String operation, HandleCallback<T, RuntimeException> work) {
        return translate(operation, () -> jdbi.withHandle(work));
    }

    /** Work on a bare JDBC connection. */
    @FunctionalInterface
    public interface ConnectionWork<T> {
        T apply(Connection connection) throws SQLException;
    }

    /**
     * Like {@link #read}, on a bare pooled connection instead of a Jdbi handle: for reads on every
     * append, where Jdbi's per-statement work (handle, SQL parsing, argument factories) cost about
     * as much as SQLite's. Same guarantees and the same failure as {@link #read}.
     *
     * @throws BackendUnavailableException when the database or the pool fails
     */
    public <T> T readJdbc(String operation, ConnectionWork<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            return work.apply(connection);
        } catch (SQLException e) {
            throw new BackendUnavailableException(operation + " on " + dialect + " failed: " + rootMessage(e), e);
        }
    }

    /** The one translation of driver and pool errors into the store's retryable failure. */
    private <T> T translate(String operation, Supplier<T> work) {
        try {
            return work.get();
        } catch (JdbiException e) {
            throw new BackendUnavailableException(operation + " on " + dialect + " failed: " + rootMessage(e), e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return String.valueOf(cause.getMessage());
    }

    @Override
    public void close() {
        dataSource.close();
    }

    private static Optional<String> currentSchema(String url) {
        int query = url.indexOf('?');
        if (query < 0) {
            return Optional.empty();
        }
        for (String parameter : url.substring(query + 1).split("&")) {
            int equals = parameter.indexOf('=');
            if (equals > 0 && parameter.substring(0, equals).equalsIgnoreCase("currentSchema")) {
                String name = URLDecoder.decode(parameter.substring(equals + 1), StandardCharsets.UTF_8);
                if (!name.matches("[A-Za-z_][A-Za-z0-9_]{0,62}")) {
                    throw new IllegalArgumentException("currentSchema must be a plain SQL identifier, got " + name);
                }
                return Optional.of(name);
            }
        }
        return Optional.empty();
    }

    /** The pool's connections expect the schema to exist, so make it before the pool starts. */
    private static void createSchema(DatabaseSettings settings, String name) {
        try (var connection = java.sql.DriverManager.getConnection(
                        settings.url().value(),
                        settings.user().orElse(null),
                        settings.password().orElse(null));
                var statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA IF NOT EXISTS " + name);
        } catch (java.sql.SQLException e) {
            throw new BackendUnavailableException("cannot create schema " + name + ": " + e.getMessage(), e);
        }
    }

    private static void createParentDirectory(String url) {
        String file = url.substring("jdbc:sqlite:".length());
        int query = file.indexOf('?');
        if (query >= 0) {
            file = file.substring(0, query);
        }
        if (file.startsWith("file:")) {
            file = file.substring("file:".length());
        }
        if (file.isEmpty() || file.equals(":memory:")) {
            return;
        }
        Path parent = Path.of(file).toAbsolutePath().getParent();
        try {
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new BackendUnavailableException("cannot create the directory of " + file + ": " + e.getMessage(), e);
        }
    }
}
