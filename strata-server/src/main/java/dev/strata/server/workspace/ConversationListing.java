package dev.strata.server.workspace;

import static java.util.Objects.requireNonNull;

import dev.strata.model.InvalidInputException;
import dev.strata.tier.metadata.jdbc.Database;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A workspace's conversations, newest first, with their task counts. Creation times never change,
 * so plain keyset paging on {@code (created_at, id)} is stable: the cursor carries the last row's
 * key (and the workspace, so it is refused elsewhere), and needs no state. Thread-safe.
 */
final class ConversationListing {
    private static final String CURSOR_PREFIX = "c1\n";

    private final Database database;

    ConversationListing(Database database) {
        this.database = requireNonNull(database, "database is null");
    }

    private record Key(long createdAt, String id) {}

    /**
     * @param cursor the {@link ListPage#nextCursor} of the page before, or empty for the first page
     * @throws InvalidInputException when the cursor is not one, or belongs to another workspace
     */
    ListPage<ListedConversation> list(String workspaceId, int limit, Optional<String> cursor) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        Optional<Key> after = cursor.map(c -> parse(workspaceId, c));
        List<Conversation> rows = database.read("directory listConversations of " + workspaceId, h -> {
            var query = h.createQuery(
                            "SELECT id, workspace_id, title, created_at FROM conversation WHERE workspace_id = :w"
                                    + (after.isPresent()
                                            ? " AND (created_at < :at OR (created_at = :at AND id < :id))"
                                            : "")
                                    + " ORDER BY created_at DESC, id DESC LIMIT :limit")
                    .bind("w", workspaceId)
                    .bind("limit", limit + 1);
            after.ifPresent(key -> query.bind("at", key.createdAt()).bind("id", key.id()));
            return query.map((rs, ctx) -> new Conversation(
                            rs.getString(1), rs.getString(2), rs.getString(3), Instant.ofEpochMilli(rs.getLong(4))))
                    .list();
        });
        List<Conversation> page = rows.subList(0, Math.min(limit, rows.size()));
        Map<String, Long> counts = taskCounts(page);
        Optional<String> next = Optional.empty();
        if (rows.size() > limit) {
            Conversation last = page.get(page.size() - 1);
            next = Optional.of(cursor(workspaceId, last));
        }
        return new ListPage<>(
                page.stream()
                        .map(c -> new ListedConversation(c, counts.getOrDefault(c.id(), 0L)))
                        .toList(),
                next);
    }

    private Map<String, Long> taskCounts(List<Conversation> conversations) {
        if (conversations.isEmpty()) {
            return Map.of();
        }
        return database.read("directory conversationTaskCounts", h -> {
            Map<String, Long> counts = new HashMap<>();
            h.createQuery("SELECT conversation_id, COUNT(*) FROM task WHERE conversation_id IN (<ids>)"
                            + " GROUP BY conversation_id")
                    .bindList(
                            "ids", conversations.stream().map(Conversation::id).toList())
                    .map((rs, ctx) -> counts.put(rs.getString(1), rs.getLong(2)))
                    .list();
            return counts;
        });
    }

    private static String cursor(String workspaceId, Conversation last) {
        String text = CURSOR_PREFIX + workspaceId + "\n" + last.createdAt().toEpochMilli() + "\n" + last.id();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static Key parse(String workspaceId, String cursor) {
        String text;
        try {
            text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalid();
        }
        // The conversation id comes last: an imported one might hold a newline.
        String[] parts = text.split("\n", 4);
        // No id holds NUL (and PostgreSQL refuses it in a text parameter): a cursor with one is forged.
        if (!text.startsWith(CURSOR_PREFIX) || parts.length != 4 || parts[3].isEmpty() || text.indexOf('\u0000') >= 0) {
            throw invalid();
        }
        long createdAt;
        try {
            createdAt = Long.parseLong(parts[2]);
        } catch (NumberFormatException e) {
            throw invalid();
        }
        if (!parts[1].equals(workspaceId)) {
            throw new InvalidInputException("cursor of another workspace");
        }
        return new Key(createdAt, parts[3]);
    }

    private static InvalidInputException invalid() {
        return new InvalidInputException("invalid cursor");
    }
}
