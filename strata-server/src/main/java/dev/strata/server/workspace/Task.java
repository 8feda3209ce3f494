package dev.strata.server.workspace;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

public record Task(
        String id, String workspaceId, Optional<String> conversationId, TaskStatus status, Instant createdAt) {
    public Task {
        requireNonNull(id, "id is null");
        requireNonNull(workspaceId, "workspaceId is null");
        requireNonNull(conversationId, "conversationId is null");
        requireNonNull(status, "status is null");
        requireNonNull(createdAt, "createdAt is null");
    }
}
