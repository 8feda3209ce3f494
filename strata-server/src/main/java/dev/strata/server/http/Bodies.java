package dev.strata.server.http;

import static java.util.Objects.requireNonNull;

import io.javalin.config.Key;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads request bodies up to the configured limit. Memory follows the bytes that actually arrive
 * (never the declared {@code Content-Length}), and every buffered byte is reserved from the shared
 * {@link BodyBudget} until the request ends ({@link #releaseAll}). A client that stalls or
 * disconnects mid-body gets a 4xx, never a 500. Thread-safe.
 */
final class Bodies {
    private static final Logger log = LoggerFactory.getLogger(Bodies.class);
    static final Key<Bodies> KEY = new Key<>("strata.bodies");
    private static final String RESERVED = "strata.body.reserved";
    private static final int FIRST_CHUNK = 8 * 1024;
    private static final int MAX_CHUNK = 1024 * 1024;
    private static final byte[] NOTHING = new byte[0];

    private final BodyBudget budget;

    Bodies(BodyBudget budget) {
        this.budget = requireNonNull(budget, "budget is null");
    }

    /** Reads the body of {@code ctx} with the server's {@link Bodies}. */
    static byte[] read(Context ctx, long maxBytes) {
        return ctx.appData(KEY).readBody(ctx, maxBytes);
    }

    /** Returns what a request reserved; called once when the request ends, whatever happened. */
    void releaseAll(Context ctx) {
        if (ctx.attribute(RESERVED) instanceof long[] reserved) {
            budget.release(reserved[0]);
            reserved[0] = 0;
        }
    }

    byte[] readBody(Context ctx, long maxBytes) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > maxBytes) {
            throw tooLarge(maxBytes);
        }
        // Never buffer past what is declared (Jetty delivers no more) or one byte past the limit.
        long limit = declared >= 0 ? declared : maxBytes + 1;
        List<byte[]> full = new ArrayList<>();
        byte[] chunk = NOTHING;
        int filled = 0;
        long total = 0;
        try {
            InputStream in = ctx.req().getInputStream();
            while (true) {
                if (filled == chunk.length) {
                    if (chunk.length > 0) {
                        full.add(chunk);
                        chunk = NOTHING;
                        filled = 0;
                    }
                    long room = limit - total;
                    if (room <= 0) {
                        if (in.read() != -1) {
                            throw tooLarge(maxBytes);
                        }
                        break;
                    }
                    // Each chunk is at most as large as what arrived so far: memory grows with data.
                    int size = (int) Math.min(room, Math.min(MAX_CHUNK, Math.max(FIRST_CHUNK, total)));
                    reserve(ctx, size);
                    chunk = new byte[size];
                    filled = 0;
                }
                int n = in.read(chunk, filled, chunk.length - filled);
                if (n == -1) {
                    break;
                }
                filled += n;
                total += n;
                if (total > maxBytes) {
                    throw tooLarge(maxBytes);
                }
            }
        } catch (IOException e) {
            throw unreadable(e);
        } catch (RuntimeException e) {
            if (e instanceof HttpException framing) {
                throw framing.getCode() == 413
                        ? tooLarge(maxBytes)
                        : new ApiException.BadRequest("invalid request body framing");
            }
            throw e;
        }
        return assemble(ctx, full, chunk, filled, total);
    }

    private byte[] assemble(Context ctx, List<byte[]> full, byte[] last, int lastFilled, long total) {
        if (full.isEmpty() && lastFilled == last.length) {
            return last;
        }
        if (full.size() == 1 && lastFilled == 0) {
            release(ctx, last.length);
            return full.get(0);
        }
        reserve(ctx, total);
        byte[] body = new byte[(int) total];
        int at = 0;
        long chunks = 0;
        for (byte[] chunk : full) {
            System.arraycopy(chunk, 0, body, at, chunk.length);
            at += chunk.length;
            chunks += chunk.length;
        }
        System.arraycopy(last, 0, body, at, lastFilled);
        chunks += last.length;
        release(ctx, chunks);
        return body;
    }

    private void reserve(Context ctx, long bytes) {
        try {
            budget.reserve(bytes);
        } catch (ApiException.ServiceUnavailable e) {
            log.warn(
                    "request body memory ({} bytes) stays spent; answered 503 to {} {}",
                    budget.capacity(),
                    ctx.method(),
                    ctx.path());
            throw e;
        }
        long[] reserved = ctx.attribute(RESERVED);
        if (reserved == null) {
            reserved = new long[1];
            ctx.attribute(RESERVED, reserved);
        }
        reserved[0] += bytes;
    }

    private void release(Context ctx, long bytes) {
        long[] reserved = ctx.attribute(RESERVED);
        budget.release(bytes);
        reserved[0] -= bytes;
    }

    /** A read that failed: the client went away, or the body did not arrive in time. */
    private static ApiException unreadable(IOException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof TimeoutException) {
                return new ApiException.RequestTimeout("request body not received in time");
            }
            if (cause instanceof HttpException) {
                return new ApiException.BadRequest("invalid request body framing");
            }
        }
        return new ApiException.BadRequest("request body incomplete: the client stopped sending");
    }

    private static ApiException.PayloadTooLarge tooLarge(long maxBytes) {
        return new ApiException.PayloadTooLarge("request body exceeds the limit of " + maxBytes + " bytes");
    }
}
