package dev.strata.tier.metadata.jdbc;

import static java.util.Objects.requireNonNull;

import dev.strata.tier.metadata.CommitOutcome;
import dev.strata.tier.metadata.FlushCommit;
import dev.strata.tier.metadata.FrameCommit;
import dev.strata.tier.metadata.MessageRow;
import dev.strata.tier.metadata.ObjectKind;
import dev.strata.tier.metadata.SegmentCommit;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
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
 * The statements run on the handle's JDBC connection directly: their SQL is fixed text or built
 * per row count, so Jdbi's per-statement parsing and per-argument type lookup, which dominated an
 * import's profile, buy nothing here. Stateless apart from its collaborators, thread-safe.
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
        // Task id order (TaskRows.LOCK_ORDER), and the flush's order for frames of one task (a stable sort).
        List<Integer> order = IntStream.range(0, frames.size())
                .boxed()
                .sorted(Comparator.comparing(i -> frames.get(i).task().taskId(), TaskRows.LOCK_ORDER))
                .toList();
        Connection connection = handle.getConnection();
        Map<Long, LockedTask> tasks =
                lockTasks(connection, order.stream().map(frames::get).toList());
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

        long now = clock.instant().toEpochMilli();
        int liveFrames = 0;
        try (PreparedStatement segments = connection.prepareStatement("INSERT INTO tm_segment"
                + " (task_key, segment_no, object_id, byte_size, message_count, checksum, created_at, frame_offset,"
                + " object_kind, first_seq, last_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            Map<Long, Map<Integer, Set<Long>>> inserted =
                    insertMessages(connection, dialect, frames, live, segmentNos, ids);
            for (int i : live) {
                SegmentCommit frame = frames.get(i).frame();
                LockedTask task = tasks.get(frame.taskKey());
                Set<Long> stored =
                        inserted.getOrDefault(frame.taskKey(), Map.of()).getOrDefault(segmentNos[i], Set.of());
                outcomes[i] = new CommitOutcome.Committed(stored);
                if (stored.isEmpty()) {
                    continue; // its segment number stays unused, as no row names it
                }
                liveFrames++;
                segments.setLong(1, frame.taskKey());
                segments.setInt(2, segmentNos[i]);
                segments.setLong(3, frame.objectId());
                segments.setInt(4, frame.byteSize());
                segments.setInt(5, stored.size());
                segments.setInt(6, frame.checksum());
                segments.setLong(7, now);
                segments.setLong(8, frame.frameOffset());
                segments.setInt(9, frame.kind().column());
                segments.setLong(10, Collections.min(stored));
                segments.setLong(11, Collections.max(stored));
                segments.addBatch();
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
            if (liveFrames > 0) {
                segments.executeBatch();
            }
            updateTasks(connection, dialect, tasks);
        } catch (SQLException e) {
            throw new StatementFailed("flush commit", e);
        }
        if (liveFrames > 0) {
            ObjectRows.insert(handle, flush.objectId(), ObjectKind.SHARED, liveFrames, clock.instant());
        }
        return List.of(outcomes);
    }

    /**
     * Locks the flush's tasks in task id order and reads their segment counters.
     *
     * @param frames the flush's frames in task id order
     * @return the tasks found, by key, in task id order
     */
    private Map<Long, LockedTask> lockTasks(Connection connection, List<FrameCommit> frames) {
        List<Long> keys =
                frames.stream().map(frame -> frame.task().taskKey()).distinct().toList();
        // In the order locked: updateTasks touches the rows in that order again.
        Map<Long, LockedTask> tasks = new LinkedHashMap<>();
        // Chunks of consecutive ids, each locked in id order: the whole flush locks in id order.
        for (int from = 0; from < keys.size(); from += TASKS_PER_STATEMENT) {
            List<Long> chunk = keys.subList(from, Math.min(keys.size(), from + TASKS_PER_STATEMENT));
            // On PostgreSQL in the C collation, whatever the database's: TaskRows.LOCK_ORDER, the
            // order task deletion and seal lock in. A linguistic collation sorts "a" before "B"
            // where they do the reverse, and a flush and a deletion deadlocked.
            String sql = "SELECT task_key, task_id, segment_count FROM tm_task WHERE task_key IN ("
                    + placeholders(chunk.size(), "?") + ")"
                    + (dialect == SqlDialect.POSTGRESQL
                            ? " ORDER BY task_id COLLATE \"C\" FOR UPDATE"
                            : " ORDER BY task_id");
            try (PreparedStatement select = connection.prepareStatement(sql)) {
                for (int k = 0; k < chunk.size(); k++) {
                    select.setLong(k + 1, chunk.get(k));
                }
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        tasks.put(rs.getLong(1), new LockedTask(rs.getString(2), rs.getInt(3)));
                    }
                }
            } catch (SQLException e) {
                throw new StatementFailed("flush lock of tasks", e);
            }
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
            Connection connection,
            SqlDialect dialect,
            List<FrameCommit> frames,
            List<Integer> live,
            int[] segmentNos,
            Map<String, Integer> ids)
            throws SQLException {
        Map<Long, Map<Integer, Set<Long>>> stored = new HashMap<>();
        List<Integer> rowFrames = new ArrayList<>();
        List<MessageRow> rows = new ArrayList<>();
        for (int i : live) {
            for (MessageRow row : frames.get(i).frame().rows()) {
                rowFrames.add(i);
                rows.add(row);
            }
        }
        if (dialect == SqlDialect.POSTGRESQL) {
            // One statement of one array per column: its text never changes, so PostgreSQL parses
            // and plans it once per connection, where VALUES lists of each length were new text.
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO tm_message"
                    + " (task_key, seq, type_id, tool_id, call_id, created_at, segment_no, commit_no)"
                    + " SELECT * FROM unnest(?::bigint[], ?::bigint[], ?::int[], ?::int[], ?::text[], ?::bigint[],"
                    + " ?::int[], ?::int[]) ON CONFLICT (task_key, seq) DO NOTHING"
                    + " RETURNING task_key, segment_no, seq")) {
                int n = rows.size();
                Long[] taskKeys = new Long[n];
                Long[] seqs = new Long[n];
                Integer[] types = new Integer[n];
                Integer[] tools = new Integer[n];
                String[] calls = new String[n];
                Long[] createdAt = new Long[n];
                Integer[] segments = new Integer[n];
                for (int r = 0; r < n; r++) {
                    MessageRow row = rows.get(r);
                    int frame = rowFrames.get(r);
                    taskKeys[r] = frames.get(frame).frame().taskKey();
                    seqs[r] = row.seq();
                    types[r] = ids.get(row.type());
                    tools[r] = ids.get(row.tool());
                    calls[r] = row.callId().isEmpty() ? null : row.callId();
                    createdAt[r] = row.createdAtMillis();
                    segments[r] = segmentNos[frame];
                }
                insert.setArray(1, connection.createArrayOf("bigint", taskKeys));
                insert.setArray(2, connection.createArrayOf("bigint", seqs));
                insert.setArray(3, connection.createArrayOf("integer", types));
                insert.setArray(4, connection.createArrayOf("integer", tools));
                insert.setArray(5, connection.createArrayOf("text", calls));
                insert.setArray(6, connection.createArrayOf("bigint", createdAt));
                insert.setArray(7, connection.createArrayOf("integer", segments));
                // The commit order for live tails (see CommitLog): compaction changes segment_no, never this.
                insert.setArray(8, connection.createArrayOf("integer", segments));
                collectStored(insert, stored);
            }
            return stored;
        }
        for (int from = 0; from < rows.size(); from += ROWS_PER_STATEMENT) {
            int to = Math.min(rows.size(), from + ROWS_PER_STATEMENT);
            String sql = "INSERT INTO tm_message"
                    + " (task_key, seq, type_id, tool_id, call_id, created_at, segment_no, commit_no) VALUES "
                    + placeholders(to - from, "(?, ?, ?, ?, ?, ?, ?, ?)")
                    + " ON CONFLICT (task_key, seq) DO NOTHING RETURNING task_key, segment_no, seq";
            try (PreparedStatement insert = connection.prepareStatement(sql)) {
                int position = 1;
                for (int r = from; r < to; r++) {
                    MessageRow row = rows.get(r);
                    int frame = rowFrames.get(r);
                    insert.setLong(position++, frames.get(frame).frame().taskKey());
                    insert.setLong(position++, row.seq());
                    insert.setInt(position++, ids.get(row.type()));
                    insert.setInt(position++, ids.get(row.tool()));
                    insert.setString(position++, row.callId().isEmpty() ? null : row.callId());
                    insert.setLong(position++, row.createdAtMillis());
                    insert.setInt(position++, segmentNos[frame]);
                    // The commit order for live tails (see CommitLog): compaction changes segment_no, never this.
                    insert.setInt(position++, segmentNos[frame]);
                }
                collectStored(insert, stored);
            }
        }
        return stored;
    }

    /** Runs an {@code INSERT ... RETURNING task_key, segment_no, seq} and adds the rows it stored. */
    private static void collectStored(PreparedStatement insert, Map<Long, Map<Integer, Set<Long>>> stored)
            throws SQLException {
        // execute, then the result set: how both drivers answer an INSERT ... RETURNING.
        if (insert.execute()) {
            try (ResultSet rs = insert.getResultSet()) {
                while (rs.next()) {
                    stored.computeIfAbsent(rs.getLong(1), key -> new HashMap<>())
                            .computeIfAbsent(rs.getInt(2), no -> new HashSet<>())
                            .add(rs.getLong(3));
                }
            }
        }
    }

    /** One counter update per task that stored a message, and the names and per-type counts it now uses. */
    private static void updateTasks(Connection connection, SqlDialect dialect, Map<Long, LockedTask> tasks)
            throws SQLException {
        // The order they were locked in (task id order), so PostgreSQL touches the rows in that order.
        List<Map.Entry<Long, LockedTask>> changed = tasks.entrySet().stream()
                .filter(entry -> entry.getValue().frames > 0)
                .toList();
        if (changed.isEmpty()) {
            return;
        }
        try (PreparedStatement counters = connection.prepareStatement("UPDATE tm_task SET segment_count = ?,"
                + " message_count = message_count + ?, live_segments = live_segments + ?,"
                + " loose_segments = loose_segments + ?, shared_frames = shared_frames + ?,"
                + " last_message_at = CASE WHEN last_message_at IS NULL OR last_message_at < ? THEN ?"
                + " ELSE last_message_at END"
                + " WHERE task_key = ?")) {
            for (Map.Entry<Long, LockedTask> entry : changed) {
                LockedTask task = entry.getValue();
                counters.setInt(1, task.segmentCount);
                counters.setLong(2, task.messages);
                counters.setInt(3, task.frames);
                counters.setInt(4, task.frames);
                counters.setInt(5, task.sharedFrames);
                counters.setLong(6, task.lastMessageAt);
                counters.setLong(7, task.lastMessageAt);
                counters.setLong(8, entry.getKey());
                counters.addBatch();
            }
            counters.executeBatch();
        }
        // Names and per-type counts: a row per task and name or type, most of them already there.
        List<Long> nameTasks = new ArrayList<>();
        List<Integer> nameIds = new ArrayList<>();
        List<Long> countTasks = new ArrayList<>();
        List<Integer> countTypes = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        for (Map.Entry<Long, LockedTask> entry : changed) {
            for (int name : entry.getValue().names) {
                if (name != 0) {
                    nameTasks.add(entry.getKey());
                    nameIds.add(name);
                }
            }
            entry.getValue().perType.forEach((type, count) -> {
                countTasks.add(entry.getKey());
                countTypes.add(type);
                counts.add(count);
            });
        }
        String namesUsed = "INSERT INTO tm_task_name (task_key, name_id) %s ON CONFLICT (task_key, name_id) DO NOTHING";
        String countsAdded = "INSERT INTO tm_type_count (task_key, type_id, message_count) %s"
                + " ON CONFLICT (task_key, type_id) DO UPDATE"
                + " SET message_count = tm_type_count.message_count + excluded.message_count";
        if (dialect == SqlDialect.POSTGRESQL) {
            // One statement each, a column per array, where a batch was a statement per row.
            try (PreparedStatement names = connection.prepareStatement(
                            namesUsed.formatted("SELECT * FROM unnest(?::bigint[], ?::int[])"));
                    PreparedStatement types = connection.prepareStatement(
                            countsAdded.formatted("SELECT * FROM unnest(?::bigint[], ?::int[], ?::bigint[])"))) {
                if (!nameTasks.isEmpty()) {
                    names.setArray(1, connection.createArrayOf("bigint", nameTasks.toArray()));
                    names.setArray(2, connection.createArrayOf("integer", nameIds.toArray()));
                    names.executeUpdate();
                }
                types.setArray(1, connection.createArrayOf("bigint", countTasks.toArray()));
                types.setArray(2, connection.createArrayOf("integer", countTypes.toArray()));
                types.setArray(3, connection.createArrayOf("bigint", counts.toArray()));
                types.executeUpdate();
            }
            return;
        }
        // SQLite runs in this process: a batch costs no round trips.
        try (PreparedStatement names = connection.prepareStatement(namesUsed.formatted("VALUES (?, ?)"));
                PreparedStatement types = connection.prepareStatement(countsAdded.formatted("VALUES (?, ?, ?)"))) {
            for (int i = 0; i < nameTasks.size(); i++) {
                names.setLong(1, nameTasks.get(i));
                names.setInt(2, nameIds.get(i));
                names.addBatch();
            }
            if (!nameTasks.isEmpty()) {
                names.executeBatch();
            }
            for (int i = 0; i < countTasks.size(); i++) {
                types.setLong(1, countTasks.get(i));
                types.setInt(2, countTypes.get(i));
                types.setLong(3, counts.get(i));
                types.addBatch();
            }
            types.executeBatch();
        }
    }

    /** {@code count} copies of {@code one}, comma separated: the parameters of an {@code IN} list or a multi-row {@code VALUES}. */
    static String placeholders(int count, String one) {
        StringBuilder sql = new StringBuilder(count * (one.length() + 2));
        for (int i = 0; i < count; i++) {
            sql.append(i == 0 ? "" : ", ").append(one);
        }
        return sql.toString();
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
