package dev.strata.server.auth;

import static java.util.Objects.requireNonNull;

/** Who a request acts as, established from its bearer token. */
public sealed interface Principal {
    String userId();

    /** A daemon's token ({@code al_...}): bound to one workspace. */
    record Machine(String userId, String workspaceId) implements Principal {
        public Machine {
            requireNonNull(userId, "userId is null");
            requireNonNull(workspaceId, "workspaceId is null");
        }
    }

    /** A person's token ({@code ut_...}): acts in any workspace the user is a member of. */
    record User(String userId) implements Principal {
        public User {
            requireNonNull(userId, "userId is null");
        }
    }
}
