package dev.strata.tier.metadata.jdbc;

import static java.util.Objects.requireNonNull;

import dev.strata.model.MessageQuery;
import dev.strata.tier.metadata.CommitLog;
import dev.strata.tier.metadata.TaskRecord;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.statement.Query;

/**
 * {@link CommitLog} on the {@code commit_no} column of {@code tm_message}. The horizon is the task's
 * {@code segment_count}: the last number a commit (or a compaction) took. Thread-safe.
 */
final class JdbcCommitLog implements CommitLog {
    private final Database database;

    JdbcCommitLog(Database database) {
        this.database = requireNonNull(database, "database is null");
    }

    @Override
    public Optional<CommitHorizon> horizon(String taskId) {
        return database.read(
                "metadata commit log horizon for " + taskId,
                handle -> handle.createQuery(
                                "SELECT " + TaskRows.TASK_COLUMNS + ", segment_count FROM tm_task WHERE task_id = :id")
                        .bind("id", taskId)
                        .map((rs, ctx) -> new CommitHorizon(TaskRows.taskRecord(rs), rs.getLong("segment_count")))
                        .findOne());
    }

    @Override
    public List<CommittedLocation> upTo(TaskRecord task, MessageQuery query, long maxCommitNo, int limit) {
        return select("upTo", task, query, " AND m.commit_no <= :commit ORDER BY m.seq", maxCommitNo, 0, limit);
    }

    @Override
    public List<CommittedLocation> after(TaskRecord task, MessageQuery query, CommitPosition after, int limit) {
        return select(
                "after",
                task,
                query,
                " AND (m.commit_no > :commit OR (m.commit_no = :commit AND m.seq > :afterSeq)) ORDER BY m.commit_no, m.seq",
                after.commitNo(),
                after.seq(),
                limit);
    }

    private List<CommittedLocation> select(
            String operation,
            TaskRecord task,
            MessageQuery query,
            String orderedCondition,
            long commitNo,
            long afterSeq,
            int limit) {
        TypeFilter types = new TypeFilter(query);
        StringBuilder sql = types.appendTo(new StringBuilder(
                "SELECT m.seq, m.segment_no, s.object_id, s.checksum, s.object_kind, s.frame_offset, s.byte_size, m.commit_no"
                        + " FROM tm_message m"
                        + " JOIN tm_segment s ON s.task_key = m.task_key AND s.segment_no = m.segment_no"
                        + " WHERE m.task_key = :key AND m.seq > :floor"));
        sql.append(orderedCondition).append(" LIMIT :limit");
        String taskId = task.taskId();
        return database.read("metadata commit log " + operation + " for " + taskId, handle -> {
            Query select = types.bind(handle.createQuery(sql.toString()))
                    .bind("key", task.taskKey())
                    .bind("floor", query.afterSeq().orElse(-1))
                    .bind("commit", commitNo)
                    .bind("limit", limit);
            if (orderedCondition.contains(":afterSeq")) {
                select.bind("afterSeq", afterSeq);
            }
            return select.map((rs, ctx) -> new CommittedLocation(rs.getLong(8), TaskRows.location(taskId, rs)))
                    .list();
        });
    }
}
