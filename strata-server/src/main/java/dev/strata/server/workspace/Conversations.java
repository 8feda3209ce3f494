package dev.strata.server.workspace;

import static java.util.Objects.requireNonNull;

import dev.strata.server.workspace.WorkspaceDirectory.WhenTasksRemain;
import dev.strata.tier.metadata.jdbc.Database;
import dev.strata.tier.metadata.jdbc.SqlDialect;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** Conversations, and the lock that keeps task creations and a conversation's delete apart. Thread-safe. */
final class Conversations {
    private final Database database;
    private final Clock clock;

    Conversations(Database database, Clock clock) {
        this.database = requireNonNull(database, "database is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    Conversation createConversation(String workspaceId, String title) {
        return createUnlessPresent(WorkspaceDirectory.newId(), workspaceId, title)
                .record();
    }

    /** Inserts the conversation unless its id is taken (in any workspace); says which record holds the id. */
    Creation<Conversation> createUnlessPresent(String id, String workspaceId, String title) {
        Conversation conversation = new Conversation(id, workspaceId, title, clock.instant());
        return database.write("directory createConversation", h -> {
            int inserted = h.createUpdate(
                            "INSERT INTO conversation (id, workspace_id, title, created_at) VALUES (:id, :w, :title, :at)"
                                    + " ON CONFLICT (id) DO NOTHING")
                    .bind("id", conversation.id())
                    .bind("w", workspaceId)
                    .bind("title", title)
                    .bind("at", conversation.createdAt().toEpochMilli())
                    .execute();
            if (inserted == 1) {
                return new Creation<>(Creation.Outcome.CREATED, conversation, title);
            }
            Conversation existing = h.createQuery(
                            "SELECT id, workspace_id, title, created_at FROM conversation WHERE id = :id")
                    .bind("id", id)
                    .map((rs, ctx) -> new Conversation(
                            rs.getString(1), rs.getString(2), rs.getString(3), Instant.ofEpochMilli(rs.getLong(4))))
                    .one();
            return new Creation<>(Creation.Outcome.EXISTED, existing, existing.title());
        });
    }

    Optional<Conversation> conversation(String workspaceId, String id) {
        return database.read(
                "directory conversation",
                h -> h.createQuery(
                                "SELECT id, workspace_id, title, created_at FROM conversation WHERE id = :id AND workspace_id = :w")
                        .bind("id", id)
                        .bind("w", workspaceId)
                        .map((rs, ctx) -> new Conversation(
                                rs.getString(1), rs.getString(2), rs.getString(3), Instant.ofEpochMilli(rs.getLong(4))))
                        .findOne());
    }

    /** Creates conversation {@code :id} of workspace {@code :w} at {@code :at} unless it exists (also batched, by imports). */
    static final String ENSURE_CONVERSATION =
            "INSERT INTO conversation (id, workspace_id, title, created_at) VALUES (:id, :w, '', :at) ON CONFLICT (id) DO NOTHING";

    void ensureConversation(String id, String workspaceId, Instant createdAt) {
        database.write(
                "directory ensureConversation",
                h -> h.createUpdate(ENSURE_CONVERSATION)
                        .bind("id", id)
                        .bind("w", workspaceId)
                        .bind("at", createdAt.toEpochMilli())
                        .execute());
    }

    List<String> deleteConversation(
            String conversationId, Collection<String> deletedTaskIds, WhenTasksRemain whenTasksRemain) {
        return database.write("directory deleteConversation", h -> {
            lock(database.dialect(), h, null, conversationId, "FOR UPDATE");
            if (!deletedTaskIds.isEmpty()) {
                h.createUpdate("DELETE FROM task WHERE conversation_id = :c AND id IN (<ids>)")
                        .bind("c", conversationId)
                        .bindList("ids", List.copyOf(deletedTaskIds))
                        .execute();
            }
            List<String> remaining = h.createQuery("SELECT id FROM task WHERE conversation_id = :c")
                    .bind("c", conversationId)
                    .mapTo(String.class)
                    .list();
            if (remaining.isEmpty() || whenTasksRemain == WhenTasksRemain.DELETE_CONVERSATION) {
                h.createUpdate("DELETE FROM conversation WHERE id = :c")
                        .bind("c", conversationId)
                        .execute();
            }
            return remaining;
        });
    }

    /**
     * Whether the conversation exists (in the workspace, unless it is null), locking its row until
     * the transaction ends on PostgreSQL ({@code FOR SHARE} for a task creation, {@code FOR UPDATE}
     * for the delete), so the two serialize and a creation waiting for the delete finds the row
     * gone. SQLite needs no lock: its write transactions are immediate and exclusive.
     */
    static boolean lock(SqlDialect dialect, Handle h, String workspaceId, String conversationId, String lock) {
        String suffix = dialect == SqlDialect.POSTGRESQL ? " " + lock : "";
        var query = h.createQuery("SELECT id FROM conversation WHERE id = :id"
                        + (workspaceId == null ? "" : " AND workspace_id = :w") + suffix)
                .bind("id", conversationId);
        if (workspaceId != null) {
            query.bind("w", workspaceId);
        }
        return query.mapTo(String.class).findOne().isPresent();
    }
}
