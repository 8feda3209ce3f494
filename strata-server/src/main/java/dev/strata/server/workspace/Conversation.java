package dev.strata.server.workspace;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

public record Conversation(String id, String workspaceId, String title, Instant createdAt) {
    public Conversation {
        requireNonNull(id, "id is null");
        requireNonNull(workspaceId, "workspaceId is null");
        requireNonNull(title, "title is null");
        requireNonNull(createdAt, "createdAt is null");
    }
}
