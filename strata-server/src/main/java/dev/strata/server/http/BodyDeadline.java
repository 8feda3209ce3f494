package dev.strata.server.http;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.NanoTime;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * An overall deadline for receiving a request body, counted from when the request's headers
 * arrived. Jetty's idle timeout alone does not bound a body trickled one byte at a time (each byte
 * restarts it); past the deadline the next read fails with a {@link TimeoutException}, which
 * {@link Bodies} answers with 408. Thread-safe.
 */
final class BodyDeadline extends Handler.Wrapper {
    private final long timeoutNanos;

    BodyDeadline(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        return super.handle(new DeadlineRequest(request, NanoTime.now() + timeoutNanos), response, callback);
    }

    private static final class DeadlineRequest extends Request.Wrapper {
        private final long deadline;
        private volatile Content.Chunk expired;

        DeadlineRequest(Request request, long deadline) {
            super(request);
            this.deadline = deadline;
        }

        @Override
        public Content.Chunk read() {
            Content.Chunk failure = expired;
            if (failure != null) {
                return failure;
            }
            if (NanoTime.until(deadline) <= 0) {
                return expire();
            }
            return super.read();
        }

        @Override
        public void demand(Runnable demandCallback) {
            long remaining = NanoTime.until(deadline);
            if (expired != null || remaining <= 0) {
                expire();
                demandCallback.run();
                return;
            }
            // Whichever comes first, data or the deadline, wakes the reader exactly once.
            AtomicBoolean woken = new AtomicBoolean();
            Scheduler.Task timer = getComponents()
                    .getScheduler()
                    .schedule(
                            () -> {
                                if (woken.compareAndSet(false, true)) {
                                    expire();
                                    demandCallback.run();
                                }
                            },
                            remaining,
                            TimeUnit.NANOSECONDS);
            super.demand(() -> {
                if (woken.compareAndSet(false, true)) {
                    timer.cancel();
                    demandCallback.run();
                }
            });
        }

        private Content.Chunk expire() {
            Content.Chunk failure = expired;
            if (failure == null) {
                failure = Content.Chunk.from(new TimeoutException("request body not received in time"), true);
                expired = failure;
            }
            return failure;
        }
    }
}
