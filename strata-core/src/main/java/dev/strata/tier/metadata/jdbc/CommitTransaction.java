package dev.strata.tier.metadata.jdbc;

import static java.util.Objects.requireNonNull;

import dev.strata.tier.metadata.CommitOutcome;
import dev.strata.tier.metadata.MessageRow;
import dev.strata.tier.metadata.ObjectKind;
import dev.strata.tier.metadata.SegmentCommit;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;

/**
 * The statements of one segment commit, run inside a transaction its {@link CommitStrategy} opened:
 * message rows (first write wins), the segment row, the task's counters and the names used.
 * Stateless apart from its collaborators, thread-safe.
 */
final class CommitTransaction {
    /** Rows per multi-row INSERT, well under SQLite's limit of bound parameters. */
    static final int ROWS_PER_STATEMENT = 500;

    /** The dictionary ids of one message's type and tool. */
    private record NameIds(int typeId, int toolId) {}

    private final NameDictionary names;
    private final Clock clock;

    CommitTransaction(NameDictionary names, Clock clock) {
        this.names = requireNonNull(names, "names is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    CommitOutcome apply(Handle handle, TaskCommit taskCommit) {
        names.lockForCommit(handle);
        // Taking the segment number first also locks the task row (PostgreSQL), so a concurrent
        // delete of the task either runs before (we see it gone) or after this transaction. It
        // matches the task id too: a task deleted and replaced meanwhile is gone for this commit.
        Optional<Integer> segmentNo = TaskRows.nextSegmentNo(handle, taskCommit.task());
        if (segmentNo.isEmpty()) {
            return new CommitOutcome.TaskGone();
        }
        // Resolved here, not before: a name pruned since an earlier lookup is added again.
        Map<String, Integer> ids = names.resolve(handle, namesOf(List.of(taskCommit.segment())));
        return insert(handle, taskCommit, segmentNo.get(), ids);
    }

    private static Set<String> namesOf(List<SegmentCommit> commits) {
        Set<String> used = new HashSet<>();
        for (SegmentCommit commit : commits) {
            commit.rows().forEach(row -> {
                used.add(row.type());
                used.add(row.tool());
            });
        }
        return used;
    }

    private CommitOutcome insert(Handle handle, TaskCommit taskCommit, int segmentNo, Map<String, Integer> ids) {
        long taskKey = taskCommit.task().taskKey();
        SegmentCommit commit = taskCommit.segment();
        List<MessageRow> rows = commit.rows();
        recordNamesUsed(
                handle,
                taskKey,
                rows.stream()
                        .flatMap(row -> java.util.stream.Stream.of(ids.get(row.type()), ids.get(row.tool())))
                        .toList());
        List<NameIds> nameIds = new ArrayList<>(rows.size());
        for (MessageRow row : rows) {
            nameIds.add(new NameIds(ids.get(row.type()), ids.get(row.tool())));
        }
        Set<Long> inserted = new HashSet<>();
        for (int from = 0; from < rows.size(); from += ROWS_PER_STATEMENT) {
            int to = Math.min(rows.size(), from + ROWS_PER_STATEMENT);
            inserted.addAll(
                    insertMessages(handle, taskKey, segmentNo, rows.subList(from, to), nameIds.subList(from, to)));
        }
        if (inserted.isEmpty()) {
            return new CommitOutcome.Committed(Set.of());
        }
        TaskRows.insertSegment(
                handle,
                segmentNo,
                commit,
                inserted.size(),
                Collections.min(inserted),
                Collections.max(inserted),
                clock.instant());
        long lastAt = Long.MIN_VALUE;
        Map<Integer, Long> perType = new HashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            if (inserted.contains(rows.get(i).seq())) {
                lastAt = Math.max(lastAt, rows.get(i).createdAtMillis());
                perType.merge(nameIds.get(i).typeId(), 1L, Long::sum);
            }
        }
        handle.createUpdate("UPDATE tm_task SET message_count = message_count + :n, live_segments = live_segments + 1,"
                        + " loose_segments = loose_segments + 1, shared_frames = shared_frames + :shared,"
                        + " last_message_at = CASE WHEN last_message_at IS NULL OR last_message_at < :at THEN :at ELSE last_message_at END"
                        + " WHERE task_key = :key")
                .bind("n", inserted.size())
                .bind("shared", commit.kind() == ObjectKind.SHARED ? 1 : 0)
                .bind("at", lastAt)
                .bind("key", taskKey)
                .execute();
        var counts = handle.prepareBatch(
                "INSERT INTO tm_type_count (task_key, type_id, message_count) VALUES (:key, :type, :n)"
                        + " ON CONFLICT (task_key, type_id) DO UPDATE SET message_count = tm_type_count.message_count + excluded.message_count");
        perType.forEach((type, n) ->
                counts.bind("key", taskKey).bind("type", type).bind("n", n).add());
        counts.execute();
        return new CommitOutcome.Committed(inserted);
    }

    /** Records that the task uses these names, so they are pruned only once no task does. */
    private static void recordNamesUsed(Handle handle, long taskKey, Collection<Integer> nameIds) {
        List<Integer> stored =
                nameIds.stream().filter(id -> id != 0).distinct().sorted().toList();
        for (int from = 0; from < stored.size(); from += ROWS_PER_STATEMENT) {
            List<Integer> chunk = stored.subList(from, Math.min(stored.size(), from + ROWS_PER_STATEMENT));
            StringBuilder sql = new StringBuilder("INSERT INTO tm_task_name (task_key, name_id) VALUES ");
            for (int i = 0; i < chunk.size(); i++) {
                sql.append(i == 0 ? "(?, ?)" : ", (?, ?)");
            }
            var insert = handle.createUpdate(
                    sql.append(" ON CONFLICT (task_key, name_id) DO NOTHING").toString());
            for (int i = 0; i < chunk.size(); i++) {
                insert.bind(2 * i, taskKey).bind(2 * i + 1, chunk.get(i));
            }
            insert.execute();
        }
    }

    private static List<Long> insertMessages(
            Handle handle, long taskKey, int segmentNo, List<MessageRow> rows, List<NameIds> nameIds) {
        StringBuilder sql = new StringBuilder(
                "INSERT INTO tm_message (task_key, seq, type_id, tool_id, call_id, created_at, segment_no, commit_no) VALUES ");
        for (int i = 0; i < rows.size(); i++) {
            sql.append(i == 0 ? "(?, ?, ?, ?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?, ?, ?, ?)");
        }
        sql.append(" ON CONFLICT (task_key, seq) DO NOTHING RETURNING seq");
        Query query = handle.createQuery(sql.toString());
        int position = 0;
        for (int i = 0; i < rows.size(); i++) {
            MessageRow row = rows.get(i);
            query.bind(position++, taskKey)
                    .bind(position++, row.seq())
                    .bind(position++, nameIds.get(i).typeId())
                    .bind(position++, nameIds.get(i).toolId())
                    .bind(position++, row.callId().isEmpty() ? null : row.callId())
                    .bind(position++, row.createdAtMillis())
                    .bind(position++, segmentNo)
                    // The commit order for live tails (see CommitLog): compaction changes segment_no, never this.
                    .bind(position++, segmentNo);
        }
        return query.mapTo(Long.class).list();
    }
}
