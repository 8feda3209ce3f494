package dev.strata.server;

import static java.util.Objects.requireNonNull;

import dev.strata.codec.SegmentCodec;
import dev.strata.lifecycle.BackgroundFailures;
import dev.strata.lifecycle.CompactionScheduler;
import dev.strata.lifecycle.Fsck;
import dev.strata.lifecycle.JobLease;
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
import dev.strata.server.lifecycle.DatabaseJobLease;
import dev.strata.server.lifecycle.RetentionWorker;
import dev.strata.server.lifecycle.TaskDeletion;
import dev.strata.server.migrate.ImportTarget;
import dev.strata.server.migrate.Importer;
import dev.strata.server.migrate.Verifier;
import dev.strata.server.stats.StorageStatistics;
import dev.strata.server.stream.LiveTail;
import dev.strata.server.workspace.WorkspaceDirectory;
import dev.strata.store.ContentSegmentKeys;
import dev.strata.store.StoreOptions;
import dev.strata.store.TaskMessageStore;
import dev.strata.tier.cache.SegmentCache;
import dev.strata.tier.metadata.MetadataTier;
import dev.strata.tier.metadata.jdbc.Database;
import dev.strata.tier.metadata.jdbc.JdbcMetadataTier;
import dev.strata.tier.metadata.jdbc.JdbcTaskTimes;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;

/**
 * The composition root: builds every component from the configuration, eagerly, in one place, in
 * dependency order, and owns all of them. {@link #open} builds the storage parts (enough for the
 * admin commands); {@link #serve} adds the HTTP server and background workers. {@link #close} closes
 * everything it built in reverse order. Accessors and factories have no side effects.
 */
public final class Strata implements AutoCloseable {
    /** How long a token or membership answer is reused: the most a revocation takes to apply. */
    public static final Duration RECHECK_AFTER = Duration.ofSeconds(2);

    private final Closeables resources = new Closeables();
    private final StrataConfig config;
    private final Clock clock = Clock.systemUTC();
    /** This instance's name in the job lease table: unique per process and per {@code Strata}. */
    private final String instanceId = InstanceIds.next();

    private final PrometheusMeterRegistry registry;
    private final Database database;
    private final WorkspaceDirectory directory;
    private final TokenService tokens;
    private final MetadataTier metadata;
    private final MeteredContentTier content;
    private final SegmentCache cache;
    private final TaskMessageStore store;
    private HttpServer http;

    private Strata(StrataConfig config) {
        this.config = requireNonNull(config, "config is null");
        try {
            this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            resources.add(registry::close);
            this.database = resources.add(openDatabase());
            this.directory = new WorkspaceDirectory(
                    database, new MeteredTaskTimes(new JdbcTaskTimes(database), registry), clock);
            this.tokens = new TokenService(database, directory, clock, RECHECK_AFTER);
            this.metadata = resources.add(metadataTier());
            this.content = resources.add(contentTier());
            this.cache = resources.add(segmentCache());
            this.store = resources.add(taskStore());
        } catch (RuntimeException e) {
            resources.close();
            throw e;
        }
    }

    /** Opens the database (applying migrations), the directory of workspaces and tokens, and the store. */
    public static Strata open(StrataConfig config) {
        return new Strata(config);
    }

    private Database openDatabase() {
        return new Database(config.database());
    }

    private MetadataTier metadataTier() {
        return new MeteredMetadataTier(new JdbcMetadataTier(database, clock, new ContentSegmentKeys()), registry);
    }

    /** The content backend, metered: the store, fsck and orphan collection all use this one object. */
    private MeteredContentTier contentTier() {
        return new MeteredContentTier(Backends.content(config.content()), registry);
    }

    /** The cache the store and fsck share; see {@link Backends#cache}. */
    private SegmentCache segmentCache() {
        return Backends.cache(config.cache(), registry);
    }

    private TaskMessageStore taskStore() {
        StoreOptions options = StoreOptions.defaults()
                .withDropTypes(config.dropTypes())
                .withReplacedSegmentGrace(config.lifecycle().compactionGrace())
                .withMaxPageBytes(config.maxResponseBytes())
                .withFlush(
                        config.flush().maxBytes(),
                        config.flush().maxDelay(),
                        config.flush().concurrency());
        return new TaskMessageStore(metadata, content, cache, options, clock);
    }

    /** The store over all three tiers, built by {@link #open}. */
    public TaskMessageStore store() {
        return store;
    }

    /** Starts the HTTP server and the background work: deletions, compaction, orphans, retention. */
    public Strata serve() {
        if (http != null) {
            throw new IllegalStateException("already serving on port " + http.port());
        }
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        LifecycleConfig lifecycle = config.lifecycle();
        TaskDeletion deletion = new TaskDeletion(store, directory);
        BackgroundFailures failures = new BackgroundFailures(registry);
        // One instance runs each periodic pass (the others stand by); see DatabaseJobLease.
        JobLease lease = new DatabaseJobLease(database, instanceId, clock);
        CompactionScheduler compaction = resources.add(new CompactionScheduler(
                store,
                lifecycle.compactionInterval(),
                lifecycle.compactSegments(),
                lifecycle.compactionConcurrency(),
                config.flush().sharedSegmentTtl(),
                failures,
                lease));
        resources.add(new PeriodicTask(
                "deletion", lifecycle.deletionInterval(), store::purgePendingDeletions, failures, lease));
        OrphanCollector orphans = new OrphanCollector(content, metadata.catalog(), clock, lifecycle.orphanGrace());
        resources.add(new PeriodicTask(
                "orphan-collection",
                lifecycle.orphanInterval(),
                () -> orphans.collect(1000, OrphanCollector.Removal.REMOVE),
                failures,
                lease));
        RetentionWorker retention = retention();
        resources.add(
                new PeriodicTask("retention", lifecycle.retentionInterval(), retention::runAndLog, failures, lease));
        LiveTail liveTail =
                resources.add(new LiveTail(config.stream(), store, database, config.database(), registry, clock));
        http = resources.add(new HttpServer(
                        store,
                        directory,
                        tokens,
                        deletion,
                        compaction::request,
                        registry,
                        new HttpLimits(config.maxBodyBytes(), config.maxInflightBodyBytes(), config.bodyTimeout()),
                        RECHECK_AFTER,
                        liveTail,
                        new StorageStatistics(
                                database,
                                metadata,
                                content,
                                registry,
                                lifecycle.compactSegments(),
                                overdueMargin(),
                                clock),
                        config.lifecycle().allowShortRetention())
                .start(config.host(), config.port()));
        return this;
    }

    /** A new cross-check of every tier; see {@link Fsck}. */
    public Fsck fsck() {
        return new Fsck(
                metadata,
                content,
                cache,
                new SegmentCodec(),
                clock,
                config.lifecycle().orphanGrace(),
                directory::forgottenStoreTasks,
                overdueMargin(),
                config.flush().sharedSegmentTtl());
    }

    /** A deletion is overdue once the worker has had two turns at it, and a minute more. */
    private Duration overdueMargin() {
        return config.lifecycle().deletionInterval().multipliedBy(2).plus(Duration.ofMinutes(1));
    }

    /** A new retention pass over the store, for the worker and the admin command that runs one pass now. */
    public RetentionWorker retention() {
        return new RetentionWorker(
                directory,
                new TaskDeletion(store, directory),
                config.lifecycle().retention(),
                clock);
    }

    /** A new importer of legacy databases into this Strata's store and directory. */
    public Importer importer() {
        return new Importer(new ImportTarget(store, directory, database, config.dropTypes(), content::bytesWritten));
    }

    /** A new verifier that reads what an import wrote back through the store. */
    public Verifier verifier() {
        return new Verifier(store, config.dropTypes());
    }

    /** The HTTP port; only after {@link #serve}. */
    public int port() {
        if (http == null) {
            throw new IllegalStateException("not serving");
        }
        return http.port();
    }

    /** The metadata database, shared by the store and the server's own tables. */
    /** The content tier the store uses (metered): for tools that read objects by key, such as {@code segment dump}. */
    public dev.strata.tier.content.ContentTier content() {
        return content;
    }

    public Database database() {
        return database;
    }
    /** Strata's meters (content bytes written, tier timings); shared by every component. */
    public io.micrometer.core.instrument.MeterRegistry registry() {
        return registry;
    }

    /** This instance's name in the job lease table ({@code job_lease.holder}). */
    public String instanceId() {
        return instanceId;
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

    /** Closes everything {@link #open} and {@link #serve} built, last built first; see {@link Closeables}. */
    @Override
    public void close() {
        resources.close();
    }
}
