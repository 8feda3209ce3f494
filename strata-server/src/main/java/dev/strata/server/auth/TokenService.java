package dev.strata.server.auth;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.strata.model.InvalidInputException;
import dev.strata.server.workspace.WorkspaceDirectory;
import dev.strata.tier.metadata.jdbc.Database;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Issues, revokes and checks bearer tokens. Tokens are 32 random bytes, shown once; only their
 * SHA-256 is stored. Lookups are cached for {@code recheckAfter}, which bounds how long a revoked
 * token keeps working (a few seconds by default). Thread-safe.
 */
public final class TokenService {
    public static final String MACHINE_PREFIX = "al_";
    public static final String USER_PREFIX = "ut_";

    private final Database database;
    private final WorkspaceDirectory directory;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Cache<String, Optional<Principal>> recent;

    public TokenService(Database database, WorkspaceDirectory directory, Clock clock, Duration recheckAfter) {
        this.database = requireNonNull(database, "database is null");
        this.directory = requireNonNull(directory, "directory is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.recent = Caffeine.newBuilder()
                .maximumSize(100_000)
                .expireAfterWrite(recheckAfter)
                .build();
    }

    /** @return a new user token for {@code userId} */
    public String createUserToken(String userId) {
        if (directory.user(userId).isEmpty()) {
            throw new InvalidInputException("user not found: " + userId);
        }
        return insert(USER_PREFIX, userId, null);
    }

    /** @return a new machine token acting in {@code workspaceId} on behalf of {@code userId} */
    public String createMachineToken(String userId, String workspaceId) {
        if (directory.user(userId).isEmpty()) {
            throw new InvalidInputException("user not found: " + userId);
        }
        if (directory.workspace(workspaceId).isEmpty()) {
            throw new InvalidInputException("workspace not found: " + workspaceId);
        }
        if (!directory.isMember(workspaceId, userId)) {
            throw new InvalidInputException("user " + userId + " is not a member of workspace " + workspaceId);
        }
        return insert(MACHINE_PREFIX, userId, workspaceId);
    }

    /** @return true when the token existed and was not revoked before */
    public boolean revoke(String token) {
        String hash = hash(token);
        int changed = database.write(
                "token store revoke",
                h -> h.createUpdate(
                                "UPDATE access_token SET revoked_at = :at WHERE token_hash = :hash AND revoked_at IS NULL")
                        .bind("at", clock.millis())
                        .bind("hash", hash)
                        .execute());
        recent.invalidate(hash);
        return changed == 1;
    }

    /** @return who the token acts as, or empty when it is unknown or revoked */
    public Optional<Principal> authenticate(String token) {
        if (!token.startsWith(MACHINE_PREFIX) && !token.startsWith(USER_PREFIX)) {
            return Optional.empty();
        }
        return recent.get(hash(token), this::lookup);
    }

    /** @return true when the token with this SHA-256 (as {@code StreamTickets.hash} gives it) exists and is not revoked */
    public boolean isActive(String tokenHash) {
        return recent.get(tokenHash, this::lookup).isPresent();
    }

    private Optional<Principal> lookup(String hash) {
        return database.read(
                "token store lookup",
                h -> h.createQuery(
                                "SELECT kind, user_id, workspace_id FROM access_token WHERE token_hash = :hash AND revoked_at IS NULL")
                        .bind("hash", hash)
                        .map((rs, ctx) -> rs.getString(1).equals("machine")
                                ? (Principal) new Principal.Machine(rs.getString(2), rs.getString(3))
                                : new Principal.User(rs.getString(2)))
                        .findOne());
    }

    private String insert(String prefix, String userId, String workspaceId) {
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        String token = prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        database.write(
                "token store insert",
                h -> h.createUpdate("INSERT INTO access_token (token_hash, kind, user_id, workspace_id, created_at)"
                                + " VALUES (:hash, :kind, :user, :workspace, :at)")
                        .bind("hash", hash(token))
                        .bind("kind", workspaceId == null ? "user" : "machine")
                        .bind("user", userId)
                        .bind("workspace", workspaceId)
                        .bind("at", clock.millis())
                        .execute());
        return token;
    }

    static String hash(String token) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
