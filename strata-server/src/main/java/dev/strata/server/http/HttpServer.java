package dev.strata.server.http;

import static java.util.Objects.requireNonNull;

import dev.strata.server.auth.TokenService;
import dev.strata.server.lifecycle.TaskDeletion;
import dev.strata.server.stats.StorageStatistics;
import dev.strata.server.stream.LiveTail;
import dev.strata.server.workspace.WorkspaceDirectory;
import dev.strata.store.TaskMessageStore;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.component.LifeCycle;

/** The HTTP server: Javalin on Jetty 12 with virtual threads, every route and the error mapping. */
public final class HttpServer implements AutoCloseable {
    /** How long a request waits for body memory when {@link HttpLimits#maxInflightBodyBytes} is spent. */
    private static final Duration BODY_BUDGET_WAIT = Duration.ofSeconds(2);
    /** Connections waiting to be accepted (the kernel may cap it: net.core.somaxconn). */
    static final int ACCEPT_QUEUE = 1024;

    private final Javalin app;
    private final LiveTail liveTail;

    /**
     * @param onSealed told the id of each task a daemon completes or fails, to compact it soon
     * @param allowShortRetention whether a workspace's retention may be under an hour
     */
    public HttpServer(
            TaskMessageStore store,
            WorkspaceDirectory directory,
            TokenService tokens,
            TaskDeletion deletion,
            Consumer<String> onSealed,
            PrometheusMeterRegistry registry,
            HttpLimits limits,
            Duration recheckAfter,
            LiveTail liveTail,
            StorageStatistics statistics,
            boolean allowShortRetention) {
        requireNonNull(store, "store is null");
        requireNonNull(registry, "registry is null");
        requireNonNull(limits, "limits is null");
        Access access = new Access(tokens, directory, recheckAfter);
        TaskRoutes taskRoutes = new TaskRoutes(access, directory, store, deletion, onSealed, limits.maxBodyBytes());
        BodyBudget budget = new BodyBudget(limits.maxInflightBodyBytes(), BODY_BUDGET_WAIT);
        Bodies bodies = new Bodies(budget);
        registry.gauge("strata.http.inflight.body.bytes", budget, BodyBudget::reserved);
        this.liveTail = requireNonNull(liveTail, "liveTail is null");
        StreamRoutes streamRoutes = new StreamRoutes(access, directory, store, liveTail);
        WorkspaceRoutes workspaceRoutes = new WorkspaceRoutes(access, directory, statistics);
        ListRoutes listRoutes = new ListRoutes(access, directory, store);
        CreateRoutes createRoutes = new CreateRoutes(access, directory, store, limits.maxBodyBytes());
        ExportRoutes exportRoutes =
                new ExportRoutes(access, directory, new dev.strata.server.export.TaskExporter(store, directory));
        RetentionRoutes retentionRoutes =
                new RetentionRoutes(access, directory, limits.maxBodyBytes(), allowShortRetention);
        byte[] openApi = openApiDocument();
        this.app = Javalin.create(config -> {
            config.concurrency.useVirtualThreads = true;
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            // Bodies are read and limited by Bodies.read, which answers 413 in the API's own format.
            config.http.maxRequestSize = Long.MAX_VALUE;
            config.appData(Bodies.KEY, bodies);
            // Errors Jetty answers itself (bad URI, URI or headers too large) in JSON too, and a
            // deadline for the whole body, which the idle timeout alone does not give.
            config.jetty.modifyServer(server -> {
                server.setErrorHandler(new JettyErrors());
                server.setHandler(new BodyDeadline(limits.bodyTimeout()));
                server.addEventListener(new LifeCycle.Listener() {
                    @Override
                    public void lifeCycleStarting(LifeCycle event) {
                        // Before the connectors bind: the JDK's default backlog of 50 reset some of
                        // 256 clients connecting at once (bench ingest-sweep).
                        for (Connector connector : server.getConnectors()) {
                            if (connector instanceof ServerConnector listening) {
                                listening.setAcceptQueueSize(ACCEPT_QUEUE);
                            }
                        }
                    }
                });
            });
            config.jetty.modifyServletContextHandler(context -> context.setErrorHandler(new JettyErrors()));
            config.routes.before(AccessLog::start);
            config.routes.before(UriEncoding::requireDecodable);
            config.routes.after(bodies::releaseAll);
            config.requestLogger.http((ctx, millis) -> {
                String route = route(ctx);
                record(registry, ctx, route, millis);
                AccessLog.finish(ctx, route, millis);
            });
            ErrorMapping.register(config.routes);
            config.routes.get("/healthz", ctx -> Responses.json(ctx, 200, Map.of("status", "ok")));
            config.routes.get("/readyz", ctx -> readiness(ctx, store));
            config.routes.get("/openapi.json", ctx -> Responses.raw(ctx, 200, openApi));
            config.routes.get(
                    "/metrics",
                    ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                            .result(registry.scrape().getBytes(StandardCharsets.UTF_8)));
            taskRoutes.register(config.routes);
            listRoutes.register(config.routes);
            createRoutes.register(config.routes);
            retentionRoutes.register(config.routes);
            exportRoutes.register(config.routes);
            StreamRoutes.registerErrors(config.routes);
            streamRoutes.register(config.routes);
            workspaceRoutes.register(config.routes);
            WebInspector.serve(config.staticFiles);
        });
    }

    /** Starts listening; port 0 picks a free one. */
    public HttpServer start(String host, int port) {
        app.start(host, port);
        return this;
    }

    public int port() {
        return app.port();
    }

    /** Every route this server answers (filters and error handlers left out), as Javalin holds them. */
    List<Endpoint> endpoints() {
        return app.unsafe.internalRouter.allHttpHandlers().stream()
                .map(parsed -> parsed.endpoint)
                .filter(endpoint -> endpoint.method.isHttpMethod())
                .toList();
    }

    @Override
    public void close() {
        // Streams first: they end their responses, so clients reconnect to another instance.
        liveTail.registry().close();
        app.stop();
    }

    /** The API's OpenAPI 3.1 description, kept beside the code as {@code openapi.json}. */
    private static byte[] openApiDocument() {
        try (InputStream in = HttpServer.class.getResourceAsStream("/openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("openapi.json is missing from the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading openapi.json failed", e);
        }
    }

    private static void readiness(Context ctx, TaskMessageStore store) {
        TaskMessageStore.Readiness readiness = store.readiness();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", readiness.ready() ? "ready" : "unavailable");
        body.put("metadata", readiness.metadata() ? "up" : "down");
        body.put("content", readiness.content() ? "up" : "down");
        body.put("cache", readiness.cache().name().toLowerCase(java.util.Locale.ROOT));
        body.put("pending_deletions", safePendingDeletions(store));
        Responses.json(ctx, readiness.ready() ? 200 : 503, body);
    }

    private static Object safePendingDeletions(TaskMessageStore store) {
        try {
            return store.pendingDeletions();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The matched route's template, not the after-handler that runs last (its path is "*"). */
    private static String route(Context ctx) {
        try {
            var endpoint = ctx.endpoints().lastHttpEndpoint();
            return endpoint == null ? "unmatched" : endpoint.path;
        } catch (RuntimeException e) {
            return "unmatched";
        }
    }

    private static void record(PrometheusMeterRegistry registry, Context ctx, String route, float millis) {
        Timer.builder("strata.http.requests")
                .description("HTTP requests by route and status")
                .tags("method", ctx.method().name(), "route", route, "status", Integer.toString(ctx.statusCode()))
                .publishPercentileHistogram()
                .register(registry)
                .record((long) (millis * 1_000_000), TimeUnit.NANOSECONDS);
    }
}
