package dev.strata.server.stream;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * Where a task stream stands: sent as each event's {@code id} (opaque to clients) and taken back
 * from {@code Last-Event-ID} to resume exactly after it.
 *
 * <p>A stream first sends the backlog: messages with seq above {@code floor} committed at or below
 * the horizon it read when it opened, in seq order; then every later commit, in commit order
 * (commit number, then seq), still only above {@code floor}, so a message at or below the
 * requested seq that commits late is never sent. In the backlog, {@code commitNo} is that horizon
 * and {@code seq} the last seq sent; live, they are the last message's commit number and seq.
 *
 * @param floor the stream's {@code since} (-1 without one): it never sends a seq at or below it
 */
public record StreamCursor(Phase phase, long floor, long commitNo, long seq) {
    /** Which part of the stream the cursor is in. */
    public enum Phase {
        BACKLOG,
        LIVE
    }

    private static final String VERSION = "1";

    /** A new stream: everything above {@code since}, the backlog bounded by {@code horizon}. */
    public static StreamCursor start(long since, long horizon) {
        return new StreamCursor(Phase.BACKLOG, since, horizon, since);
    }

    /** After sending a message in this phase. */
    public StreamCursor advance(long messageCommitNo, long messageSeq) {
        return switch (phase) {
            case BACKLOG -> new StreamCursor(Phase.BACKLOG, floor, commitNo, messageSeq);
            case LIVE -> new StreamCursor(Phase.LIVE, floor, messageCommitNo, messageSeq);
        };
    }

    /** After the whole backlog: every commit after the horizon is next. */
    public StreamCursor live() {
        return switch (phase) {
            case BACKLOG -> new StreamCursor(Phase.LIVE, floor, commitNo, Long.MAX_VALUE);
            case LIVE -> this;
        };
    }

    public String encode() {
        String plain = VERSION + "." + (phase == Phase.BACKLOG ? "b" : "l") + "." + floor + "." + commitNo + "." + seq;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.US_ASCII));
    }

    /** @return the cursor an event id stands for, or empty when it is not one this server sent */
    public static Optional<StreamCursor> decode(String eventId) {
        try {
            String[] parts =
                    new String(Base64.getUrlDecoder().decode(eventId.trim()), StandardCharsets.US_ASCII).split("\\.");
            if (parts.length != 5 || !parts[0].equals(VERSION) || !(parts[1].equals("b") || parts[1].equals("l"))) {
                return Optional.empty();
            }
            long floor = Long.parseLong(parts[2]);
            long commitNo = Long.parseLong(parts[3]);
            long seq = Long.parseLong(parts[4]);
            if (floor < -1 || commitNo < 0 || seq < floor) {
                return Optional.empty();
            }
            return Optional.of(
                    new StreamCursor(parts[1].equals("b") ? Phase.BACKLOG : Phase.LIVE, floor, commitNo, seq));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
