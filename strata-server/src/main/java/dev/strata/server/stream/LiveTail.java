package dev.strata.server.stream;

import static java.util.Objects.requireNonNull;

import dev.strata.lifecycle.PeriodicTask;
import dev.strata.metrics.MeteredTaskTimes;
import dev.strata.server.config.StreamConfig;
import dev.strata.store.TaskMessageStore;
import dev.strata.tier.metadata.jdbc.Database;
import dev.strata.tier.metadata.jdbc.DatabaseSettings;
import dev.strata.tier.metadata.jdbc.JdbcTaskTimes;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;

/**
 * Everything live tails share in one instance: the stream registry and its limits, the tickets,
 * the notifications (PostgreSQL {@code LISTEN/NOTIFY} when metadata is on PostgreSQL, in-process
 * on SQLite, which one instance owns) and the periodic catch-up. Thread-safe.
 */
public final class LiveTail implements AutoCloseable {
    private final StreamConfig config;
    private final StreamRegistry registry;
    private final StreamTickets tickets;
    private final TaskActivity activity;
    private final ChangeNotifier notifier;
    private final PeriodicTask catchUp;

    public LiveTail(
            StreamConfig config,
            TaskMessageStore store,
            Database database,
            DatabaseSettings databaseSettings,
            MeterRegistry meters,
            Clock clock) {
        this.config = requireNonNull(config, "config is null");
        this.registry = new StreamRegistry(config.maxStreams(), config.maxPerToken(), meters);
        this.tickets = new StreamTickets(database, clock);
        this.activity = new TaskActivity(database, new MeteredTaskTimes(new JdbcTaskTimes(database), meters));
        this.notifier = switch (database.dialect()) {
            case POSTGRESQL -> new PostgresNotifier(database, databaseSettings, registry::changed, registry::wakeAll);
            case SQLITE -> new InProcessNotifier(registry::changed);
        };
        store.addChangeListener(notifier::publish);
        this.catchUp = new PeriodicTask("stream-catch-up", config.catchUp(), new CatchUp(registry, activity));
    }

    public StreamConfig config() {
        return config;
    }

    public StreamRegistry registry() {
        return registry;
    }

    public StreamTickets tickets() {
        return tickets;
    }

    public TaskActivity activity() {
        return activity;
    }

    /** Announces a change the store does not see (a task created or its status changed). */
    public void changed(String taskId) {
        notifier.publish(taskId);
    }

    /** Ends every stream (clients reconnect elsewhere) and stops notifications. */
    @Override
    public void close() {
        registry.close();
        catchUp.close();
        notifier.close();
    }
}
