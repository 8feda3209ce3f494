package dev.strata.server.workspace;

import static java.util.Objects.requireNonNull;

import dev.strata.model.InvalidInputException;
import dev.strata.tier.metadata.jdbc.Database;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Workspaces, users and who is a member where. Thread-safe. */
final class Memberships {
    private final Database database;
    private final Clock clock;

    Memberships(Database database, Clock clock) {
        this.database = requireNonNull(database, "database is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    Workspace createWorkspace(String name) {
        Workspace workspace = new Workspace(WorkspaceDirectory.newId(), requireText("name", name), clock.instant());
        database.write(
                "directory createWorkspace",
                h -> h.createUpdate("INSERT INTO workspace (id, name, created_at) VALUES (:id, :name, :at)")
                        .bind("id", workspace.id())
                        .bind("name", workspace.name())
                        .bind("at", workspace.createdAt().toEpochMilli())
                        .execute());
        return workspace;
    }

    Optional<Workspace> workspace(String id) {
        return database.read(
                "directory workspace",
                h -> h.createQuery("SELECT id, name, created_at FROM workspace WHERE id = :id")
                        .bind("id", id)
                        .map((rs, ctx) ->
                                new Workspace(rs.getString(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3))))
                        .findOne());
    }

    /** Creates workspace {@code :id}, named after it, at {@code :at} unless it exists (also batched, by imports). */
    static final String ENSURE_WORKSPACE =
            "INSERT INTO workspace (id, name, created_at) VALUES (:id, :id, :at) ON CONFLICT (id) DO NOTHING";

    void ensureWorkspace(String id) {
        database.write(
                "directory ensureWorkspace",
                h -> h.createUpdate(ENSURE_WORKSPACE)
                        .bind("id", id)
                        .bind("at", clock.millis())
                        .execute());
    }

    User createUser(String email, String name) {
        User user = new User(
                WorkspaceDirectory.newId(), requireText("email", email), name == null ? "" : name, clock.instant());
        int inserted = database.write(
                "directory createUser",
                h -> h.createUpdate(
                                "INSERT INTO app_user (id, email, name, created_at) VALUES (:id, :email, :name, :at) ON CONFLICT (email) DO NOTHING")
                        .bind("id", user.id())
                        .bind("email", user.email())
                        .bind("name", user.name())
                        .bind("at", user.createdAt().toEpochMilli())
                        .execute());
        if (inserted == 0) {
            throw new InvalidInputException("a user with email " + email + " exists already");
        }
        return user;
    }

    Optional<User> user(String id) {
        return database.read(
                "directory user",
                h -> h.createQuery("SELECT id, email, name, created_at FROM app_user WHERE id = :id")
                        .bind("id", id)
                        .map((rs, ctx) -> new User(
                                rs.getString(1), rs.getString(2), rs.getString(3), Instant.ofEpochMilli(rs.getLong(4))))
                        .findOne());
    }

    void addMember(String workspaceId, String userId, Role role) {
        if (workspace(workspaceId).isEmpty()) {
            throw new InvalidInputException("workspace not found: " + workspaceId);
        }
        if (user(userId).isEmpty()) {
            throw new InvalidInputException("user not found: " + userId);
        }
        database.write(
                "directory addMember",
                h -> h.createUpdate("INSERT INTO membership (workspace_id, user_id, role) VALUES (:w, :u, :role)"
                                + " ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = excluded.role")
                        .bind("w", workspaceId)
                        .bind("u", userId)
                        .bind("role", role.wireName())
                        .execute());
    }

    void removeMember(String workspaceId, String userId) {
        database.write(
                "directory removeMember",
                h -> h.createUpdate("DELETE FROM membership WHERE workspace_id = :w AND user_id = :u")
                        .bind("w", workspaceId)
                        .bind("u", userId)
                        .execute());
    }

    boolean isMember(String workspaceId, String userId) {
        return database.read(
                "directory isMember",
                h -> h.createQuery("SELECT COUNT(*) FROM membership WHERE workspace_id = :w AND user_id = :u")
                                .bind("w", workspaceId)
                                .bind("u", userId)
                                .mapTo(Integer.class)
                                .one()
                        > 0);
    }

    List<Membership> membershipsOf(String userId) {
        return database.read(
                "directory membershipsOf",
                h -> h.createQuery(
                                "SELECT w.id, w.name, w.created_at, m.role FROM membership m"
                                        + " JOIN workspace w ON w.id = m.workspace_id WHERE m.user_id = :u ORDER BY w.name, w.id")
                        .bind("u", userId)
                        .map((rs, ctx) -> new Membership(
                                new Workspace(rs.getString(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3))),
                                Role.fromWireName(rs.getString(4))))
                        .list());
    }

    Optional<Role> role(String workspaceId, String userId) {
        return database.read(
                "directory role",
                h -> h.createQuery("SELECT role FROM membership WHERE workspace_id = :w AND user_id = :u")
                        .bind("w", workspaceId)
                        .bind("u", userId)
                        .mapTo(String.class)
                        .findOne()
                        .map(Role::fromWireName));
    }

    private static String requireText(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidInputException(field + " must not be empty");
        }
        return value;
    }
}
