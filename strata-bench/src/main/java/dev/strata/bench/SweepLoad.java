package dev.strata.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One load of the ingest sweep: {@code connections} clients, each a virtual thread with its own
 * keep-alive connection ({@link RawHttpClient}) and one POST in flight, posting batches of 20 for
 * a fixed time. Each request goes to one of the tasks picked at random, as the issue's {@code wrk}
 * script did, so with as many tasks as connections there is about one writer per task; each task hands out its seqs in order (20 at a time), so retries never overlap and
 * every acknowledged seq is distinct.
 */
final class SweepLoad {
    /** What the clients saw: acknowledged seqs per task, request latencies, failures. */
    record Outcome(
            long requests,
            long failedRequests,
            long messages,
            long rawBytes,
            double seconds,
            List<Double> latenciesMs,
            Map<String, BitSet> acknowledged,
            Map<String, Long> failures) {}

    private SweepLoad() {}

    static Outcome run(
            SweepTarget target, List<String> tasks, int connections, double seconds, SweepBodies bodies, long seed) {
        AtomicLong[] nextSeq = new AtomicLong[tasks.size()];
        BitSet[] acknowledged = new BitSet[tasks.size()];
        for (int t = 0; t < tasks.size(); t++) {
            nextSeq[t] = new AtomicLong(1);
            acknowledged[t] = new BitSet();
        }
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        List<Future<Client>> clients = new ArrayList<>();
        long start = System.nanoTime();
        // Each task's request head is encoded once, not per request.
        RawHttpClient.Post[] posts = new RawHttpClient.Post[tasks.size()];
        for (int t = 0; t < tasks.size(); t++) {
            posts[t] = target.append(tasks.get(t));
        }
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < connections; c++) {
                Client client = new Client(posts, nextSeq, acknowledged, bodies, seed * 31 + c);
                clients.add(threads.submit(() -> client.runUntil(deadline)));
            }
            long requests = 0;
            long failed = 0;
            long messages = 0;
            long rawBytes = 0;
            List<Double> latencies = new ArrayList<>();
            Map<String, Long> failures = new java.util.TreeMap<>();
            for (Future<Client> future : clients) {
                Client client = future.get();
                requests += client.requests;
                failed += client.failed;
                messages += client.messages;
                rawBytes += client.rawBytes;
                latencies.addAll(client.latenciesMs);
                client.failures.forEach((kind, count) -> failures.merge(kind, count, Long::sum));
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            Map<String, BitSet> acked = new HashMap<>();
            for (int t = 0; t < tasks.size(); t++) {
                acked.put(tasks.get(t), acknowledged[t]);
            }
            return new Outcome(requests, failed, messages, rawBytes, elapsed, latencies, acked, failures);
        } catch (Exception e) {
            throw new IllegalStateException("sweep load on " + target.name() + " failed: " + e.getMessage(), e);
        }
    }

    /** One client connection: a loop of POSTs, each waiting for its answer. Confined to its thread. */
    private static final class Client {
        private final RawHttpClient.Post[] posts;
        private final AtomicLong[] nextSeq;
        private final BitSet[] acknowledged;
        private final SweepBodies bodies;
        private final SplittableRandom random;
        private final List<Double> latenciesMs = new ArrayList<>();
        /** Failed requests by kind: the HTTP status, or the exception's class (ConnectionClosedException, ...). */
        private final Map<String, Long> failures = new HashMap<>();

        private long requests;
        private long failed;
        private long messages;
        private long rawBytes;

        Client(RawHttpClient.Post[] posts, AtomicLong[] nextSeq, BitSet[] acknowledged, SweepBodies bodies, long seed) {
            this.posts = posts;
            this.nextSeq = nextSeq;
            this.acknowledged = acknowledged;
            this.bodies = bodies;
            this.random = new SplittableRandom(seed);
        }

        Client runUntil(long deadline) {
            try (RawHttpClient http = new RawHttpClient(Duration.ofSeconds(60))) {
                while (System.nanoTime() < deadline) {
                    post(http);
                }
            }
            return this;
        }

        private void post(RawHttpClient http) {
            int task = random.nextInt(posts.length);
            int batch = random.nextInt(bodies.batches());
            long firstSeq = nextSeq[task].getAndAdd(SweepBodies.BATCH);
            byte[] body = bodies.body(batch, firstSeq);
            long start = System.nanoTime();
            String failure;
            try {
                // The status comes back only once the whole response was read: a 200 is complete.
                int status = http.post(posts[task], body);
                failure = status == 200 ? null : "HTTP " + status;
            } catch (java.io.IOException e) {
                failure = e.getClass().getSimpleName();
            }
            latenciesMs.add((System.nanoTime() - start) / 1e6);
            requests++;
            if (failure == null) {
                messages += SweepBodies.BATCH;
                rawBytes += bodies.rawBytes(batch);
                synchronized (acknowledged[task]) {
                    acknowledged[task].set(Math.toIntExact(firstSeq), Math.toIntExact(firstSeq + SweepBodies.BATCH));
                }
            } else {
                failed++;
                failures.merge(failure, 1L, Long::sum);
            }
        }
    }
}
