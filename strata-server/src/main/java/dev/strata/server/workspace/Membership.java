package dev.strata.server.workspace;

import static java.util.Objects.requireNonNull;

/** A workspace a user belongs to, with the user's role there: what the inspector's workspace picker lists. */
public record Membership(Workspace workspace, Role role) {
    public Membership {
        requireNonNull(workspace, "workspace is null");
        requireNonNull(role, "role is null");
    }
}
