package dev.strata.tier.metadata.jdbc;

import static java.util.Objects.requireNonNull;

import dev.strata.tier.metadata.CommitOutcome;
import dev.strata.tier.metadata.FlushCommit;
import dev.strata.tier.metadata.FrameCommit;
import dev.strata.tier.metadata.MessageRow;
import dev.strata.tier.metadata.ObjectKind;
import dev.strata.tier.metadata.SegmentCommit;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;

/**
 * The statements of one flush, run inside the transaction {@link Database#write} opened: every
 * frame of the flush (each a batch of one task's messages in the flush's shared object) with a
 * fixed number of statements however many frames it holds, not several per frame.
 *
 * <ol>
 *   <li>Lock and read the flush's tasks in task id order ({@code FOR UPDATE} on PostgreSQL; the
 *       order task deletion locks tasks in, so concurrent flushes and deletes never deadlock;
 *       SQLite writes one transaction at a time). A task gone, or replaced by one of the same id,
 *       gets {@link CommitOutcome.TaskGone}.
 *   <li>Number each frame's segment after its task's last one, in the flush's order per task.
 *   <li>Insert the message rows of all frames in multi-row statements, first write wins per
 *       {@code (task, seq)}: a seq already stored, or sent twice in the flush, keeps its first row
 *       ({@code RETURNING} tells which rows went in, and so which frame they belong to).
 *   <li>Batch the rest: a segment row per frame that stored a message, one counter update per
 *       task, the names each task uses, the per-type counts; then the shared object's live-frame
 *       count.
 * </ol>
 *
 * Stateless apart from its collaborators, thread-safe.
 */
final class FlushTransaction {
    /** Rows (of 8 parameters) per multi-row INSERT, well under SQLite's limit of bound parameters. */
    private static final int ROWS_PER_STATEMENT = CommitTransaction.ROWS_PER_STATEMENT;

    /** Task keys per locking SELECT. */
    private static final int TASKS_PER_STATEMENT = 500;

    /** A task of the flush as locked: its id (to tell a replacement apart) and segment counter. */
    private static final class LockedTask {
        final String taskId;
        int segmentCount;
        int messages;
        int frames;
        int sharedFrames;
        long lastMessageAt = Long.MIN_VALUE;
        final Map<Integer, Long> perType = new HashMap<>();
        final Set<Integer> names = new TreeSet<>();

        LockedTask(String taskId, int segmentCount) {
            this.taskId = taskId;
            this.segmentCount = segmentCount;
        }
    }

    /** A stored message row, as {@code RETURNING} names it. */
    private record Inserted(long taskKey, int segmentNo, long seq) {}

    private final NameDictionary names;
    private final SqlDialect dialect;
    private final Clock clock;

    FlushTransaction(NameDictionary names, SqlDialect dialect, Clock clock) {
        this.names = requireNonNull(names, "names is null");
        this.dialect = requireNonNull(dialect, "dialect is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** @return an outcome per frame, in the flush's order */
    List<CommitOutcome> apply(Handle handle, FlushCommit flush) {
        names.lockForCommit(handle);
        List<FrameCommit> frames = flush.frames();
        // Task id order, and the flush's order for frames of one task (a stable sort).
        List<Integer> order = IntStream.range(0, frames.size())
                .boxed()
                .sorted(Comparator.comparing(i -> frames.get(i).task().taskId()))
                .toList();
        Map<Long, LockedTask> tasks =
                lockTasks(handle, order.stream().map(frames::get).toList());
        // Resolved after the lock, not before: a name pruned since an earlier lookup is added again.
        Map<String, Integer> ids = names.resolve(handle, namesOf(frames));

        CommitOutcome[] outcomes = new CommitOutcome[frames.size()];
        int[] segmentNos = new int[frames.size()];
        List<Integer> live = new ArrayList<>(frames.size());
        for (int i : order) {
            FrameCommit frame = frames.get(i);
            LockedTask task = tasks.get(frame.task().taskKey());
            if (task == null || !task.taskId.equals(frame.task().taskId())) {
                outcomes[i] = new CommitOutcome.TaskGone();
            } else {
                segmentNos[i] = ++task.segmentCount;
                live.add(i);
            }
        }

        Map<Long, Map<Integer, Set<Long>>> inserted = insertMessages(handle, frames, live, segmentNos, ids);
        long now = clock.instant().toEpochMilli();
        PreparedBatch segments = handle.prepareBatch(
                "INSERT INTO tm_segment (task_key, segment_no, object_id, byte_size, message_count, checksum,"
                        + " created_at, frame_offset, object_kind)"
                        + " VALUES (:key, :no, :object, :size, :count, :checksum, :at, :offset, :kind)");
        int liveFrames = 0;
        for (int i : live) {
            SegmentCommit frame = frames.get(i).frame();
            LockedTask task = tasks.get(frame.taskKey());
            Set<Long> stored = inserted.getOrDefault(frame.taskKey(), Map.of()).getOrDefault(segmentNos[i], Set.of());
            outcomes[i] = new CommitOutcome.Committed(stored);
            if (stored.isEmpty()) {
                continue; // its segment number stays unused, as no row names it
            }
            liveFrames++;
            segments.bind("key", frame.taskKey())
                    .bind("no", segmentNos[i])
                    .bind("object", frame.objectId())
                    .bind("size", frame.byteSize())
                    .bind("count", stored.size())
                    .bind("checksum", frame.checksum())
                    .bind("at", now)
                    .bind("offset", frame.frameOffset())
                    .bind("kind", frame.kind().column())
                    .add();
            task.messages += stored.size();
            task.frames++;
            task.sharedFrames += frame.kind() == ObjectKind.SHARED ? 1 : 0;
            for (MessageRow row : frame.rows()) {
                task.names.add(ids.get(row.type()));
                task.names.add(ids.get(row.tool()));
                if (stored.contains(row.seq())) {
                    task.lastMessageAt = Math.max(task.lastMessageAt, row.createdAtMillis());
                    task.perType.merge(ids.get(row.type()), 1L, Long::sum);
                }
            }
        }
        if (segments.size() > 0) {
            segments.execute();
        }
        updateTasks(handle, tasks);
        if (liveFrames > 0) {
            ObjectRows.insert(handle, flush.objectId(), ObjectKind.SHARED, liveFrames, clock.instant());
        }
        return List.of(outcomes);
    }

    /**
     * Locks the flush's tasks in task id order and reads their segment counters.
     *
     * @param frames the flush's frames in task id order
     * @return the tasks found, by key
     */
    private Map<Long, LockedTask> lockTasks(Handle handle, List<FrameCommit> frames) {
        List<Long> keys =
                frames.stream().map(frame -> frame.task().taskKey()).distinct().toList();
        Map<Long, LockedTask> tasks = new HashMap<>();
        // Chunks of consecutive ids, each locked in id order: the whole flush locks in id order.
        for (int from = 0; from < keys.size(); from += TASKS_PER_STATEMENT) {
            List<Long> chunk = keys.subList(from, Math.min(keys.size(), from + TASKS_PER_STATEMENT));
            handle.createQuery("SELECT task_key, task_id, segment_count FROM tm_task WHERE task_key IN (<keys>)"
                            + " ORDER BY task_id"
                            + (dialect == SqlDialect.POSTGRESQL ? " FOR UPDATE" : ""))
                    .bindList("keys", chunk)
                    .map((rs, ctx) -> {
                        tasks.put(rs.getLong(1), new LockedTask(rs.getString(2), rs.getInt(3)));
                        return null;
                    })
                    .list();
        }
        return tasks;
    }

    /**
     * Inserts the message rows of the live frames, in their order, keeping the first row per
     * {@code (task, seq)}.
     *
     * @return the seqs stored, by task key and segment number
     */
    private static Map<Long, Map<Integer, Set<Long>>> insertMessages(
            Handle handle, List<FrameCommit> frames, List<Integer> live, int[] segmentNos, Map<String, Integer> ids) {
        Map<Long, Map<Integer, Set<Long>>> stored = new HashMap<>();
        List<Object[]> rows = new ArrayList<>();
        for (int i : live) {
            SegmentCommit frame = frames.get(i).frame();
            for (MessageRow row : frame.rows()) {
                rows.add(new Object[] {
                    frame.taskKey(),
                    row.seq(),
                    ids.get(row.type()),
                    ids.get(row.tool()),
                    row.callId().isEmpty() ? null : row.callId(),
                    row.createdAtMillis(),
                    segmentNos[i],
                    // The commit order for live tails (see CommitLog): compaction changes segment_no, never this.
                    segmentNos[i]
                });
            }
        }
        for (int from = 0; from < rows.size(); from += ROWS_PER_STATEMENT) {
            List<Object[]> chunk = rows.subList(from, Math.min(rows.size(), from + ROWS_PER_STATEMENT));
            StringBuilder sql = new StringBuilder("INSERT INTO tm_message"
                    + " (task_key, seq, type_id, tool_id, call_id, created_at, segment_no, commit_no) VALUES ");
            for (int r = 0; r < chunk.size(); r++) {
                sql.append(r == 0 ? "(?, ?, ?, ?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?, ?, ?, ?)");
            }
            sql.append(" ON CONFLICT (task_key, seq) DO NOTHING RETURNING task_key, segment_no, seq");
            Query query = handle.createQuery(sql.toString());
            int position = 0;
            for (Object[] row : chunk) {
                for (Object value : row) {
                    query.bind(position++, value);
                }
            }
            query.map((rs, ctx) -> new Inserted(rs.getLong(1), rs.getInt(2), rs.getLong(3)))
                    .forEach(row -> stored.computeIfAbsent(row.taskKey(), key -> new HashMap<>())
                            .computeIfAbsent(row.segmentNo(), no -> new HashSet<>())
                            .add(row.seq()));
        }
        return stored;
    }

    /** One counter update per task that stored a message, and the names and per-type counts it now uses. */
    private static void updateTasks(Handle handle, Map<Long, LockedTask> tasks) {
        PreparedBatch counters = handle.prepareBatch("UPDATE tm_task SET segment_count = :segments,"
                + " message_count = message_count + :n, live_segments = live_segments + :frames,"
                + " loose_segments = loose_segments + :frames, shared_frames = shared_frames + :shared,"
                + " last_message_at = CASE WHEN last_message_at IS NULL OR last_message_at < :at THEN :at"
                + " ELSE last_message_at END"
                + " WHERE task_key = :key");
        PreparedBatch namesUsed =
                handle.prepareBatch("INSERT INTO tm_task_name (task_key, name_id) VALUES (:key, :name)"
                        + " ON CONFLICT (task_key, name_id) DO NOTHING");
        PreparedBatch counts = handle.prepareBatch(
                "INSERT INTO tm_type_count (task_key, type_id, message_count) VALUES (:key, :type, :n)"
                        + " ON CONFLICT (task_key, type_id) DO UPDATE"
                        + " SET message_count = tm_type_count.message_count + excluded.message_count");
        // Task id order again, so PostgreSQL touches the rows in the order they were locked.
        Map<Long, LockedTask> ordered = new LinkedHashMap<>();
        tasks.entrySet().stream()
                .filter(entry -> entry.getValue().frames > 0)
                .sorted(Map.Entry.comparingByValue(Comparator.comparing((LockedTask task) -> task.taskId)))
                .forEach(entry -> ordered.put(entry.getKey(), entry.getValue()));
        ordered.forEach((key, task) -> {
            counters.bind("segments", task.segmentCount)
                    .bind("n", task.messages)
                    .bind("frames", task.frames)
                    .bind("shared", task.sharedFrames)
                    .bind("at", task.lastMessageAt)
                    .bind("key", key)
                    .add();
            task.names.stream()
                    .filter(id -> id != 0)
                    .forEach(id -> namesUsed.bind("key", key).bind("name", id).add());
            task.perType.forEach((type, n) ->
                    counts.bind("key", key).bind("type", type).bind("n", n).add());
        });
        for (PreparedBatch batch : List.of(counters, namesUsed, counts)) {
            if (batch.size() > 0) {
                batch.execute();
            }
        }
    }

    private static Set<String> namesOf(List<FrameCommit> frames) {
        Set<String> used = new HashSet<>();
        for (FrameCommit frame : frames) {
            frame.frame().rows().forEach(row -> {
                used.add(row.type());
                used.add(row.tool());
            });
        }
        return used;
    }
}
