package dev.strata.client;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A client of one Strata server (or load balancer) with one token, built by {@link #builder(URI)}.
 *
 * <p>Daemons use a machine token ({@code al_...}) and no workspace: {@link #appender(String)} to
 * append, {@link #list(String, MessageQuery)} to read through the daemon endpoints. Services use
 * a user token ({@code ut_...}) and {@link Builder#workspace(String) a workspace}: reads go through
 * the user endpoints, and {@link #stream(String, MessageQuery)} follows a task live. Every request
 * is retried on transient failures as the {@link RetryPolicy} says; every other error answer
 * throws a {@link StrataHttpException} (a {@link StrataAuthenticationException} for 401 and 403).
 * Thread-safe; closing it closes its appenders, then its connections.
 */
public final class StrataClient implements AutoCloseable {
    private final ClientSettings settings;
    private final ApiTransport transport;
    private final TaskEndpoints endpoints;
    private final Map<String, Appender> appenders = new ConcurrentHashMap<>();

    private StrataClient(ClientSettings settings) {
        this.settings = settings;
        this.transport = new ApiTransport(settings);
        this.endpoints = new TaskEndpoints(transport, settings.workspace().isEmpty());
    }

    /** A builder for a client of the Strata at {@code baseUri} (such as {@code http://localhost:8080}). */
    public static Builder builder(URI baseUri) {
        return new Builder(requireNonNull(baseUri, "baseUri is null"));
    }

    /** An appender for the task whose seqs start at 1; see {@link #appender(String, long)}. */
    public Appender appender(String taskId) {
        return appender(taskId, 1);
    }

    /**
     * An appender for the task that assigns seqs from {@code firstSeq} on (a daemon resuming a task
     * passes the seq after the last one it stored). One open appender per task and client, so the
     * client never races its own seqs.
     */
    public synchronized Appender appender(String taskId, long firstSeq) {
        requireNonNull(taskId, "taskId is null");
        if (firstSeq < 0 || firstSeq > NewMessage.MAX_SEQ) {
            throw new IllegalArgumentException("firstSeq must be from 0 to 2^53-1: " + firstSeq);
        }
        if (appenders.containsKey(taskId)) {
            throw new IllegalStateException("an appender of task " + taskId + " is already open");
        }
        Appender appender = new Appender(
                taskId, firstSeq, settings.appenders(), endpoints, closed -> appenders.remove(taskId, closed));
        appenders.put(taskId, appender);
        return appender;
    }

    /** One page of the task's messages. */
    public MessagePage list(String taskId, MessageQuery query) {
        return endpoints.list(requireNonNull(taskId, "taskId is null"), requireNonNull(query, "query is null"));
    }

    /** Every message the query selects, read page by page (each page at most the query's limit). */
    public List<TaskMessage> listAll(String taskId, MessageQuery query) {
        List<TaskMessage> messages = new ArrayList<>();
        MessageQuery page = query;
        while (true) {
            MessagePage read = list(taskId, page);
            messages.addAll(read.messages());
            if (!read.hasMore() || read.lastSeq().isEmpty()) {
                return messages;
            }
            page = page.withSince(read.lastSeq().getAsLong());
        }
    }

    /** The task's live tail from its first message; needs a user token. */
    public MessageStream stream(String taskId) {
        return stream(taskId, MessageQuery.defaults());
    }

    /** The task's live tail of the messages {@code query} selects (its limit does not apply); needs a user token. */
    public MessageStream stream(String taskId, MessageQuery query) {
        return new MessageStream(
                transport, requireNonNull(taskId, "taskId is null"), requireNonNull(query, "query is null"));
    }

    /** Completes the task with {@code output}; see also {@link Appender#complete(String)}. */
    public void complete(String taskId, String output) {
        endpoints.finish(taskId, "complete", "output", requireNonNull(output, "output is null"));
    }

    /** Fails the task with {@code error}; see also {@link Appender#fail(String)}. */
    public void fail(String taskId, String error) {
        endpoints.finish(taskId, "fail", "error", requireNonNull(error, "error is null"));
    }

    /**
     * Closes the appenders still open (each stores what it holds), then the connections. Throws
     * the first appender's failure, after closing everything.
     */
    @Override
    public void close() {
        StrataException failure = null;
        try {
            for (Appender appender : List.copyOf(appenders.values())) {
                try {
                    appender.close();
                } catch (StrataException e) {
                    if (failure == null) {
                        failure = e;
                    }
                }
            }
        } finally {
            transport.close();
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Builds a {@link StrataClient}; every setting but the token has a default. Not thread-safe. */
    public static final class Builder {
        private final URI baseUri;
        private String token;
        private Optional<String> workspace = Optional.empty();
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofSeconds(60);
        private Duration streamIdleTimeout = Duration.ofSeconds(45);
        private RetryPolicy retry = RetryPolicy.defaults();
        private AppenderSettings appenders = AppenderSettings.defaults();

        private Builder(URI baseUri) {
            this.baseUri = baseUri;
        }

        /** The bearer token: a machine token ({@code al_...}) or a user token ({@code ut_...}). Required. */
        public Builder token(String value) {
            this.token = requireNonNull(value, "token is null");
            return this;
        }

        /** The workspace a user token acts in; makes reads use the user endpoints. */
        public Builder workspace(String id) {
            this.workspace = Optional.of(requireNonNull(id, "workspace is null"));
            return this;
        }

        /** How long opening a connection may take (5 s). */
        public Builder connectTimeout(Duration value) {
            this.connectTimeout = value;
            return this;
        }

        /** How long one request may take until its whole answer arrived (60 s); streams have none. */
        public Builder requestTimeout(Duration value) {
            this.requestTimeout = value;
            return this;
        }

        /**
         * How long a live tail may receive nothing, not even the server's keepalive comment (every
         * {@code STRATA_STREAM_HEARTBEAT}, 15 s by default), before the client takes the connection
         * for dead and reconnects (45 s). Keep it above the server's heartbeat.
         */
        public Builder streamIdleTimeout(Duration value) {
            this.streamIdleTimeout = value;
            return this;
        }

        public Builder retry(RetryPolicy value) {
            this.retry = value;
            return this;
        }

        public Builder appenders(AppenderSettings value) {
            this.appenders = value;
            return this;
        }

        /** The client; throws {@link IllegalArgumentException} or {@link NullPointerException} naming a bad setting. */
        public StrataClient build() {
            requireNonNull(token, "token is not set");
            return new StrataClient(new ClientSettings(
                    baseUri, token, workspace, connectTimeout, requestTimeout, streamIdleTimeout, retry, appenders));
        }
    }
}
