package dev.strata.server;

import static java.util.Objects.requireNonNull;

import dev.strata.codec.SegmentCodec;
import dev.strata.lifecycle.BackgroundFailures;
import dev.strata.lifecycle.CompactionScheduler;
import dev.strata.lifecycle.Fsck;
import dev.strata.lifecycle.OrphanCollector;
import dev.strata.lifecycle.PeriodicTask;
import dev.strata.metrics.MeteredContentTier;
import dev.strata.metrics.MeteredMetadataTier;
import dev.strata.metrics.MeteredTaskTimes;
import dev.strata.server.auth.TokenService;
import dev.strata.server.config.LifecycleConfig;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.http.HttpLimits;
import dev.strata.server.http.HttpServer;
import dev.strata.server.lifecycle.RetentionWorker;
import dev.strata.server.lifecycle.TaskDeletion;
import dev.strata.server.stream.LiveTail;
import dev.strata.server.workspace.WorkspaceDirectory;
import dev.strata.store.ContentSegmentKeys;
import dev.strata.store.StoreOptions;
import dev.strata.store.TaskMessageStore;
import dev.strata.tier.cache.SegmentCache;
import dev.strata.tier.content.ListableContent;
import dev.strata.tier.metadata.MetadataTier;
import dev.strata.tier.metadata.jdbc.Database;
import dev.strata.tier.metadata.jdbc.DatabaseSettings;
import dev.strata.tier.metadata.jdbc.JdbcMetadataTier;
import dev.strata.tier.metadata.jdbc.JdbcTaskTimes;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The composition root: builds every component from the configuration, in one place.
 * {@link #open} gives the storage parts (enough for the admin commands); {@link #serve} adds the
 * HTTP server and background workers.
 */
public final class Strata implements AutoCloseable {
    /** How long a token or membership answer is reused: the most a revocation takes to apply. */
    public static final Duration RECHECK_AFTER = Duration.ofSeconds(2);

    private final StrataConfig config;
    private final Database database;
    private final WorkspaceDirectory directory;
    private final TokenService tokens;
    private final PrometheusMeterRegistry registry;
    private final List<AutoCloseable> running = new ArrayList<>();
    private ListableContent content;
    private SegmentCache cache;
    private MetadataTier metadata;
    private TaskMessageStore store;
    private CompactionScheduler compaction;
    private HttpServer http;

    private Strata(StrataConfig config) {
        this.config = requireNonNull(config, "config is null");
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.database = new Database(new DatabaseSettings(
                config.dbUrl(), config.dbUser(), config.dbPassword(), config.dbPoolSize(), Duration.ofSeconds(5)));
        Clock clock = Clock.systemUTC();
        this.directory =
                new WorkspaceDirectory(database, new MeteredTaskTimes(new JdbcTaskTimes(database), registry), clock);
        this.tokens = new TokenService(database, directory, clock, RECHECK_AFTER);
    }

    /** Opens the database (applying migrations) and the directory of workspaces and tokens. */
    public static Strata open(StrataConfig config) {
        return new Strata(config);
    }

    /** Builds the store over all three tiers. */
    public TaskMessageStore store() {
        if (store == null) {
            metadata = new MeteredMetadataTier(
                    new JdbcMetadataTier(database, Clock.systemUTC(), new ContentSegmentKeys()), registry);
            content = new MeteredContentTier(Backends.content(config), registry);
            cache = Backends.cache(config, registry);
            StoreOptions options = StoreOptions.defaults()
                    .withDropTypes(config.dropTypes())
                    .withReplacedSegmentGrace(config.lifecycle().compactionGrace())
                    .withMaxPageBytes(config.maxResponseBytes());
            store = new TaskMessageStore(metadata, content, cache, options, Clock.systemUTC());
        }
        return store;
    }

    /** Starts the HTTP server and the background work: deletions, compaction, orphans, retention. */
    public Strata serve() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        TaskMessageStore taskStore = store();
        LifecycleConfig lifecycle = config.lifecycle();
        TaskDeletion deletion = new TaskDeletion(taskStore, directory);
        BackgroundFailures failures = new BackgroundFailures(registry);
        compaction = new CompactionScheduler(
                taskStore,
                lifecycle.compactionInterval(),
                lifecycle.compactSegments(),
                lifecycle.compactionConcurrency(),
                failures);
        running.add(compaction);
        running.add(
                new PeriodicTask("deletion", lifecycle.deletionInterval(), taskStore::purgePendingDeletions, failures));
        OrphanCollector orphans =
                new OrphanCollector(content, metadata.catalog(), Clock.systemUTC(), lifecycle.orphanGrace());
        running.add(new PeriodicTask(
                "orphan-collection",
                lifecycle.orphanInterval(),
                () -> orphans.collect(1000, OrphanCollector.Removal.REMOVE),
                failures));
        RetentionWorker retention = new RetentionWorker(directory, deletion, lifecycle.retention(), Clock.systemUTC());
        running.add(new PeriodicTask("retention", lifecycle.retentionInterval(), retention::runAndLog, failures));
        LiveTail liveTail = new LiveTail(
                config.stream(),
                taskStore,
                database,
                config.dbUrl(),
                config.dbUser(),
                config.dbPassword(),
                registry,
                Clock.systemUTC());
        running.add(liveTail);
        http = new HttpServer(
                        taskStore,
                        directory,
                        tokens,
                        deletion,
                        compaction::request,
                        registry,
                        new HttpLimits(config.maxBodyBytes(), config.maxInflightBodyBytes(), config.bodyTimeout()),
                        RECHECK_AFTER,
                        liveTail)
                .start(config.host(), config.port());
        return this;
    }

    /** A cross-check of every tier; see {@link Fsck}. */
    public Fsck fsck() {
        store();
        // A deletion is overdue once the worker has had two turns at it, and a minute more.
        Duration overdueMargin =
                config.lifecycle().deletionInterval().multipliedBy(2).plus(Duration.ofMinutes(1));
        return new Fsck(
                metadata,
                content,
                cache,
                new SegmentCodec(),
                Clock.systemUTC(),
                config.lifecycle().orphanGrace(),
                directory::forgottenStoreTasks,
                overdueMargin);
    }

    /** Retention, for the admin command that runs one pass now. */
    public RetentionWorker retention() {
        return new RetentionWorker(
                directory,
                new TaskDeletion(store(), directory),
                config.lifecycle().retention(),
                Clock.systemUTC());
    }

    public int port() {
        return http.port();
    }

    /** The metadata database, shared by the store and the server's own tables. */
    public Database database() {
        return database;
    }

    /** Strata's meters (content bytes written, tier timings); shared by every component. */
    public io.micrometer.core.instrument.MeterRegistry registry() {
        return registry;
    }

    public StrataConfig config() {
        return config;
    }

    public WorkspaceDirectory directory() {
        return directory;
    }

    public TokenService tokens() {
        return tokens;
    }

    @Override
    public void close() {
        if (http != null) {
            http.close();
        }
        for (AutoCloseable worker : running.reversed()) {
            try {
                worker.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing " + worker + " failed", e);
            }
        }
        // The store does not own its tiers: they are closed here, where they were made, after it.
        if (store != null) {
            store.close();
            cache.close();
            content.close();
            metadata.close();
        }
        database.close();
    }
}
