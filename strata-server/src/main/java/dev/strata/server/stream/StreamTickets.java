package dev.strata.server.stream;

import static java.util.Objects.requireNonNull;

import dev.strata.tier.metadata.jdbc.Database;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Short-lived single-use stream tickets, for browsers' {@code EventSource}, which cannot send an
 * {@code Authorization} header. Kept in the database (hashed), so a ticket issued by one instance
 * works on any other, once. Thread-safe.
 */
public final class StreamTickets {
    /** How long a ticket can be redeemed. */
    public static final Duration LIFETIME = Duration.ofSeconds(60);

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Database database;
    private final Clock clock;

    public StreamTickets(Database database, Clock clock) {
        this.database = requireNonNull(database, "database is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** A ticket as issued: the secret is shown to the caller once and never stored. */
    public record Issued(String ticket, Instant expiresAt) {}

    /** Who a redeemed ticket stands for. */
    public record Holder(String userId, String workspaceId, String ownerHash) {}

    /** Issues a ticket for a user acting in a workspace; {@code ownerHash} identifies the issuing token for limits. */
    public Issued issue(String userId, String workspaceId, String ownerHash) {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String ticket = "st_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        Instant now = clock.instant();
        Instant expiresAt = now.plus(LIFETIME);
        database.write("stream ticket issue", handle -> {
            handle.createUpdate("DELETE FROM stream_ticket WHERE expires_at < :now")
                    .bind("now", now.toEpochMilli())
                    .execute();
            handle.createUpdate("INSERT INTO stream_ticket (ticket_hash, user_id, workspace_id, owner_hash, expires_at)"
                            + " VALUES (:hash, :user, :workspace, :owner, :expires)")
                    .bind("hash", hash(ticket))
                    .bind("user", userId)
                    .bind("workspace", workspaceId)
                    .bind("owner", ownerHash)
                    .bind("expires", expiresAt.toEpochMilli())
                    .execute();
            return null;
        });
        return new Issued(ticket, expiresAt);
    }

    /**
     * Looks a ticket up without consuming it, so a request refused for another reason (an unknown
     * task, a bad parameter) leaves it usable; {@link #redeem} consumes it once the stream opens.
     *
     * @return its holder, or empty when the ticket is unknown, used or expired
     */
    public Optional<Holder> peek(String ticket) {
        long now = clock.millis();
        return database.read(
                "stream ticket peek",
                handle -> handle.createQuery(
                                "SELECT user_id, workspace_id, owner_hash FROM stream_ticket WHERE ticket_hash = :hash AND expires_at > :now")
                        .bind("hash", hash(ticket))
                        .bind("now", now)
                        .map((rs, ctx) -> new Holder(rs.getString(1), rs.getString(2), rs.getString(3)))
                        .findOne());
    }

    /**
     * Redeems a ticket: it is consumed whether or not it is still valid.
     *
     * @return its holder, or empty when the ticket is unknown, used or expired
     */
    public Optional<Holder> redeem(String ticket) {
        long now = clock.millis();
        return database.write(
                "stream ticket redeem",
                handle -> handle.createQuery(
                                "DELETE FROM stream_ticket WHERE ticket_hash = :hash RETURNING user_id, workspace_id, owner_hash, expires_at")
                        .bind("hash", hash(ticket))
                        .map((rs, ctx) -> rs.getLong(4) > now
                                ? Optional.of(new Holder(rs.getString(1), rs.getString(2), rs.getString(3)))
                                : Optional.<Holder>empty())
                        .findOne()
                        .flatMap(holder -> holder));
    }

    /** The SHA-256 of a secret, as stored. */
    public static String hash(String secret) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing", e);
        }
    }
}
