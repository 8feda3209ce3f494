package dev.strata.bench;

import dev.strata.server.Strata;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.workspace.Role;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Live tail figures: append-to-event delay (from sending the append to the watcher reading its
 * event, and from the append's acknowledgment) on one instance and, on scalable backends, across
 * two instances; and the heap and threads of one instance holding many idle streams.
 */
final class StreamWorkload {
    /** Idle streams opened at once; see {@link #idle}. */
    private static final int OPENING = 250;

    private final BenchEnvironment environment;
    private final boolean quick;
    private final Consumer<String> progress;

    StreamWorkload(BenchEnvironment environment, boolean quick, Consumer<String> progress) {
        this.environment = environment;
        this.quick = quick;
        this.progress = progress;
    }

    Map<String, Object> run() {
        Map<String, Object> results = new LinkedHashMap<>();
        Map<String, String> env = new HashMap<>(environment.serverEnvironment());
        env.put("STRATA_PORT", "0");
        env.put("STRATA_HOST", "127.0.0.1");
        env.put("STRATA_STREAM_MAX_PER_TOKEN", "100000");
        env.put("STRATA_STREAM_MAX", "100000");
        try (Strata first = Strata.open(StrataConfig.fromEnvironment(env)).serve()) {
            String workspace = first.directory().createWorkspace("stream-bench").id();
            results.put("same_instance", delays(workspace, first, first));
            if (environment.kind == BenchEnvironment.Kind.SCALABLE) {
                try (Strata second =
                        Strata.open(StrataConfig.fromEnvironment(env)).serve()) {
                    results.put("two_instances", delays(workspace, first, second));
                }
            }
            results.put("idle_streams", idle(workspace, first, quick ? 500 : 5000));
        }
        return results;
    }

    private Map<String, Object> delays(String workspace, Strata appender, Strata watcher) {
        String user = appender.directory()
                .createUser("stream" + System.nanoTime() + "@example.com", "bench")
                .id();
        appender.directory().addMember(workspace, user, Role.OWNER);
        String userToken = appender.tokens().createUserToken(user);
        String machineToken = appender.tokens().createMachineToken(user, workspace);
        String task = java.util.UUID.randomUUID().toString();
        appender.store().createTask(task);
        appender.directory().createTask(task, workspace, Optional.empty(), "");
        int appends = quick ? 50 : 500;
        Map<Long, Long> received = new ConcurrentHashMap<>();
        HttpClient client =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest open = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + watcher.port() + "/api/tasks/" + task + "/messages/stream"))
                .header("Authorization", "Bearer " + userToken)
                .header("X-Workspace-ID", workspace)
                .build();
        HttpResponse<java.util.stream.Stream<String>> response;
        try {
            response = client.send(open, HttpResponse.BodyHandlers.ofLines());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                response.body().forEach(line -> {
                    if (line.startsWith("data: {\"id\"")) {
                        int at = line.indexOf("\"seq\":") + 6;
                        long seq = Long.parseLong(line.substring(at, line.indexOf(',', at)));
                        received.put(seq, System.nanoTime());
                    }
                });
            } catch (UncheckedIOException e) {
                // The stream is closed at the end of the run.
            }
        });
        List<Double> fromSend = new ArrayList<>();
        List<Double> fromAck = new ArrayList<>();
        String appendUrl = "http://127.0.0.1:" + appender.port() + "/api/daemon/tasks/" + task + "/messages";
        for (int seq = 1; seq <= appends; seq++) {
            HttpRequest append = HttpRequest.newBuilder(URI.create(appendUrl))
                    .header("Authorization", "Bearer " + machineToken)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"messages\":[{\"seq\":" + seq
                            + ",\"type\":\"text\",\"content\":\"step " + seq + "\"}]}"))
                    .build();
            long sent = System.nanoTime();
            try {
                client.send(append, HttpResponse.BodyHandlers.discarding());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            long acknowledged = System.nanoTime();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!received.containsKey((long) seq) && System.nanoTime() < deadline) {
                Thread.onSpinWait();
                Thread.yield();
            }
            Long at = received.get((long) seq);
            if (at != null) {
                fromSend.add((at - sent) / 1e6);
                fromAck.add(Math.max(0, at - acknowledged) / 1e6);
            }
        }
        reader.interrupt();
        response.body().close();
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("appends", appends);
        figures.put("events_received", fromSend.size());
        figures.put("send_to_event_ms", percentiles(fromSend));
        figures.put("ack_to_event_ms", percentiles(fromAck));
        progress.accept(String.format(
                Locale.ROOT,
                "stream delay %s: send->event %s, ack->event %s",
                appender == watcher ? "same instance" : "two instances",
                percentiles(fromSend),
                percentiles(fromAck)));
        return figures;
    }

    private Map<String, Object> idle(String workspace, Strata strata, int streams) {
        String user = strata.directory()
                .createUser("idle" + System.nanoTime() + "@example.com", "bench")
                .id();
        strata.directory().addMember(workspace, user, Role.OWNER);
        String userToken = strata.tokens().createUserToken(user);
        String task = java.util.UUID.randomUUID().toString();
        strata.store().createTask(task);
        strata.directory().createTask(task, workspace, Optional.empty(), "");
        long heapBefore = usedHeapAfterGc();
        int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
        byte[] request = ("GET /api/tasks/" + task
                        + "/messages/stream HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + userToken
                        + "\r\nX-Workspace-ID: " + workspace + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        List<Socket> sockets = new ArrayList<>();
        try {
            // Opened OPENING at a time, each wave once the server answered the last one's status
            // lines: watchers connect over time. All 5,000 at once queue their opening reads
            // (authorization, the task's commit log) on the metadata pool, and on PostgreSQL some
            // wait past its connection timeout and get 503, which a real client would retry.
            for (int from = 0; from < streams; from += OPENING) {
                List<Socket> wave = new ArrayList<>();
                for (int i = from; i < Math.min(streams, from + OPENING); i++) {
                    Socket socket = new Socket("127.0.0.1", strata.port());
                    sockets.add(socket);
                    wave.add(socket);
                    OutputStream out = socket.getOutputStream();
                    out.write(request);
                    out.flush();
                }
                for (Socket socket : wave) {
                    BufferedReader reader = new BufferedReader(
                            new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
                    String status = reader.readLine();
                    if (status == null || !status.contains(" 200")) {
                        throw new IllegalStateException("idle stream refused: " + status);
                    }
                }
            }
            long heapAfter = usedHeapAfterGc();
            int threadsAfter = ManagementFactory.getThreadMXBean().getThreadCount();
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("streams", streams);
            figures.put("heap_before_mb", heapBefore / 1e6);
            figures.put("heap_after_mb", heapAfter / 1e6);
            figures.put("heap_per_stream_kb", (heapAfter - heapBefore) / 1e3 / streams);
            figures.put("platform_threads_before", threadsBefore);
            figures.put("platform_threads_after", threadsAfter);
            progress.accept(String.format(
                    Locale.ROOT,
                    "%d idle streams: heap %.0f -> %.0f MB (%.1f KB per stream, clients included),"
                            + " platform threads %d -> %d",
                    streams,
                    heapBefore / 1e6,
                    heapAfter / 1e6,
                    (heapAfter - heapBefore) / 1e3 / streams,
                    threadsBefore,
                    threadsAfter));
            return figures;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (Socket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // Closing anyway.
                }
            }
        }
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    private static Map<String, Object> percentiles(List<Double> samples) {
        List<Double> sorted = new ArrayList<>(samples);
        sorted.sort(null);
        Map<String, Object> result = new LinkedHashMap<>();
        if (sorted.isEmpty()) {
            return result;
        }
        result.put("p50", sorted.get((int) Math.floor(0.50 * (sorted.size() - 1))));
        result.put("p99", sorted.get((int) Math.floor(0.99 * (sorted.size() - 1))));
        result.put("max", sorted.get(sorted.size() - 1));
        return result;
    }
}
