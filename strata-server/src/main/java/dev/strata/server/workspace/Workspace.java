package dev.strata.server.workspace;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

public record Workspace(String id, String name, Instant createdAt) {
    public Workspace {
        requireNonNull(id, "id is null");
        requireNonNull(name, "name is null");
        requireNonNull(createdAt, "createdAt is null");
    }
}
