package dev.strata.server.http;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.strata.model.MessageQuery;
import dev.strata.server.auth.Principal;
import dev.strata.server.stream.LiveTail;
import dev.strata.server.stream.SseChannel;
import dev.strata.server.stream.StreamCursor;
import dev.strata.server.stream.StreamRegistry;
import dev.strata.server.stream.StreamTickets;
import dev.strata.server.stream.TaskActivity;
import dev.strata.server.stream.TaskTail;
import dev.strata.server.stream.WorkspaceTail;
import dev.strata.server.workspace.Task;
import dev.strata.server.workspace.WorkspaceDirectory;
import dev.strata.store.TaskMessageStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live tail: a task's messages as server-sent events, a workspace's task activity, and the
 * single-use tickets that let a browser's {@code EventSource} (which cannot send headers) open
 * them. Errors before a stream starts are the API's usual JSON errors; once it has started, a
 * failure just ends the response and the client resumes with {@code Last-Event-ID}.
 */
final class StreamRoutes {
    private static final Logger log = LoggerFactory.getLogger(StreamRoutes.class);
    private static final String BEARER = "Bearer ";

    private final Access access;
    private final WorkspaceDirectory directory;
    private final TaskMessageStore store;
    private final LiveTail tail;

    StreamRoutes(Access access, WorkspaceDirectory directory, TaskMessageStore store, LiveTail tail) {
        this.access = requireNonNull(access, "access is null");
        this.directory = requireNonNull(directory, "directory is null");
        this.store = requireNonNull(store, "store is null");
        this.tail = requireNonNull(tail, "tail is null");
    }

    void register(RoutesConfig routes) {
        routes.get("/api/tasks/{id}/messages/stream", this::taskStream);
        routes.get("/api/stream", this::workspaceStream);
        routes.post("/api/stream-tickets", this::issueTicket);
    }

    /**
     * Who opens a stream: the workspace it acts in, and the token its limit counts against; with
     * the ticket it came with, consumed only once every check passed ({@link #open}).
     */
    private record Caller(String workspaceId, String tokenKey, String userId, Optional<String> ticket) {}

    private void taskStream(Context ctx) {
        // A workspace the caller is not a member of hides its tasks: "task not found", as for any unknown task.
        Caller caller = caller(ctx, "task not found");
        Task task = Ids.requireTask(directory, caller.workspaceId(), ctx.pathParam("id"));
        MessageQuery filters = MessageQueries.from(ctx);
        String lastEventId = ctx.header("Last-Event-ID");
        Optional<StreamCursor> resumed = Optional.empty();
        if (lastEventId != null && !lastEventId.isBlank()) {
            resumed = Optional.of(StreamCursor.decode(lastEventId)
                    .orElseThrow(() -> new ApiException.BadRequest("invalid Last-Event-ID")));
        }
        long since = Math.max(-1, filters.afterSeq().orElse(-1));
        Optional<Long> horizon = store.log().horizon(task.id());
        if (horizon.isEmpty()) {
            throw new ApiException.NotFound("task not found");
        }
        StreamCursor cursor = resumed.orElseGet(() -> StreamCursor.start(since, horizon.get()));
        StreamRegistry.Session session = open(caller, Optional.of(task.id()));
        stream(
                ctx,
                session,
                channel -> new TaskTail(
                                task.id(),
                                store.log(),
                                filters,
                                () -> directory
                                        .task(caller.workspaceId(), task.id())
                                        .map(Task::status),
                                MessageJson::object,
                                session,
                                tail.config().heartbeat(),
                                cursor)
                        .run(channel));
    }

    private void workspaceStream(Context ctx) {
        Caller caller = caller(ctx, "workspace not found");
        StreamRegistry.Session session = open(caller, Optional.empty());
        stream(
                ctx,
                session,
                channel -> new WorkspaceTail(
                                caller.workspaceId(),
                                tail.activity(),
                                StreamRoutes::taskJson,
                                session,
                                tail.config().heartbeat(),
                                tail.config().catchUp(),
                                Clock.systemUTC())
                        .run(channel));
    }

    private void issueTicket(Context ctx) {
        Principal.User user = user(ctx);
        String workspaceId = access.workspace(ctx);
        StreamTickets.Issued issued =
                tail.tickets().issue(user.userId(), workspaceId, StreamTickets.hash(bearerToken(ctx)));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ticket", issued.ticket());
        body.put("expires_at", MessageJson.timestamp(issued.expiresAt()));
        Responses.json(ctx, 200, body);
    }

    /** A ticket in the query (browsers), else a user token and workspace as for the other user endpoints. */
    private Caller caller(Context ctx, String notMember) {
        String ticket = ctx.queryParam("ticket");
        if (ticket != null) {
            StreamTickets.Holder holder = tail.tickets()
                    .peek(ticket)
                    .orElseThrow(() -> new ApiException.Unauthorized("invalid or expired ticket"));
            // A ticket stands for the token that asked for it: revoking that token voids its unused tickets too.
            if (!access.tokenActive(holder.ownerHash())) {
                throw new ApiException.Unauthorized("invalid or expired ticket");
            }
            if (!directory.isMember(holder.workspaceId(), holder.userId())) {
                throw new ApiException.NotFound(notMember);
            }
            return new Caller(holder.workspaceId(), holder.ownerHash(), holder.userId(), Optional.of(ticket));
        }
        Principal.User user = user(ctx);
        String workspaceId;
        try {
            workspaceId = access.workspace(ctx);
        } catch (ApiException.NotFound e) {
            throw new ApiException.NotFound(notMember);
        }
        return new Caller(workspaceId, StreamTickets.hash(bearerToken(ctx)), user.userId(), Optional.empty());
    }

    private Principal.User user(Context ctx) {
        return switch (access.principal(ctx)) {
            case Principal.User user -> user;
            case Principal.Machine machine -> throw new ApiException.Forbidden("this endpoint needs a user token");
        };
    }

    /** The bearer token, once {@link Access#principal} has accepted it. */
    private static String bearerToken(Context ctx) {
        return ctx.header("Authorization").substring(BEARER.length()).trim();
    }

    /**
     * Registers the stream (429 when over a limit), then consumes the caller's ticket, if any: a
     * ticket opens one stream, even when raced, and a refusal before this point leaves it usable.
     */
    private StreamRegistry.Session open(Caller caller, Optional<String> taskId) {
        StreamRegistry.Session session =
                tail.registry().open(caller.tokenKey(), taskId).orElseThrow(TooManyStreams::new);
        if (caller.ticket().isPresent()
                && tail.tickets().redeem(caller.ticket().get()).isEmpty()) {
            session.close();
            throw new ApiException.Unauthorized("invalid or expired ticket");
        }
        // An open stream ends once its token is revoked or its user leaves the workspace; the
        // client's reconnect then gets the usual 401 or 404.
        session.allowedWhile(() ->
                access.tokenActive(caller.tokenKey()) && directory.isMember(caller.workspaceId(), caller.userId()));
        return session;
    }

    /** The 429 of the live tail; mapped here since it is the only one. */
    static final class TooManyStreams extends RuntimeException {
        TooManyStreams() {
            super("too many streams", null, false, false);
        }
    }

    static void registerErrors(RoutesConfig routes) {
        routes.exception(TooManyStreams.class, (e, ctx) -> ErrorMapping.respond(ctx, 429, "too many streams"));
    }

    private interface Body {
        void run(SseChannel channel) throws IOException, InterruptedException;
    }

    /** Streams on the request's virtual thread until the body returns; the response is then complete. */
    private static void stream(Context ctx, StreamRegistry.Session session, Body body) {
        try (session) {
            HttpServletResponse response = ctx.res();
            response.setStatus(200);
            response.setHeader("Content-Type", "text/event-stream");
            response.setHeader("Cache-Control", "no-cache");
            response.setHeader("X-Accel-Buffering", "no");
            body.run(new SseChannel(response.getOutputStream()));
        } catch (IOException e) {
            // The client went away; nothing to answer.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // The response has started: an error body would corrupt the stream. The client resumes with Last-Event-ID.
            log.warn("stream {} ended by a failure: {}", ctx.path(), e.toString());
        }
    }

    private static String taskJson(TaskActivity.TaskState state) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", state.id());
        body.put("status", state.status());
        body.put("message_count", state.messageCount());
        body.put(
                "last_message_at",
                state.lastMessageAt()
                        .map(millis -> MessageJson.timestamp(Instant.ofEpochMilli(millis)))
                        .orElse(null));
        try {
            return Json.MAPPER.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
