package dev.strata.tier.metadata.jdbc;

import static java.util.Objects.requireNonNull;

import dev.strata.model.MessageQuery;
import dev.strata.tier.metadata.CommitLog;
import dev.strata.tier.metadata.CommitOutcome;
import dev.strata.tier.metadata.DeletionQueue;
import dev.strata.tier.metadata.FlushCommit;
import dev.strata.tier.metadata.FrameCommit;
import dev.strata.tier.metadata.MessageLocation;
import dev.strata.tier.metadata.MetadataTier;
import dev.strata.tier.metadata.PendingDeletion;
import dev.strata.tier.metadata.SegmentCatalog;
import dev.strata.tier.metadata.SegmentCommit;
import dev.strata.tier.metadata.SegmentKeys;
import dev.strata.tier.metadata.TaskRecord;
import dev.strata.tier.metadata.TaskSeqs;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Metadata on SQLite or PostgreSQL through JDBC: the task index itself, and the
 * {@link #deletions() deletion queue}, {@link #catalog() segment catalog} and {@link #commitLog()
 * commit log} over the same tables, each its own object. One implementation serves both databases:
 * the SQL is portable ({@code ON CONFLICT}, {@code RETURNING}) and only the DDL differs per
 * dialect. Uniqueness of {@code (task_key, seq)} is enforced by the primary key, so concurrent
 * appenders in any number of processes store each seq once.
 *
 * <p>Task keys are never handed out twice (SQLite {@code AUTOINCREMENT}, a PostgreSQL identity),
 * and every write that read a {@link TaskRecord} before proves it is still the same task by
 * matching both its key and its id, so work for a deleted task can never land in another one.
 * Thread-safe.
 */
public final class JdbcMetadataTier implements MetadataTier {
    private final Database database;
    private final CommitTransaction transaction;
    private final FlushTransaction flushes;
    private final CommitStrategy commits;
    private final TaskDeletion taskDeletion;
    private final DeletionQueue deletions;
    private final SegmentCatalog catalog;
    private final CommitLog commitLog;

    /**
     * Applies the store's migrations and serves metadata from {@code database}.
     *
     * @param clock stamps segments and queued deletions
     * @param keys names the segment objects that deletes and compactions queue for deletion
     */
    public JdbcMetadataTier(Database database, Clock clock, SegmentKeys keys) {
        this.database = requireNonNull(database, "database is null");
        requireNonNull(clock, "clock is null");
        requireNonNull(keys, "keys is null");
        database.migrate("db/store", "strata_store_schema_history");
        NameDictionary names = new NameDictionary(database.dialect());
        this.transaction = new CommitTransaction(names, clock);
        this.flushes = new FlushTransaction(names, database.dialect(), clock);
        this.commits = CommitStrategy.forDialect(database, transaction);
        this.taskDeletion = new TaskDeletion(database, names, keys, clock);
        this.deletions = new JdbcDeletionQueue(database);
        this.catalog = new JdbcSegmentCatalog(database, keys, clock);
        this.commitLog = new JdbcCommitLog(database);
        taskDeletion.pruneAllNames();
    }

    @Override
    public Set<String> createTasks(Collection<String> taskIds, Instant createdAt) {
        return database.write(
                "metadata createTasks for " + describe(taskIds),
                handle -> eachUpdated(
                        handle,
                        "INSERT INTO tm_task (task_id, created_at) VALUES (?, ?) ON CONFLICT (task_id) DO NOTHING",
                        taskIds,
                        createdAt.toEpochMilli()));
    }

    @Override
    public Optional<TaskRecord> task(String taskId) {
        return database.read(
                "metadata task for " + taskId,
                handle -> handle.createQuery("SELECT " + TaskRows.TASK_COLUMNS + " FROM tm_task WHERE task_id = :id")
                        .bind("id", taskId)
                        .map((rs, ctx) -> TaskRows.taskRecord(rs))
                        .findOne());
    }

    @Override
    public Set<Long> storedSeqs(TaskRecord task, Collection<Long> seqs) {
        if (seqs.isEmpty()) {
            return Set.of();
        }
        return database.readJdbc(
                "metadata storedSeqs for " + task.taskId(),
                connection -> storedSeqs(connection, task, List.copyOf(seqs)));
    }

    @Override
    public Optional<TaskSeqs> taskWithStoredSeqs(String taskId, Collection<Long> seqs) {
        if (seqs.isEmpty()) {
            return task(taskId).map(task -> new TaskSeqs(task, Set.of()));
        }
        List<Long> all = List.copyOf(seqs);
        int chunk = CommitTransaction.ROWS_PER_STATEMENT;
        // Plain JDBC, not Jdbi: this read runs on every append (as FlushTransaction, for the same reason).
        return database.readJdbc("metadata task and stored seqs for " + taskId, connection -> {
            List<Long> first = all.subList(0, Math.min(all.size(), chunk));
            TaskRecord task = null;
            Set<Long> stored = new HashSet<>();
            // One row per stored seq of the first chunk, or one with a NULL seq when none is stored.
            try (PreparedStatement select = connection.prepareStatement("SELECT " + TaskRows.TASK_COLUMNS_OF_T
                    + ", m.seq FROM tm_task t"
                    + " LEFT JOIN tm_message m ON m.task_key = t.task_key AND m.seq IN ("
                    + FlushTransaction.placeholders(first.size(), "?")
                    + ") WHERE t.task_id = ?")) {
                int p = 1;
                for (long seq : first) {
                    select.setLong(p++, seq);
                }
                select.setString(p, taskId);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        if (task == null) {
                            task = TaskRows.taskRecord(rs);
                        }
                        long seq = rs.getLong("seq");
                        if (!rs.wasNull()) {
                            stored.add(seq);
                        }
                    }
                }
            }
            if (task == null) {
                return Optional.empty();
            }
            if (all.size() > first.size()) {
                stored.addAll(storedSeqs(connection, task, all.subList(first.size(), all.size())));
            }
            return Optional.of(new TaskSeqs(task, stored));
        });
    }

    private static Set<Long> storedSeqs(Connection connection, TaskRecord task, List<Long> all) throws SQLException {
        int chunk = CommitTransaction.ROWS_PER_STATEMENT;
        Set<Long> stored = new HashSet<>();
        for (int from = 0; from < all.size(); from += chunk) {
            List<Long> part = all.subList(from, Math.min(all.size(), from + chunk));
            // Joined with the task, so rows of another task that got a reused key never count.
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT m.seq FROM tm_message m JOIN tm_task t ON t.task_key = m.task_key"
                            + " WHERE m.task_key = ? AND t.task_id = ? AND m.seq IN ("
                            + FlushTransaction.placeholders(part.size(), "?") + ")")) {
                select.setLong(1, task.taskKey());
                select.setString(2, task.taskId());
                int p = 3;
                for (long seq : part) {
                    select.setLong(p++, seq);
                }
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        stored.add(rs.getLong(1));
                    }
                }
            }
        }
        return stored;
    }

    @Override
    public CommitOutcome commit(TaskRecord task, SegmentCommit segment) {
        return commits.commit(new TaskCommit(task, segment));
    }

    @Override
    public List<CommitOutcome> commitFlush(FlushCommit flush) {
        FrameCommit first = flush.frames().get(0);
        String operation = "metadata commitFlush for " + first.task().taskId()
                + (flush.frames().size() > 1 ? " and " + (flush.frames().size() - 1) + " more" : "");
        return database.write(operation, handle -> flushes.apply(handle, flush));
    }

    @Override
    public List<MessageLocation> locate(TaskRecord task, MessageQuery query, long limit) {
        String taskId = task.taskId();
        TypeFilter types = new TypeFilter(query);
        StringBuilder sql = types.appendTo(new StringBuilder(
                "SELECT m.seq, m.segment_no, s.object_id, s.checksum, s.object_kind, s.frame_offset, s.byte_size"
                        + " FROM tm_message m"
                        + " JOIN tm_segment s ON s.task_key = m.task_key AND s.segment_no = m.segment_no"
                        + " WHERE m.task_key = :key AND m.seq > :after AND m.seq < :before"));
        // The newest matches are found backwards (the primary key serves both directions) and
        // handed back in seq order, like every other locate.
        boolean newest = query.end() == MessageQuery.End.NEWEST;
        sql.append(newest ? " ORDER BY m.seq DESC LIMIT :limit" : " ORDER BY m.seq LIMIT :limit");
        List<MessageLocation> located = database.read(
                "metadata locate for " + taskId,
                handle -> types.bind(handle.createQuery(sql.toString()))
                        .bind("key", task.taskKey())
                        .bind("after", query.afterSeq().orElse(-1))
                        .bind("before", query.beforeSeq().orElse(Long.MAX_VALUE))
                        .bind("limit", limit)
                        .map((rs, ctx) -> TaskRows.location(taskId, rs))
                        .list());
        return newest ? located.reversed() : located;
    }

    @Override
    public Map<String, Map<String, Long>> countByType(Collection<String> taskIds) {
        if (taskIds.isEmpty()) {
            return Map.of();
        }
        return database.read("metadata countByType for " + taskIds.iterator().next(), handle -> {
            Map<String, Map<String, Long>> counts = new LinkedHashMap<>();
            handle.createQuery("SELECT t.task_id, n.name, c.message_count FROM tm_type_count c"
                            + " JOIN tm_task t ON t.task_key = c.task_key"
                            + " JOIN tm_name n ON n.name_id = c.type_id"
                            + " WHERE t.task_id IN (<ids>) AND c.message_count > 0")
                    .bindList("ids", List.copyOf(taskIds))
                    .map((rs, ctx) -> counts.computeIfAbsent(rs.getString(1), id -> new LinkedHashMap<>())
                            .put(rs.getString(2), rs.getLong(3)))
                    .list();
            return counts;
        });
    }

    @Override
    public Set<String> seal(Collection<String> taskIds) {
        return database.write(
                "metadata seal for " + describe(taskIds),
                handle -> eachUpdated(handle, "UPDATE tm_task SET sealed = 1 WHERE task_id = ?", taskIds));
    }

    /**
     * Runs a one-row statement for each task id, its first parameter, with {@code rest} as the
     * others, in {@link TaskRows#LOCK_ORDER}: the order flushes and task deletions lock task rows in, so on
     * PostgreSQL a seal of several tasks never deadlocks with them. @return the ids it changed a
     * row for.
     */
    private static Set<String> eachUpdated(Handle handle, String sql, Collection<String> taskIds, Object... rest) {
        Set<String> ordered = new TreeSet<>(TaskRows.LOCK_ORDER);
        ordered.addAll(taskIds);
        List<String> ids = List.copyOf(ordered);
        if (ids.isEmpty()) {
            return Set.of();
        }
        PreparedBatch batch = handle.prepareBatch(sql);
        for (String id : ids) {
            batch.bind(0, id);
            for (int i = 0; i < rest.length; i++) {
                batch.bind(i + 1, rest[i]);
            }
            batch.add();
        }
        int[] counts = batch.execute();
        Set<String> updated = new HashSet<>();
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] == 1) {
                updated.add(ids.get(i));
            }
        }
        return updated;
    }

    private static String describe(Collection<String> taskIds) {
        return taskIds.size() == 1 ? taskIds.iterator().next() : taskIds.size() + " tasks";
    }

    @Override
    public List<PendingDeletion> deleteTasks(Collection<String> taskIds) {
        return taskDeletion.deleteTasks(taskIds);
    }

    @Override
    public DeletionQueue deletions() {
        return deletions;
    }

    @Override
    public CommitLog commitLog() {
        return commitLog;
    }

    @Override
    public SegmentCatalog catalog() {
        return catalog;
    }

    @Override
    public void check() {
        database.read(
                "metadata check for -",
                handle -> handle.createQuery("SELECT 1").mapTo(Integer.class).one());
    }

    @Override
    public void close() {
        // The database is shared with other components; its owner closes it.
    }
}
