package dev.strata.server.export;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/** A task as an export file names it, on the line before its messages. */
public record ExportedTask(
        String id, String workspaceId, Optional<String> conversationId, String status, Instant createdAt) {
    public ExportedTask {
        requireNonNull(id, "id is null");
        requireNonNull(workspaceId, "workspaceId is null");
        requireNonNull(conversationId, "conversationId is null");
        requireNonNull(status, "status is null");
        requireNonNull(createdAt, "createdAt is null");
    }
}
