package dev.strata.server.workspace;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.model.InvalidInputException;
import dev.strata.tier.metadata.jdbc.Database;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The snapshots that keep a long task list stable while a client pages through it: the ordered ids
 * of every task the list held when its first page was read, in one database row, so any instance
 * serves the later pages; and the opaque cursors that name a snapshot and an offset into it. A
 * snapshot is bound to the workspace and filter it was made for and lives {@link #LIFETIME}; expired
 * ones are deleted whenever a new one is made. Thread-safe.
 */
final class TaskSnapshots {
    /** How long a client may take to page through one list. */
    static final Duration LIFETIME = Duration.ofHours(1);

    private static final String CURSOR_PREFIX = "t1:";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final TypeReference<List<String>> ID_LIST = new TypeReference<>() {};

    private final Database database;
    private final Clock clock;

    TaskSnapshots(Database database, Clock clock) {
        this.database = requireNonNull(database, "database is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** Where a cursor points: a snapshot and the offset of the next page's first task in it. */
    record Position(String snapshotId, int offset) {}

    /** Stores the list's order (and deletes expired snapshots). @return the new snapshot's id */
    String create(String workspaceId, TaskFilter filter, List<String> orderedTaskIds) {
        String id = UUID.randomUUID().toString();
        String ids;
        try {
            ids = MAPPER.writeValueAsString(orderedTaskIds);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("task ids did not serialize", e);
        }
        long now = clock.millis();
        database.write("directory createTaskListSnapshot", h -> {
            h.createUpdate("DELETE FROM task_list_snapshot WHERE expires_at < :now")
                    .bind("now", now)
                    .execute();
            return h.createUpdate("INSERT INTO task_list_snapshot (id, workspace_id, filter, task_ids, task_count,"
                            + " expires_at) VALUES (:id, :w, :filter, :ids, :count, :expires)")
                    .bind("id", id)
                    .bind("w", workspaceId)
                    .bind("filter", filter.key())
                    .bind("ids", ids)
                    .bind("count", orderedTaskIds.size())
                    .bind("expires", now + LIFETIME.toMillis())
                    .execute();
        });
        return id;
    }

    /**
     * @return the ordered task ids of the snapshot
     * @throws InvalidInputException when it expired (or never existed), or was made for another
     *     workspace or filter
     */
    List<String> read(String workspaceId, TaskFilter filter, String snapshotId) {
        record Row(String workspaceId, String filter, String taskIds, long expiresAt) {}
        Optional<Row> row = database.read(
                "directory readTaskListSnapshot",
                h -> h.createQuery(
                                "SELECT workspace_id, filter, task_ids, expires_at FROM task_list_snapshot WHERE id = :id")
                        .bind("id", snapshotId)
                        .map((rs, ctx) -> new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4)))
                        .findOne());
        if (row.isEmpty() || row.get().expiresAt() < clock.millis()) {
            throw new InvalidInputException("expired cursor: list again from the first page");
        }
        if (!row.get().workspaceId().equals(workspaceId) || !row.get().filter().equals(filter.key())) {
            throw new InvalidInputException("cursor of another workspace or filter");
        }
        try {
            return MAPPER.readValue(row.get().taskIds(), ID_LIST);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("task list snapshot " + snapshotId + " does not parse", e);
        }
    }

    static String cursor(String snapshotId, int offset) {
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString((CURSOR_PREFIX + snapshotId + ":" + offset).getBytes(StandardCharsets.UTF_8));
    }

    /** @throws InvalidInputException when {@code cursor} is not one that {@link #cursor} makes */
    static Position parse(String cursor) {
        String text;
        try {
            text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalid();
        }
        if (!text.startsWith(CURSOR_PREFIX)) {
            throw invalid();
        }
        String[] parts = text.substring(CURSOR_PREFIX.length()).split(":", -1);
        if (parts.length != 2) {
            throw invalid();
        }
        try {
            // Canonical forms only, so one position has one cursor.
            String snapshotId = UUID.fromString(parts[0]).toString();
            int offset = Integer.parseInt(parts[1]);
            if (!snapshotId.equals(parts[0])
                    || offset < 1
                    || !Integer.toString(offset).equals(parts[1])) {
                throw invalid();
            }
            return new Position(snapshotId, offset);
        } catch (IllegalArgumentException e) {
            throw invalid();
        }
    }

    private static InvalidInputException invalid() {
        return new InvalidInputException("invalid cursor");
    }
}
