package dev.strata.server.stream;

import static java.util.Objects.requireNonNull;

import dev.strata.model.MessageQuery;
import dev.strata.model.TaskMessage;
import dev.strata.model.TaskNotFoundException;
import dev.strata.server.workspace.TaskStatus;
import dev.strata.store.TaskLog;
import dev.strata.store.TaskLog.CommittedMessage;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One task's live tail: the backlog after the cursor, then each commit as it lands, until the task
 * ends, is deleted, the client goes away or the instance shuts down. Everything it sends is read
 * from the store after its cursor, so a wake-up that never comes only delays a message until the
 * periodic catch-up. Runs on the request's own virtual thread. Not thread-safe.
 */
public final class TaskTail {
    /** Messages read from the store at once. */
    static final int PAGE = 500;

    private final String taskId;
    private final TaskLog log;
    private final MessageQuery filters;
    private final Supplier<Optional<TaskStatus>> status;
    private final Function<TaskMessage, String> json;
    private final StreamRegistry.Session session;
    private final Duration heartbeat;
    private StreamCursor cursor;

    /**
     * @param filters the type filters (its seq and limit are ignored: the cursor decides)
     * @param status the task's status now, empty once it is deleted
     * @param json a message in the API's JSON form
     */
    public TaskTail(
            String taskId,
            TaskLog log,
            MessageQuery filters,
            Supplier<Optional<TaskStatus>> status,
            Function<TaskMessage, String> json,
            StreamRegistry.Session session,
            Duration heartbeat,
            StreamCursor cursor) {
        this.taskId = requireNonNull(taskId, "taskId is null");
        this.log = requireNonNull(log, "log is null");
        this.filters = requireNonNull(filters, "filters is null");
        this.status = requireNonNull(status, "status is null");
        this.json = requireNonNull(json, "json is null");
        this.session = requireNonNull(session, "session is null");
        this.heartbeat = requireNonNull(heartbeat, "heartbeat is null");
        this.cursor = requireNonNull(cursor, "cursor is null");
    }

    /**
     * Streams until the end.
     *
     * @throws IOException when the client is gone
     */
    public void run(SseChannel channel) throws IOException, InterruptedException {
        channel.retry(2000);
        while (!session.closing()) {
            // Status first, then messages: every message committed before the task ended is sent before "end".
            Optional<TaskStatus> now = status.get();
            if (now.isEmpty()) {
                end(channel, "deleted");
                return;
            }
            try {
                drain(channel);
            } catch (TaskNotFoundException e) {
                end(channel, "deleted");
                return;
            }
            if (session.closing()) {
                return;
            }
            Optional<String> ended = ended(now.get());
            if (ended.isPresent()) {
                end(channel, ended.get());
                return;
            }
            long untilHeartbeat = heartbeat.toNanos() - channel.idleNanos();
            if (untilHeartbeat <= 0) {
                channel.comment("keepalive");
                continue;
            }
            session.await(Duration.ofNanos(untilHeartbeat));
        }
    }

    private void drain(SseChannel channel) throws IOException {
        while (!session.closing()) {
            List<CommittedMessage> page = switch (cursor.phase()) {
                case BACKLOG -> log.upTo(taskId, filters.after(cursor.seq()), cursor.commitNo(), PAGE);
                case LIVE -> log.after(taskId, filters.after(cursor.floor()), cursor.commitNo(), cursor.seq(), PAGE);
            };
            boolean live = cursor.phase() == StreamCursor.Phase.LIVE;
            for (CommittedMessage committed : page) {
                cursor =
                        cursor.advance(committed.commitNo(), committed.message().seq());
                channel.event("message", cursor.encode(), json.apply(committed.message()));
                session.sent(live ? Optional.of(committed.message().createdAt()) : Optional.empty());
            }
            // Only an empty read means caught up: the store's byte budget may cut a page short.
            if (page.isEmpty()) {
                if (live) {
                    return;
                }
                cursor = cursor.live();
            }
        }
    }

    private void end(SseChannel channel, String endStatus) throws IOException {
        channel.event("end", null, "{\"status\":\"" + endStatus + "\"}");
        session.sent(Optional.empty());
    }

    private static Optional<String> ended(TaskStatus status) {
        return switch (status) {
            case COMPLETED, FAILED, CANCELLED, SUPERSEDED -> Optional.of(status.wireName());
            case QUEUED, DISPATCHED, RUNNING -> Optional.empty();
        };
    }
}
