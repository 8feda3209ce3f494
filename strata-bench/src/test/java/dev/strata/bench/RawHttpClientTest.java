package dev.strata.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.javalin.Javalin;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sweep's HTTP client against a real Javalin server on Jetty, the stack both sweep targets
 * run on. Whether a response was read to its end shows in the next request on the same client:
 * it only reuses the connection (one connection opened) if nothing of the previous response was
 * left unread.
 */
class RawHttpClientTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final byte[] BODY = "{\"messages\":[{\"seq\":1}]}".getBytes(StandardCharsets.UTF_8);

    private static Javalin server;
    private static final List<String> received = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startServer() {
        server = Javalin.create(config -> {
                    config.concurrency.useVirtualThreads = true;
                    config.startup.showJavalinBanner = false;
                    config.startup.showOldJavalinVersionWarning = false;
                    config.routes.post("/ok", ctx -> {
                        received.add(ctx.method() + " " + ctx.path() + " auth=" + ctx.header("Authorization") + " type="
                                + ctx.contentType() + " body=" + ctx.body());
                        ctx.status(200).contentType("application/json").result("{\"status\":\"ok\"}");
                    });
                    config.routes.post(
                            "/bad",
                            ctx -> ctx.status(400)
                                    .contentType("application/json")
                                    .result("{\"error\":\"" + "x".repeat(20_000) + "\"}"));
                    config.routes.post("/chunked", ctx -> {
                        // Flushed before the handler ends, with no length set: Jetty can only chunk it.
                        OutputStream out = ctx.res().getOutputStream();
                        for (int i = 0; i < 50; i++) {
                            out.write(("piece " + i + " " + "y".repeat(1000) + "\n").getBytes(StandardCharsets.UTF_8));
                            out.flush();
                        }
                    });
                    config.routes.post("/truncated", ctx -> {
                        // Promises more than it sends: Jetty aborts the response and closes the connection.
                        ctx.res().setContentLength(100_000);
                        OutputStream out = ctx.res().getOutputStream();
                        out.write("only this much".getBytes(StandardCharsets.UTF_8));
                        out.flush();
                    });
                    config.routes.post("/close", ctx -> {
                        ctx.header("Connection", "close");
                        ctx.status(200).result("{\"status\":\"ok\"}");
                    });
                })
                .start("127.0.0.1", 0);
    }

    @AfterAll
    static void stopServer() {
        server.stop();
    }

    private static RawHttpClient.Post post(String path) {
        return RawHttpClient.Post.to(
                URI.create("http://127.0.0.1:" + server.port() + path),
                Map.of("Authorization", "Bearer secret", "Content-Type", "application/json"));
    }

    @Test
    void post_sendsPathHeadersAndBody_andReusesOneConnection() throws Exception {
        try (RawHttpClient client = new RawHttpClient(TIMEOUT)) {
            int before = received.size();
            assertThat(client.post(post("/ok"), BODY)).isEqualTo(200);
            assertThat(client.post(post("/ok"), BODY)).isEqualTo(200);

            assertThat(client.connectionsOpened()).isEqualTo(1);
            assertThat(received.subList(before, received.size()))
                    .containsOnly("POST /ok auth=Bearer secret type=application/json body="
                            + new String(BODY, StandardCharsets.UTF_8))
                    .hasSize(2);
        }
    }

    @Test
    void post_sendsABodyLargerThanItsStartingBuffer() throws Exception {
        // Regression: the first body over 32 KiB was written from the buffer replaced while encoding it.
        byte[] large = ("{\"messages\":[{\"seq\":1,\"content\":\"" + "z".repeat(200_000) + "\"}]}")
                .getBytes(StandardCharsets.UTF_8);
        try (RawHttpClient client = new RawHttpClient(TIMEOUT)) {
            int before = received.size();
            assertThat(client.post(post("/ok"), large)).isEqualTo(200);
            assertThat(client.post(post("/ok"), BODY)).isEqualTo(200);

            assertThat(received.subList(before, received.size()))
                    .containsExactly(
                            "POST /ok auth=Bearer secret type=application/json body="
                                    + new String(large, StandardCharsets.UTF_8),
                            "POST /ok auth=Bearer secret type=application/json body="
                                    + new String(BODY, StandardCharsets.UTF_8));
        }
    }

    @Test
    void post_returnsA4xxStatus_andReadsItsBodySoTheConnectionStaysUsable() throws Exception {
        try (RawHttpClient client = new RawHttpClient(TIMEOUT)) {
            assertThat(client.post(post("/bad"), BODY)).isEqualTo(400);
            assertThat(client.post(post("/ok"), BODY)).isEqualTo(200);

            assertThat(client.connectionsOpened()).isEqualTo(1);
        }
    }

    @Test
    void post_readsAChunkedResponseToItsEnd() throws Exception {
        try (RawHttpClient client = new RawHttpClient(TIMEOUT)) {
            assertThat(client.post(post("/chunked"), BODY)).isEqualTo(200);
            assertThat(client.post(post("/chunked"), BODY)).isEqualTo(200);
            assertThat(client.post(post("/ok"), BODY)).isEqualTo(200);

            assertThat(client.connectionsOpened()).isEqualTo(1);
        }
    }

    @Test
    void post_failsWhenTheServerClosesMidResponse_andReconnectsForTheNextPost() throws Exception {
        try (RawHttpClient client = new RawHttpClient(TIMEOUT)) {
            assertThat(client.post(post("/ok"), BODY)).isEqualTo(200);

            assertThatThrownBy(() -> client.post(post("/truncated"), BODY))
                    .isInstanceOf(RawHttpClient.ConnectionClosedException.class)
                    .hasMessageContaining("of 100000 body bytes unread");
            assertThat(client.post(post("/ok"), BODY)).isEqualTo(200);

            assertThat(client.connectionsOpened()).isEqualTo(2);
        }
    }

    @Test
    void post_honoursConnectionClose_byOpeningANewConnectionWithoutAFailure() throws Exception {
        try (RawHttpClient client = new RawHttpClient(TIMEOUT)) {
            assertThat(client.post(post("/close"), BODY)).isEqualTo(200);
            assertThat(client.post(post("/ok"), BODY)).isEqualTo(200);

            assertThat(client.connectionsOpened()).isEqualTo(2);
        }
    }

    @Test
    void post_toAClosedPort_failsWithTheConnectError() throws Exception {
        int port;
        try (java.net.ServerSocket unused = new java.net.ServerSocket(0)) {
            port = unused.getLocalPort();
        }
        RawHttpClient.Post nowhere = RawHttpClient.Post.to(URI.create("http://127.0.0.1:" + port + "/ok"), Map.of());
        try (RawHttpClient client = new RawHttpClient(TIMEOUT)) {
            assertThatThrownBy(() -> client.post(nowhere, BODY)).isInstanceOf(java.net.ConnectException.class);
            assertThat(client.post(post("/ok"), BODY)).isEqualTo(200);
        }
    }

    @Test
    void postTo_rejectsHeadersTheClientSetsItself_andLineBreaksWithoutEchoingTheValue() {
        URI uri = URI.create("http://127.0.0.1:1/ok");

        assertThatThrownBy(() -> RawHttpClient.Post.to(uri, Map.of("Content-Length", "5")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the client sets Content-Length itself");
        assertThatThrownBy(() -> RawHttpClient.Post.to(uri, Map.of("Authorization", "Bearer tok\r\nX: y")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("header 'Authorization' is empty or holds a line break");
        assertThatThrownBy(() -> RawHttpClient.Post.to(URI.create("https://127.0.0.1:1/ok"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected http://host:port/path, got https://127.0.0.1:1/ok");
    }
}
