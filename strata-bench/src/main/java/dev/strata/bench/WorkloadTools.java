package dev.strata.bench;

import dev.strata.model.NewMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/** Helpers the workloads share: batch shaping, JSON bodies, running jobs concurrently, timing. */
final class WorkloadTools {
    private WorkloadTools() {}

    /** The batch with seqs moved to the {@code round}-th window of its task, so every append is new. */
    static List<NewMessage> reseq(List<NewMessage> batch, int round) {
        List<NewMessage> moved = new ArrayList<>(batch.size());
        for (NewMessage m : batch) {
            moved.add(new NewMessage(
                    round * 20L + m.seq(), m.type(), m.tool(), m.callId(), m.content(), m.input(), m.output()));
        }
        return moved;
    }

    static byte[] json(List<NewMessage> batch) {
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        var root = mapper.createObjectNode();
        var array = root.putArray("messages");
        for (NewMessage m : batch) {
            var node = array.addObject();
            node.put("seq", m.seq())
                    .put("type", m.type())
                    .put("tool", m.tool())
                    .put("call_id", m.callId())
                    .put("content", m.content())
                    .put("output", m.output());
            m.input().ifPresent(input -> {
                try {
                    node.set("input", mapper.readTree(input));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
        return root.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Runs {@code count} jobs on {@code threads} threads; returns the wall-clock seconds. */
    static double runConcurrently(int threads, int count, java.util.function.IntConsumer job) {
        AtomicLong next = new AtomicLong();
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(pool.submit(() -> {
                    for (long i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                        job.accept((int) i);
                    }
                }));
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
        } catch (Exception e) {
            throw new IllegalStateException("workload failed: " + e.getMessage(), e);
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /** Median and p99 milliseconds of {@code repetitions} runs after as many warm-up runs. */
    static Stats time(int repetitions, Runnable work) {
        for (int i = 0; i < repetitions; i++) {
            work.run();
        }
        List<Double> samples = new ArrayList<>();
        for (int i = 0; i < repetitions; i++) {
            long start = System.nanoTime();
            work.run();
            samples.add((System.nanoTime() - start) / 1e6);
        }
        return Stats.of(samples);
    }
}
