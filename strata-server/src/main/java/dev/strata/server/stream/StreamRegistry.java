package dev.strata.server.stream;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The open streams of this instance: enforces the limits, wakes the streams of a task that
 * changed, and closes every stream on shutdown. Waking only releases a permit, so a change never
 * waits for any stream, however slow its reader. Thread-safe.
 */
public final class StreamRegistry implements AutoCloseable {
    /** How often an open stream re-checks that its caller may still read (token, membership). */
    static final Duration ACCESS_RECHECK = Duration.ofSeconds(2);

    private final int maxStreams;
    private final int maxPerToken;
    private final AtomicInteger open = new AtomicInteger();
    private final Map<String, Integer> perToken = new ConcurrentHashMap<>();
    private final Map<String, Set<Session>> byTask = new ConcurrentHashMap<>();
    private final Set<Session> workspaceSessions = ConcurrentHashMap.newKeySet();
    private final Counter events;
    private final Timer delay;
    private volatile boolean closing;

    public StreamRegistry(int maxStreams, int maxPerToken, MeterRegistry registry) {
        this.maxStreams = maxStreams;
        this.maxPerToken = maxPerToken;
        Gauge.builder("strata.stream.open", open, AtomicInteger::get)
                .description("open live-tail streams")
                .register(registry);
        this.events = Counter.builder("strata.stream.events")
                .description("events sent on live-tail streams")
                .register(registry);
        this.delay = Timer.builder("strata.stream.delay")
                .description(
                        "from an append's acceptance (the message's created_at) to its event being written, live messages only")
                .publishPercentileHistogram()
                .register(registry);
    }

    /**
     * Opens a stream for a task ({@code taskId} present) or a workspace's activity.
     *
     * @param tokenKey identifies the token the stream counts against
     * @return the session, or empty when a limit is reached or the instance is shutting down
     */
    public Optional<Session> open(String tokenKey, Optional<String> taskId) {
        requireNonNull(tokenKey, "tokenKey is null");
        if (closing) {
            return Optional.empty();
        }
        if (open.incrementAndGet() > maxStreams) {
            open.decrementAndGet();
            return Optional.empty();
        }
        boolean[] admitted = {false};
        perToken.compute(tokenKey, (key, count) -> {
            int current = count == null ? 0 : count;
            if (current >= maxPerToken) {
                return count;
            }
            admitted[0] = true;
            return current + 1;
        });
        if (!admitted[0]) {
            open.decrementAndGet();
            return Optional.empty();
        }
        Session session = new Session(tokenKey, taskId);
        taskId.ifPresentOrElse(
                id -> byTask.computeIfAbsent(id, key -> ConcurrentHashMap.newKeySet())
                        .add(session),
                () -> workspaceSessions.add(session));
        return Optional.of(session);
    }

    /** Wakes the streams of a task that may have changed, and the workspace activity streams. */
    public void changed(String taskId) {
        Set<Session> sessions = byTask.get(taskId);
        if (sessions != null) {
            sessions.forEach(Session::wake);
        }
        workspaceSessions.forEach(Session::wake);
    }

    /** Wakes the workspace activity streams (they look for changes themselves). */
    public void wakeWorkspaces() {
        workspaceSessions.forEach(Session::wake);
    }

    /** Wakes every stream, for example after notifications may have been lost. */
    public void wakeAll() {
        byTask.values().forEach(sessions -> sessions.forEach(Session::wake));
        workspaceSessions.forEach(Session::wake);
    }

    /** @return the tasks that open streams follow */
    public Set<String> watchedTasks() {
        return Set.copyOf(byTask.keySet());
    }

    public int openStreams() {
        return open.get();
    }

    /** Refuses new streams, asks every open one to finish, and waits (briefly) until they have. */
    @Override
    public void close() {
        closing = true;
        wakeAll();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (open.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** One open stream. */
    public final class Session implements AutoCloseable {
        private final String tokenKey;
        private final Optional<String> taskId;
        private final Semaphore signal = new Semaphore(0);
        private boolean closed;
        private volatile BooleanSupplier access = () -> true;
        private volatile boolean allowed = true;
        private volatile long accessCheckedAt = System.nanoTime();

        private Session(String tokenKey, Optional<String> taskId) {
            this.tokenKey = tokenKey;
            this.taskId = taskId;
        }

        private void wake() {
            if (signal.availablePermits() == 0) {
                signal.release();
            }
        }

        /**
         * Waits until the stream is woken or {@code timeout} passes.
         *
         * @return true when woken
         */
        public boolean await(Duration timeout) throws InterruptedException {
            boolean woken = signal.tryAcquire(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
            signal.drainPermits();
            return woken;
        }

        /**
         * Ends the stream once {@code stillAllowed} turns false (its token revoked, its user no
         * longer a member): checked at most every {@link #ACCESS_RECHECK}, whenever the stream
         * wakes, so within one heartbeat. A check that fails (a backend outage) keeps the stream.
         */
        public void allowedWhile(BooleanSupplier stillAllowed) {
            this.access = requireNonNull(stillAllowed, "stillAllowed is null");
        }

        /** @return true when the instance is shutting down, or the caller lost access, and the stream must end */
        public boolean closing() {
            return closing || !allowed();
        }

        private boolean allowed() {
            long now = System.nanoTime();
            if (allowed && now - accessCheckedAt >= ACCESS_RECHECK.toNanos()) {
                accessCheckedAt = now;
                try {
                    allowed = access.getAsBoolean();
                } catch (RuntimeException e) {
                    // Reads fail on their own while a backend is down; access is judged when it is back.
                }
            }
            return allowed;
        }

        /** Counts a sent event; for a live message, also its delay since it was accepted. */
        public void sent(Optional<Instant> acceptedAt) {
            events.increment();
            acceptedAt.ifPresent(at ->
                    delay.record(Math.max(0, System.currentTimeMillis() - at.toEpochMilli()), TimeUnit.MILLISECONDS));
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            taskId.ifPresentOrElse(
                    id -> byTask.computeIfPresent(id, (key, sessions) -> {
                        sessions.remove(this);
                        return sessions.isEmpty() ? null : sessions;
                    }),
                    () -> workspaceSessions.remove(this));
            perToken.computeIfPresent(tokenKey, (key, count) -> count == 1 ? null : count - 1);
            open.decrementAndGet();
        }
    }
}
