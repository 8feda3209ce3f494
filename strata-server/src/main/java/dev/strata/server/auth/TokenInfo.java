package dev.strata.server.auth;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * What {@code admin list-tokens} shows of a token: everything but the secret, which Strata never
 * has (it keeps only its SHA-256).
 *
 * @param kind {@code user} or {@code machine}
 */
public record TokenInfo(
        String id,
        String kind,
        String userId,
        Optional<String> workspaceId,
        Instant createdAt,
        Optional<Instant> lastUsedAt,
        Optional<Instant> expiresAt,
        Optional<Instant> revokedAt) {
    public TokenInfo {
        requireNonNull(id, "id is null");
        requireNonNull(kind, "kind is null");
        requireNonNull(userId, "userId is null");
        requireNonNull(workspaceId, "workspaceId is null");
        requireNonNull(createdAt, "createdAt is null");
        requireNonNull(lastUsedAt, "lastUsedAt is null");
        requireNonNull(expiresAt, "expiresAt is null");
        requireNonNull(revokedAt, "revokedAt is null");
    }

    /** {@code active}, {@code expired} or {@code revoked}, at {@code now}. */
    public String state(Instant now) {
        if (revokedAt.isPresent()) {
            return "revoked";
        }
        return expiresAt.filter(at -> !now.isBefore(at)).isPresent() ? "expired" : "active";
    }
}
