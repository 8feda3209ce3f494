package dev.strata.server.http;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Request ids: the client's {@code X-Request-ID} when it is a sane token (1 to 128 characters of
 * letters, digits and {@code . _ : -}, so it can go into a log line or header unescaped, and cannot
 * forge one), else a new random one. Stateless.
 */
final class RequestIds {
    static final String HEADER = "X-Request-ID";
    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private RequestIds() {}

    /** The id to use for a request that sent {@code requested} (null when it sent none). */
    static String choose(String requested) {
        if (requested != null && SANE.matcher(requested).matches()) {
            return requested;
        }
        // A version 4 UUID from ThreadLocalRandom: an id to find log lines by, not a secret, so it
        // needs no SecureRandom (whose shared generator every request went through).
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }
}
