package dev.strata.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * A private redis-server process on a free loopback port, for tests that stop and restart Redis
 * without disturbing the shared server.
 *
 * <p>redis-server cannot listen on port 0 (that turns TCP off), so a free port is picked and
 * released before Redis binds it; another process may take it in between. The server is
 * therefore only counted as started when the process on the port reports this process's pid,
 * and a lost race is retried on another port.
 */
public final class RedisProcess implements AutoCloseable {
    private static final int ATTEMPTS = 5;
    private final Path directory;
    private int port;
    private Process process;

    public RedisProcess(Path directory) {
        this.directory = directory;
        IllegalStateException last = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            port = freePort();
            try {
                start();
                return;
            } catch (IllegalStateException lostTheRace) {
                last = lostTheRace;
            }
        }
        throw new IllegalStateException("redis-server did not start on any of " + ATTEMPTS + " free ports", last);
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Starts the server on its port (the same one after a {@link #stop()}). */
    public void start() {
        try {
            process = new ProcessBuilder(
                            "redis-server",
                            "--port",
                            Integer.toString(port),
                            "--bind",
                            "127.0.0.1",
                            "--save",
                            "",
                            "--appendonly",
                            "no",
                            "--dir",
                            directory.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start redis-server (is it installed?): " + e.getMessage(), e);
        }
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (Instant.now().isBefore(deadline) && process.isAlive()) {
            if (answersWithOurPid()) {
                return;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
        }
        process.destroyForcibly();
        throw new IllegalStateException(
                "redis-server did not listen on " + port + (process.isAlive() ? "" : " (it exited: port taken?)"));
    }

    public void stop() {
        process.destroy();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }

    private boolean answersWithOurPid() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            socket.setSoTimeout(2000);
            socket.getOutputStream().write("*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            StringBuilder reply = new StringBuilder();
            byte[] buffer = new byte[4096];
            String wanted = "process_id:" + process.pid() + "\r";
            for (int read;
                    !reply.toString().contains("process_id:")
                            || reply.indexOf("\r", reply.indexOf("process_id:")) < 0; ) {
                read = in.read(buffer);
                if (read < 0) {
                    return false;
                }
                reply.append(new String(buffer, 0, read, StandardCharsets.US_ASCII));
            }
            return reply.toString().contains(wanted);
        } catch (IOException notYet) {
            return false;
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
