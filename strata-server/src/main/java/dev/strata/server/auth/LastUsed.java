package dev.strata.server.auth;

import static java.util.Objects.requireNonNull;

import dev.strata.tier.metadata.jdbc.Database;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records when tokens were last used without a database write per request: at most one write per
 * token per {@code interval} and instance (the first use after the interval). The recorded time
 * is thus at most one interval old. A failed write is absorbed: it must never fail the request
 * that used the token. Thread-safe.
 */
final class LastUsed {
    private static final Logger log = LoggerFactory.getLogger(LastUsed.class);

    private final Database database;
    private final Clock clock;
    private final long intervalMillis;
    /** Token id to the time this instance last wrote it; one entry per token used, removed on revoke. */
    private final ConcurrentMap<String, Long> written = new ConcurrentHashMap<>();

    LastUsed(Database database, Clock clock, Duration interval) {
        this.database = requireNonNull(database, "database is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.intervalMillis = interval.toMillis();
    }

    /** Notes a use of the token; writes it when this instance has not written it for an interval. */
    void used(String tokenId) {
        long now = clock.millis();
        // Nearly every use falls within the interval: a plain read, not compute's lock on the
        // token's entry (one busy token's requests would all take that same lock).
        Long recent = written.get(tokenId);
        if (recent != null && now - recent < intervalMillis) {
            return;
        }
        boolean[] due = {false};
        written.compute(tokenId, (id, last) -> {
            if (last == null || now - last >= intervalMillis) {
                due[0] = true;
                return now;
            }
            return last;
        });
        if (due[0]) {
            write(tokenId, now);
        }
    }

    void forget(String tokenId) {
        written.remove(tokenId);
    }

    private void write(String tokenId, long now) {
        try {
            database.write(
                    "token store lastUsed",
                    h -> h.createUpdate("UPDATE access_token SET last_used_at = :now WHERE id = :id"
                                    + " AND (last_used_at IS NULL OR last_used_at < :now)")
                            .bind("now", now)
                            .bind("id", tokenId)
                            .execute());
        } catch (RuntimeException e) {
            // Only bookkeeping: the request goes on; the next use after the interval tries again (not
            // the next request, so an outage does not turn every request into a failing write).
            log.warn("recording the last use of token {} failed: {}", tokenId, e.toString());
        }
    }
}
