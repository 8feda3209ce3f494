package dev.strata.server.stream;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * A workspace's task activity, for task lists: an event per task when it is created, when messages
 * are appended and when its status changes. It looks at the tasks changed recently (woken by
 * notifications, at least every catch-up interval) and sends those whose status or message count
 * differ from what it last saw, at most once a second, which coalesces appends to one event per
 * task per second. Not thread-safe.
 */
public final class WorkspaceTail {
    /** Looked back over, since a message's time is taken when its append starts, before it commits. */
    private static final Duration WINDOW = Duration.ofSeconds(30);

    private static final Duration MIN_INTERVAL = Duration.ofSeconds(1);

    private final String workspaceId;
    private final TaskActivity activity;
    private final Function<TaskActivity.TaskState, String> json;
    private final StreamRegistry.Session session;
    private final Duration heartbeat;
    private final Duration catchUp;
    private final Clock clock;
    private Map<String, TaskActivity.TaskState> seen = new HashMap<>();

    public WorkspaceTail(
            String workspaceId,
            TaskActivity activity,
            Function<TaskActivity.TaskState, String> json,
            StreamRegistry.Session session,
            Duration heartbeat,
            Duration catchUp,
            Clock clock) {
        this.workspaceId = requireNonNull(workspaceId, "workspaceId is null");
        this.activity = requireNonNull(activity, "activity is null");
        this.json = requireNonNull(json, "json is null");
        this.session = requireNonNull(session, "session is null");
        this.heartbeat = requireNonNull(heartbeat, "heartbeat is null");
        this.catchUp = requireNonNull(catchUp, "catchUp is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public void run(SseChannel channel) throws IOException, InterruptedException {
        channel.retry(2000);
        // What exists already is the baseline: only changes from now on are events.
        poll(channel, false);
        long lastPoll = System.nanoTime();
        while (!session.closing()) {
            long untilHeartbeat = heartbeat.toNanos() - channel.idleNanos();
            if (untilHeartbeat <= 0) {
                channel.comment("keepalive");
                continue;
            }
            session.await(Duration.ofNanos(Math.min(untilHeartbeat, catchUp.toNanos())));
            long sinceLastPoll = System.nanoTime() - lastPoll;
            if (sinceLastPoll < MIN_INTERVAL.toNanos()) {
                // Coalesce: wait out the rest of the second (changes meanwhile are picked up by this poll).
                Thread.sleep(Duration.ofNanos(MIN_INTERVAL.toNanos() - sinceLastPoll));
            }
            if (session.closing()) {
                return;
            }
            lastPoll = System.nanoTime();
            poll(channel, true);
        }
    }

    private void poll(SseChannel channel, boolean send) throws IOException {
        Map<String, TaskActivity.TaskState> now = new HashMap<>();
        for (TaskActivity.TaskState state : activity.changedSince(workspaceId, clock.millis() - WINDOW.toMillis())) {
            now.put(state.id(), state);
            TaskActivity.TaskState before = seen.get(state.id());
            boolean changed = before == null
                    || !before.status().equals(state.status())
                    || before.messageCount() != state.messageCount();
            if (send && changed) {
                channel.event("task", null, json.apply(state));
                session.sent(java.util.Optional.empty());
            }
        }
        seen = now;
    }
}
