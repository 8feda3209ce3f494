package dev.strata.server.auth;

import static java.util.Objects.requireNonNull;

/**
 * Who a request acts as, established from its bearer token. {@link #tokenId} names the token
 * (for logs and {@code admin revoke-token --id}); it is never the secret.
 */
public sealed interface Principal {
    String tokenId();

    String userId();

    /** A daemon's token ({@code al_...}): bound to one workspace. */
    record Machine(String tokenId, String userId, String workspaceId) implements Principal {
        public Machine {
            requireNonNull(tokenId, "tokenId is null");
            requireNonNull(userId, "userId is null");
            requireNonNull(workspaceId, "workspaceId is null");
        }
    }

    /** A person's token ({@code ut_...}): acts in any workspace the user is a member of. */
    record User(String tokenId, String userId) implements Principal {
        public User {
            requireNonNull(tokenId, "tokenId is null");
            requireNonNull(userId, "userId is null");
        }
    }
}
