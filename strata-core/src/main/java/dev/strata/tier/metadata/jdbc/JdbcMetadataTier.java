package dev.strata.tier.metadata.jdbc;

import static java.util.Objects.requireNonNull;

import dev.strata.model.BackendUnavailableException;
import dev.strata.model.MessageQuery;
import dev.strata.model.TaskSummary;
import dev.strata.tier.content.ContentKeys;
import dev.strata.tier.metadata.CommitLog;
import dev.strata.tier.metadata.CommitOutcome;
import dev.strata.tier.metadata.DeletionQueue;
import dev.strata.tier.metadata.MessageLocation;
import dev.strata.tier.metadata.MessageRow;
import dev.strata.tier.metadata.MetadataTier;
import dev.strata.tier.metadata.PendingDeletion;
import dev.strata.tier.metadata.ReplaceOutcome;
import dev.strata.tier.metadata.SegmentCatalog;
import dev.strata.tier.metadata.SegmentCommit;
import dev.strata.tier.metadata.SegmentRecord;
import dev.strata.tier.metadata.TaskRecord;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.Query;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Metadata on SQLite or PostgreSQL through JDBC. One implementation serves both: the SQL is
 * portable ({@code ON CONFLICT}, {@code RETURNING}) and only the DDL differs per dialect.
 * Uniqueness of {@code (task_key, seq)} is enforced by the primary key, so concurrent appenders in
 * any number of processes store each seq once.
 *
 * <p>Task keys are never handed out twice (SQLite {@code AUTOINCREMENT}, a PostgreSQL identity),
 * and every write that read a {@link TaskRecord} before proves it is still the same task by
 * matching both its key and its id, so work for a deleted task can never land in another one.
 * Thread-safe.
 */
public final class JdbcMetadataTier implements MetadataTier, DeletionQueue, SegmentCatalog {
    private static final Logger log = LoggerFactory.getLogger(JdbcMetadataTier.class);
    /** Rows per multi-row INSERT, well under SQLite's limit of bound parameters. */
    private static final int ROWS_PER_STATEMENT = 500;

    private final Database database;
    private final NameDictionary names;
    /** SQLite has one writer at a time, so concurrent commits share one transaction; PostgreSQL commits in parallel. */
    private final GroupCommit<TaskCommit, CommitOutcome> groupCommit;

    private final JdbcCommitLog commitLog;

    /** Applies the store's migrations and serves metadata from {@code database}. */
    public JdbcMetadataTier(Database database) {
        this.database = requireNonNull(database, "database is null");
        database.migrate("db/store", "strata_store_schema_history");
        this.names = new NameDictionary(database.dialect());
        this.groupCommit = database.dialect() == SqlDialect.SQLITE
                ? new GroupCommit<>(
                        database, (handle, pending) -> commitInTransaction(handle, pending.task(), pending.segment()))
                : null;
        // Names a crash left unused between a delete and its pruning.
        translate("pruneNames", "-", () -> database.write(() -> database.jdbi().inTransaction(names::pruneAll)));
        this.commitLog = new JdbcCommitLog(database);
    }

    @Override
    public boolean createTask(String taskId, Instant createdAt) {
        return translate(
                "createTask",
                taskId,
                () -> database.write(() -> database.jdbi()
                        .withHandle(handle -> handle.createUpdate(
                                                "INSERT INTO tm_task (task_id, created_at) VALUES (:id, :at) ON CONFLICT (task_id) DO NOTHING")
                                        .bind("id", taskId)
                                        .bind("at", createdAt.toEpochMilli())
                                        .execute()
                                == 1)));
    }

    @Override
    public Optional<TaskRecord> task(String taskId) {
        return translate(
                "task",
                taskId,
                () -> database.jdbi()
                        .withHandle(handle -> handle.createQuery(
                                        "SELECT task_key, task_id, sealed, message_count, last_message_at, live_segments"
                                                + " FROM tm_task WHERE task_id = :id")
                                .bind("id", taskId)
                                .map((rs, ctx) -> taskRecord(rs))
                                .findOne()));
    }

    @Override
    public Set<Long> storedSeqs(TaskRecord task, Collection<Long> seqs) {
        if (seqs.isEmpty()) {
            return Set.of();
        }
        List<Long> all = List.copyOf(seqs);
        return translate(
                "storedSeqs",
                task.taskId(),
                () -> database.jdbi().withHandle(handle -> {
                    Set<Long> stored = new HashSet<>();
                    for (int from = 0; from < all.size(); from += ROWS_PER_STATEMENT) {
                        // Joined with the task, so rows of another task that got a reused key never count.
                        stored.addAll(handle.createQuery(
                                        "SELECT m.seq FROM tm_message m JOIN tm_task t ON t.task_key = m.task_key"
                                                + " WHERE m.task_key = :key AND t.task_id = :id AND m.seq IN (<seqs>)")
                                .bind("key", task.taskKey())
                                .bind("id", task.taskId())
                                .bindList("seqs", all.subList(from, Math.min(all.size(), from + ROWS_PER_STATEMENT)))
                                .mapTo(Long.class)
                                .list());
                    }
                    return stored;
                }));
    }

    @Override
    public CommitOutcome commit(TaskRecord task, SegmentCommit segment) {
        requireSameTask(task, segment);
        return translate("commit", task.taskId(), () -> {
            if (groupCommit != null) {
                return groupCommit.submit(new TaskCommit(task, segment));
            }
            return database.jdbi().inTransaction(handle -> commitInTransaction(handle, task, segment));
        });
    }

    /** A segment to commit, and the task as the append read it. */
    private record TaskCommit(TaskRecord task, SegmentCommit segment) {}

    private CommitOutcome commitInTransaction(Handle handle, TaskRecord task, SegmentCommit commit) {
        long taskKey = task.taskKey();
        names.lockForCommit(handle);
        // Taking the segment number first also locks the task row (PostgreSQL), so a concurrent
        // delete of the task either runs before (we see it gone) or after this transaction. It
        // matches the task id too: a task deleted and replaced meanwhile is gone for this commit.
        Optional<Integer> segmentNo = nextSegmentNo(handle, task);
        if (segmentNo.isEmpty()) {
            return new CommitOutcome.TaskGone();
        }
        List<MessageRow> rows = commit.rows();
        // Resolved here, not before: a name pruned since an earlier lookup is added again.
        Set<String> used = new HashSet<>();
        rows.forEach(row -> {
            used.add(row.type());
            used.add(row.tool());
        });
        Map<String, Integer> ids = names.resolve(handle, used);
        recordNamesUsed(handle, taskKey, ids.values());
        List<int[]> nameIds = new ArrayList<>(rows.size());
        for (MessageRow row : rows) {
            nameIds.add(new int[] {ids.get(row.type()), ids.get(row.tool())});
        }
        Set<Long> inserted = new HashSet<>();
        for (int from = 0; from < rows.size(); from += ROWS_PER_STATEMENT) {
            int to = Math.min(rows.size(), from + ROWS_PER_STATEMENT);
            inserted.addAll(insertMessages(
                    handle, taskKey, segmentNo.get(), rows.subList(from, to), nameIds.subList(from, to)));
        }
        if (inserted.isEmpty()) {
            return new CommitOutcome.Committed(Set.of());
        }
        insertSegment(handle, segmentNo.get(), commit, inserted.size(), System.currentTimeMillis());
        long lastAt = Long.MIN_VALUE;
        Map<Integer, Long> perType = new HashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            if (inserted.contains(rows.get(i).seq())) {
                lastAt = Math.max(lastAt, rows.get(i).createdAtMillis());
                perType.merge(nameIds.get(i)[0], 1L, Long::sum);
            }
        }
        handle.createUpdate("UPDATE tm_task SET message_count = message_count + :n, live_segments = live_segments + 1,"
                        + " last_message_at = CASE WHEN last_message_at IS NULL OR last_message_at < :at THEN :at ELSE last_message_at END"
                        + " WHERE task_key = :key")
                .bind("n", inserted.size())
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

    /**
     * Takes the task's next segment number; on PostgreSQL this also locks the task row until
     * commit. Empty when the task is gone, or is no longer the task that was read.
     */
    private static Optional<Integer> nextSegmentNo(Handle handle, TaskRecord task) {
        return handle.createQuery("UPDATE tm_task SET segment_count = segment_count + 1"
                        + " WHERE task_key = :key AND task_id = :id RETURNING segment_count")
                .bind("key", task.taskKey())
                .bind("id", task.taskId())
                .mapTo(Integer.class)
                .findOne();
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

    private static void requireSameTask(TaskRecord task, SegmentCommit segment) {
        if (segment.taskKey() != task.taskKey()) {
            throw new IllegalArgumentException("segment for task key " + segment.taskKey() + " committed to task "
                    + task.taskId() + " (key " + task.taskKey() + ")");
        }
    }

    private static void insertSegment(Handle handle, int segmentNo, SegmentCommit segment, int messageCount, long now) {
        handle.createUpdate(
                        "INSERT INTO tm_segment (task_key, segment_no, object_id, byte_size, message_count, checksum, created_at)"
                                + " VALUES (:key, :no, :object, :size, :count, :checksum, :at)")
                .bind("key", segment.taskKey())
                .bind("no", segmentNo)
                .bind("object", segment.objectId())
                .bind("size", segment.byteSize())
                .bind("count", messageCount)
                .bind("checksum", segment.checksum())
                .bind("at", now)
                .execute();
    }

    private static List<Long> insertMessages(
            Handle handle, long taskKey, int segmentNo, List<MessageRow> rows, List<int[]> nameIds) {
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
                    .bind(position++, nameIds.get(i)[0])
                    .bind(position++, nameIds.get(i)[1])
                    .bind(position++, row.callId().isEmpty() ? null : row.callId())
                    .bind(position++, row.createdAtMillis())
                    .bind(position++, segmentNo)
                    // The commit order for live tails (see CommitLog): compaction changes segment_no, never this.
                    .bind(position++, segmentNo);
        }
        return query.mapTo(Long.class).list();
    }

    @Override
    public List<MessageLocation> locate(TaskRecord task, MessageQuery query, long limit) {
        return translate("locate", task.taskId(), () -> locateRows(task, query, limit));
    }

    private List<MessageLocation> locateRows(TaskRecord task, MessageQuery query, long limit) {
        long taskKey = task.taskKey();
        String taskId = task.taskId();
        TypeFilter types = new TypeFilter(query);
        StringBuilder sql =
                types.appendTo(new StringBuilder("SELECT m.seq, m.segment_no, s.object_id, s.checksum FROM tm_message m"
                        + " JOIN tm_segment s ON s.task_key = m.task_key AND s.segment_no = m.segment_no"
                        + " WHERE m.task_key = :key AND m.seq > :after"));
        sql.append(" ORDER BY m.seq LIMIT :limit");
        return database.jdbi()
                .withHandle(handle -> types.bind(handle.createQuery(sql.toString()))
                        .bind("key", taskKey)
                        .bind("after", query.afterSeq().orElse(-1))
                        .bind("limit", limit)
                        .map((rs, ctx) -> new MessageLocation(
                                rs.getLong(1), rs.getInt(2), ContentKeys.segment(taskId, rs.getLong(3)), rs.getInt(4)))
                        .list());
    }

    @Override
    public Map<String, Map<String, Long>> countByType(Collection<String> taskIds) {
        if (taskIds.isEmpty()) {
            return Map.of();
        }
        return translate(
                "countByType",
                taskIds.iterator().next(),
                () -> database.jdbi().withHandle(handle -> {
                    Map<String, Map<String, Long>> counts = new LinkedHashMap<>();
                    handle.createQuery("SELECT t.task_id, n.name, c.message_count FROM tm_type_count c"
                                    + " JOIN tm_task t ON t.task_key = c.task_key"
                                    + " JOIN tm_name n ON n.name_id = c.type_id"
                                    + " WHERE t.task_id IN (<ids>) AND c.message_count > 0")
                            .bindList("ids", List.copyOf(taskIds))
                            .map((rs, ctx) -> {
                                counts.computeIfAbsent(rs.getString(1), id -> new LinkedHashMap<>())
                                        .put(rs.getString(2), rs.getLong(3));
                                return null;
                            })
                            .list();
                    return counts;
                }));
    }

    @Override
    public boolean seal(String taskId) {
        return translate(
                "seal",
                taskId,
                () -> database.write(() -> database.jdbi()
                        .withHandle(handle -> handle.createUpdate("UPDATE tm_task SET sealed = 1 WHERE task_id = :id")
                                        .bind("id", taskId)
                                        .execute()
                                == 1)));
    }

    @Override
    public List<PendingDeletion> deleteTasks(Collection<String> taskIds) {
        if (taskIds.isEmpty()) {
            return List.of();
        }
        Set<Integer> namesUsed = new HashSet<>();
        List<PendingDeletion> queued = translate(
                "deleteTasks",
                taskIds.iterator().next(),
                () -> database.write(() -> database.jdbi().inTransaction(handle -> {
                    long now = System.currentTimeMillis();
                    List<PendingDeletion> deletions = new ArrayList<>();
                    // In id order, so two deletes of overlapping sets lock task rows in one order.
                    for (String taskId : new TreeSet<>(taskIds)) {
                        // The task row goes first: on PostgreSQL this waits for a commit that holds
                        // it, and every later statement then sees that commit's rows.
                        Optional<Long> taskKey = handle.createQuery(
                                        "DELETE FROM tm_task WHERE task_id = :id RETURNING task_key")
                                .bind("id", taskId)
                                .mapTo(Long.class)
                                .findOne();
                        if (taskKey.isEmpty()) {
                            continue;
                        }
                        List<Long> objects = handle.createQuery(
                                        "SELECT object_id FROM tm_segment WHERE task_key = :key")
                                .bind("key", taskKey.get())
                                .mapTo(Long.class)
                                .list();
                        for (long objectId : objects) {
                            String key = ContentKeys.segment(taskId, objectId);
                            deletions.add(enqueueDeletion(handle, key, now, now));
                        }
                        namesUsed.addAll(handle.createQuery("SELECT name_id FROM tm_task_name WHERE task_key = :key")
                                .bind("key", taskKey.get())
                                .mapTo(Integer.class)
                                .list());
                        for (String table : List.of("tm_message", "tm_segment", "tm_type_count", "tm_task_name")) {
                            handle.createUpdate("DELETE FROM " + table + " WHERE task_key = :key")
                                    .bind("key", taskKey.get())
                                    .execute();
                        }
                    }
                    return deletions;
                })));
        pruneNames(namesUsed);
        return queued;
    }

    /**
     * Removes the names no task uses any more, in a transaction of its own: on PostgreSQL it waits
     * for commits in flight, which a large delete should not hold up. A failure only leaves unused
     * names until the next start.
     */
    private void pruneNames(Set<Integer> candidates) {
        if (candidates.isEmpty()) {
            return;
        }
        try {
            translate(
                    "pruneNames",
                    "-",
                    () -> database.write(
                            () -> database.jdbi().inTransaction(handle -> names.prune(handle, candidates))));
        } catch (BackendUnavailableException e) {
            log.warn("could not prune {} unused names; the next start will: {}", candidates.size(), e.getMessage());
        }
    }

    @Override
    public DeletionQueue deletions() {
        return this;
    }

    @Override
    public List<PendingDeletion> due(Instant now, int limit) {
        return translate(
                "dueDeletions",
                "-",
                () -> database.jdbi()
                        .withHandle(handle -> handle.createQuery(
                                        "SELECT deletion_id, object_key, enqueued_at FROM tm_deletion WHERE not_before <= :now"
                                                + " ORDER BY deletion_id LIMIT :limit")
                                .bind("now", now.toEpochMilli())
                                .bind("limit", limit)
                                .map((rs, ctx) -> new PendingDeletion(
                                        rs.getLong(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3))))
                                .list()));
    }

    private static PendingDeletion enqueueDeletion(Handle handle, String key, long now, long notBefore) {
        long id = handle.createQuery(
                        "INSERT INTO tm_deletion (object_key, enqueued_at, not_before) VALUES (:key, :at, :notBefore) RETURNING deletion_id")
                .bind("key", key)
                .bind("at", now)
                .bind("notBefore", notBefore)
                .mapTo(Long.class)
                .one();
        return new PendingDeletion(id, key, Instant.ofEpochMilli(now));
    }

    @Override
    public void complete(Collection<Long> deletionIds) {
        if (deletionIds.isEmpty()) {
            return;
        }
        translate(
                "completeDeletions",
                "-",
                () -> database.write(() -> database.jdbi()
                        .withHandle(
                                handle -> handle.createUpdate("DELETE FROM tm_deletion WHERE deletion_id IN (<ids>)")
                                        .bindList("ids", List.copyOf(deletionIds))
                                        .execute())));
    }

    @Override
    public long size() {
        return translate(
                "deletionBacklog",
                "-",
                () -> database.jdbi()
                        .withHandle(handle -> handle.createQuery("SELECT COUNT(*) FROM tm_deletion")
                                .mapTo(Long.class)
                                .one()));
    }

    @Override
    public long countDue(Instant now) {
        return translate(
                "dueDeletionCount",
                "-",
                () -> database.jdbi()
                        .withHandle(handle -> handle.createQuery(
                                        "SELECT COUNT(*) FROM tm_deletion WHERE not_before <= :now")
                                .bind("now", now.toEpochMilli())
                                .mapTo(Long.class)
                                .one()));
    }

    @Override
    public CommitLog commitLog() {
        return commitLog;
    }

    @Override
    public SegmentCatalog catalog() {
        return this;
    }

    @Override
    public List<SegmentRecord> segments(TaskRecord task) {
        return translate(
                "segments",
                task.taskId(),
                () -> database.jdbi().withHandle(handle -> segmentsOf(handle, task.taskKey(), task.taskId())));
    }

    private static List<SegmentRecord> segmentsOf(Handle handle, long taskKey, String taskId) {
        return handle.createQuery("SELECT segment_no, object_id, byte_size, checksum, message_count FROM tm_segment"
                        + " WHERE task_key = :key ORDER BY segment_no")
                .bind("key", taskKey)
                .map((rs, ctx) -> new SegmentRecord(
                        rs.getInt(1),
                        rs.getLong(2),
                        ContentKeys.segment(taskId, rs.getLong(2)),
                        rs.getInt(3),
                        rs.getInt(4),
                        rs.getInt(5)))
                .list();
    }

    @Override
    public ReplaceOutcome replaceSegments(
            TaskRecord task, Set<Integer> replaced, SegmentCommit merged, Instant deleteAfter) {
        requireSameTask(task, merged);
        return translate(
                "replaceSegments",
                task.taskId(),
                () -> database.write(() -> database.jdbi().inTransaction(handle -> {
                    long taskKey = task.taskKey();
                    Optional<Integer> segmentNo = nextSegmentNo(handle, task);
                    if (segmentNo.isEmpty()) {
                        return new ReplaceOutcome.TaskGone();
                    }
                    List<Long> present = handle.createQuery(
                                    "SELECT object_id FROM tm_segment WHERE task_key = :key AND segment_no IN (<nos>)")
                            .bind("key", taskKey)
                            .bindList("nos", List.copyOf(replaced))
                            .mapTo(Long.class)
                            .list();
                    if (present.size() != replaced.size()) {
                        handle.rollback();
                        return new ReplaceOutcome.Conflict();
                    }
                    int moved = handle.createUpdate(
                                    "UPDATE tm_message SET segment_no = :new WHERE task_key = :key AND segment_no IN (<nos>)")
                            .bind("new", segmentNo.get())
                            .bind("key", taskKey)
                            .bindList("nos", List.copyOf(replaced))
                            .execute();
                    if (moved != merged.rows().size()) {
                        // The merged object was built from a different set of rows: never point rows at it.
                        handle.rollback();
                        return new ReplaceOutcome.Conflict();
                    }
                    long now = System.currentTimeMillis();
                    insertSegment(handle, segmentNo.get(), merged, moved, now);
                    handle.createUpdate("DELETE FROM tm_segment WHERE task_key = :key AND segment_no IN (<nos>)")
                            .bind("key", taskKey)
                            .bindList("nos", List.copyOf(replaced))
                            .execute();
                    for (long objectId : present) {
                        enqueueDeletion(
                                handle, ContentKeys.segment(task.taskId(), objectId), now, deleteAfter.toEpochMilli());
                    }
                    handle.createUpdate(
                                    "UPDATE tm_task SET live_segments = live_segments - :replaced + 1 WHERE task_key = :key")
                            .bind("replaced", replaced.size())
                            .bind("key", taskKey)
                            .execute();
                    return new ReplaceOutcome.Replaced(moved);
                })));
    }

    @Override
    public List<String> compactionCandidates(int maxOpenSegments, int limit) {
        return translate(
                "compactionCandidates",
                "-",
                () -> database.jdbi()
                        .withHandle(handle -> handle.createQuery(
                                        "SELECT task_id FROM tm_task WHERE live_segments > 1 AND (sealed = 1 OR live_segments > :max)"
                                                + " ORDER BY live_segments DESC LIMIT :limit")
                                .bind("max", maxOpenSegments)
                                .bind("limit", limit)
                                .mapTo(String.class)
                                .list()));
    }

    @Override
    public Set<Long> knownObjects(String taskId) {
        return translate(
                "knownObjects",
                taskId,
                () -> database.jdbi().withHandle(handle -> {
                    Set<Long> known = new HashSet<>(handle.createQuery(
                                    "SELECT s.object_id FROM tm_segment s JOIN tm_task t ON t.task_key = s.task_key"
                                            + " WHERE t.task_id = :id")
                            .bind("id", taskId)
                            .mapTo(Long.class)
                            .list());
                    String prefix = ContentKeys.taskPrefix(taskId);
                    handle.createQuery(
                                    "SELECT object_key FROM tm_deletion WHERE object_key >= :from AND object_key < :to")
                            .bind("from", prefix)
                            .bind("to", prefix.substring(0, prefix.length() - 1) + "0")
                            .mapTo(String.class)
                            .forEach(key -> ContentKeys.parse(key).ifPresent(parsed -> known.add(parsed.objectId())));
                    return known;
                }));
    }

    @Override
    public List<TaskSegments> segmentsAfter(String afterTaskId, int limit) {
        return translate(
                "segmentsAfter",
                afterTaskId,
                () -> database.jdbi().withHandle(handle -> {
                    List<TaskSegments> result = new ArrayList<>();
                    handle.createQuery(
                                    "SELECT task_key, task_id FROM tm_task WHERE task_id > :after ORDER BY task_id LIMIT :limit")
                            .bind("after", afterTaskId)
                            .bind("limit", limit)
                            .map((rs, ctx) -> new Object[] {rs.getLong(1), rs.getString(2)})
                            .list()
                            .forEach(row -> result.add(new TaskSegments(
                                    (String) row[1], segmentsOf(handle, (Long) row[0], (String) row[1]))));
                    return result;
                }));
    }

    @Override
    public void check() {
        translate(
                "check",
                "-",
                () -> database.jdbi()
                        .withHandle(handle -> handle.createQuery("SELECT 1")
                                .mapTo(Integer.class)
                                .one()));
    }

    @Override
    public void close() {
        // The database is shared with other components; its owner closes it.
    }

    private static TaskRecord taskRecord(ResultSet rs) throws SQLException {
        long lastAt = rs.getLong("last_message_at");
        Optional<Instant> lastMessageAt = rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(lastAt));
        return new TaskRecord(
                rs.getLong("task_key"),
                new TaskSummary(
                        rs.getString("task_id"),
                        rs.getLong("message_count"),
                        lastMessageAt,
                        rs.getInt("sealed") != 0,
                        rs.getLong("live_segments")));
    }

    private <T> T translate(String operation, String subject, Supplier<T> work) {
        try {
            return work.get();
        } catch (JdbiException e) {
            throw new BackendUnavailableException(
                    "metadata " + operation + " for " + subject + " on " + database.dialect() + " failed: "
                            + rootMessage(e),
                    e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return String.valueOf(cause.getMessage());
    }
}
