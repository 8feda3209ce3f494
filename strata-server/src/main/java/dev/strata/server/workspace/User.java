package dev.strata.server.workspace;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

public record User(String id, String email, String name, Instant createdAt) {
    public User {
        requireNonNull(id, "id is null");
        requireNonNull(email, "email is null");
        requireNonNull(name, "name is null");
        requireNonNull(createdAt, "createdAt is null");
    }
}
