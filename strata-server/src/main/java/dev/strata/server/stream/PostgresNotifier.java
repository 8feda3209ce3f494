package dev.strata.server.stream;

import static java.util.Objects.requireNonNull;

import dev.strata.tier.metadata.jdbc.Database;
import dev.strata.tier.metadata.jdbc.DatabaseSettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notifications between instances through PostgreSQL {@code LISTEN/NOTIFY}, since every instance
 * already shares the metadata database (no extra backend to run). The channel is named after the
 * schema, so deployments sharing one database stay apart. Publishing is asynchronous (a sender
 * thread coalesces task ids and sends them in one statement), so an append never waits for it.
 * The listener holds one connection of its own, outside the pool; after it reconnects, every
 * stream is woken, since notifications may have been missed meanwhile. Thread-safe.
 */
public final class PostgresNotifier implements ChangeNotifier {
    private static final Logger log = LoggerFactory.getLogger(PostgresNotifier.class);
    private static final Duration RECONNECT_AFTER = Duration.ofSeconds(1);

    private final Database database;
    private final String url;
    private final Properties credentials;
    private final Consumer<String> listener;
    private final Runnable missedSome;
    private final String channel;
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private final Semaphore toSend = new Semaphore(0);
    private final Thread listening;
    private final Thread sending;
    private volatile boolean closed;
    private volatile Connection connection;

    /**
     * @param settings where the database is: the listener opens its own connection
     * @param listener told each task id announced by any instance (this one included)
     * @param missedSome run when notifications may have been lost (the listening connection broke)
     */
    public PostgresNotifier(
            Database database, DatabaseSettings settings, Consumer<String> listener, Runnable missedSome) {
        this.database = requireNonNull(database, "database is null");
        requireNonNull(settings, "settings is null");
        this.url = settings.url().value();
        this.credentials = new Properties();
        settings.user().ifPresent(value -> credentials.setProperty("user", value));
        settings.password().ifPresent(value -> credentials.setProperty("password", value));
        this.listener = requireNonNull(listener, "listener is null");
        this.missedSome = requireNonNull(missedSome, "missedSome is null");
        String schema = database.jdbi()
                .withHandle(handle -> handle.createQuery("SELECT current_schema()")
                        .mapTo(String.class)
                        .one());
        String name = "strata_tail_" + schema.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        this.channel = name.substring(0, Math.min(63, name.length()));
        this.listening = Thread.ofPlatform().daemon().name("stream-listen").start(this::listen);
        this.sending = Thread.ofVirtual().name("stream-notify").start(this::send);
    }

    @Override
    public void publish(String taskId) {
        listener.accept(taskId);
        pending.add(taskId);
        if (toSend.availablePermits() == 0) {
            toSend.release();
        }
    }

    private void send() {
        while (!closed) {
            try {
                toSend.acquire();
                toSend.drainPermits();
            } catch (InterruptedException e) {
                return;
            }
            List<String> batch = new ArrayList<>(pending);
            pending.removeAll(batch);
            if (batch.isEmpty()) {
                continue;
            }
            try {
                database.jdbi()
                        .useHandle(handle -> handle.createQuery(
                                        "SELECT pg_notify(:channel, id)::text FROM unnest(:ids) AS id")
                                .bind("channel", channel)
                                .bindArray("ids", String.class, batch)
                                .mapTo(String.class)
                                .list());
            } catch (RuntimeException e) {
                // Other instances catch up within their catch-up interval.
                log.warn("could not notify other instances of {} changed tasks: {}", batch.size(), e.toString());
            }
        }
    }

    private void listen() {
        while (!closed) {
            try (Connection listening = DriverManager.getConnection(url, credentials)) {
                connection = listening;
                try (Statement statement = listening.createStatement()) {
                    statement.execute("LISTEN \"" + channel + "\"");
                }
                missedSome.run();
                PGConnection pg = listening.unwrap(PGConnection.class);
                while (!closed) {
                    PGNotification[] notifications = pg.getNotifications(1000);
                    if (notifications != null) {
                        for (PGNotification notification : notifications) {
                            listener.accept(notification.getParameter());
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    return;
                }
                log.warn(
                        "stream notifications from PostgreSQL interrupted, reconnecting in {}: {}",
                        RECONNECT_AFTER,
                        e.toString());
                missedSome.run();
                try {
                    TimeUnit.MILLISECONDS.sleep(RECONNECT_AFTER.toMillis());
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        sending.interrupt();
        Connection current = connection;
        if (current != null) {
            try {
                current.close();
            } catch (SQLException e) {
                // Closing anyway.
            }
        }
        try {
            listening.join(Duration.ofSeconds(3));
            sending.join(Duration.ofSeconds(3));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
