package dev.strata.server;

import static java.util.Objects.requireNonNull;

import dev.strata.lifecycle.DeletionWorker;
import dev.strata.metrics.MeteredContentTier;
import dev.strata.metrics.MeteredMetadataTier;
import dev.strata.metrics.MeteredSegmentCache;
import dev.strata.server.auth.TokenService;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.http.HttpServer;
import dev.strata.server.workspace.WorkspaceDirectory;
import dev.strata.store.StoreOptions;
import dev.strata.store.TaskMessageStore;
import dev.strata.tier.cache.FailSafeSegmentCache;
import dev.strata.tier.cache.NoSegmentCache;
import dev.strata.tier.cache.SegmentCache;
import dev.strata.tier.metadata.jdbc.Database;
import dev.strata.tier.metadata.jdbc.DatabaseSettings;
import dev.strata.tier.metadata.jdbc.JdbcMetadataTier;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;

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
    private TaskMessageStore store;
    private DeletionWorker deletionWorker;
    private HttpServer http;

    private Strata(StrataConfig config) {
        this.config = requireNonNull(config, "config is null");
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.database = new Database(new DatabaseSettings(config.dbUrl(), config.dbUser(), config.dbPassword(),
                config.dbPoolSize(), Duration.ofSeconds(5)));
        Clock clock = Clock.systemUTC();
        this.directory = new WorkspaceDirectory(database, clock);
        this.tokens = new TokenService(database, directory, clock, RECHECK_AFTER);
    }

    /** Opens the database (applying migrations) and the directory of workspaces and tokens. */
    public static Strata open(StrataConfig config) {
        return new Strata(config);
    }

    /** Builds the store over all three tiers. */
    public TaskMessageStore store() {
        if (store == null) {
            var metadata = new MeteredMetadataTier(new JdbcMetadataTier(database), registry);
            var content = new MeteredContentTier(Backends.content(config), registry);
            SegmentCache rawCache = Backends.cache(config);
            // Metering a disabled cache would only count misses, and hide that it is disabled.
            var cache = new FailSafeSegmentCache(rawCache instanceof NoSegmentCache ? rawCache : new MeteredSegmentCache(rawCache, registry));
            StoreOptions options = StoreOptions.defaults().withDropTypes(config.dropTypes());
            store = new TaskMessageStore(metadata, content, cache, options, Clock.systemUTC());
        }
        return store;
    }

    /** Starts the HTTP server and the deletion worker. */
    public Strata serve() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        TaskMessageStore taskStore = store();
        deletionWorker = new DeletionWorker(taskStore, config.deletionInterval());
        http = new HttpServer(taskStore, directory, tokens, registry, config.maxBodyBytes(), RECHECK_AFTER)
                .start(config.host(), config.port());
        return this;
    }

    public int port() {
        return http.port();
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
        if (deletionWorker != null) {
            deletionWorker.close();
        }
        if (store != null) {
            store.close();
        }
        database.close();
    }
}
