package dev.strata.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.strata.server.Strata;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.workspace.Role;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Defect 2 and the body half of defect 9: what uploads that stall, trickle, stop half-way or
 * crowd the server may cost it. A small body limit, budget and deadline keep the test short.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BodyLimitsTest {
    static final int MAX_BODY = 64 * 1024;
    static final int BUDGET = 2 * MAX_BODY;
    static final int FIRST_CHUNK = 8 * 1024;

    @TempDir
    static Path directory;

    Strata strata;
    ApiClient api;
    RawHttp raw;
    String machineToken;
    String task;
    ListAppender<ILoggingEvent> logs;

    @BeforeAll
    void start() {
        strata = Strata.open(StrataConfig.fromEnvironment(Map.of(
                        "STRATA_PORT",
                        "0",
                        "STRATA_HOST",
                        "127.0.0.1",
                        "STRATA_DB_URL",
                        "jdbc:sqlite:" + directory.resolve("strata.db"),
                        "STRATA_CONTENT_URL",
                        "file:" + directory.resolve("objects"),
                        "STRATA_MAX_BODY_BYTES",
                        Integer.toString(MAX_BODY),
                        "STRATA_MAX_INFLIGHT_BODY_BYTES",
                        Integer.toString(BUDGET),
                        "STRATA_BODY_TIMEOUT",
                        "6s")))
                .serve();
        api = new ApiClient(strata.port());
        raw = new RawHttp(strata.port());
        String workspace = strata.directory().createWorkspace("w").id();
        String user = strata.directory().createUser("u@example.com", "").id();
        strata.directory().addMember(workspace, user, Role.OWNER);
        machineToken = strata.tokens().createMachineToken(user, workspace);
        String userToken = strata.tokens().createUserToken(user);
        task = api.post("/api/tasks", "{}")
                .token(userToken)
                .workspace(workspace)
                .send()
                .json()
                .get("id")
                .asText();
    }

    @AfterAll
    void stop() {
        strata.close();
    }

    @BeforeEach
    void captureLogs() {
        logs = new ListAppender<>();
        logs.start();
        root().addAppender(logs);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(
                        () -> assertThat(inflightBodyBytes()).as("budget idle").isZero());
    }

    @AfterEach
    void checkLogs() {
        root().detachAppender(logs);
        assertThat(logs.list)
                .as("nothing logged as an error or with a stack trace")
                .noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.ERROR) || e.getThrowableProxy() != null);
        assertThat(api.get("/readyz").send().status()).as("healthy afterwards").isEqualTo(200);
    }

    @Test
    void stalledUploads_holdMemoryForTheBytesReceivedNotTheDeclaredLength() {
        // Defect 2: 40 connections declaring 32 MiB and sending 3 bytes took the heap to 1.67 GB.
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < 10; i++) {
                Socket socket = raw.open();
                RawHttp.send(socket, appendHeaders(MAX_BODY) + "{\"m");
                stalled.add(socket);
            }
            await().atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(inflightBodyBytes())
                            .as("reserved by 10 stalled uploads declaring 64 KiB each")
                            .isEqualTo(10L * FIRST_CHUNK));
            for (Socket socket : stalled) {
                RawHttp.Response response = RawHttp.read(socket);
                assertThat(response.status()).as("stalled upload").isEqualTo(408);
                assertThat(response.body()).isEqualTo("{\"error\":\"request body not received in time\"}");
            }
        } finally {
            stalled.forEach(BodyLimitsTest::close);
        }
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(
                        () -> assertThat(inflightBodyBytes()).as("released").isZero());
    }

    @Test
    void bodiesBeyondTheInflightBudget_waitBrieflyThenGet503_andSucceedOnceMemoryIsFree() {
        List<Socket> holders = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                Socket socket = raw.open();
                RawHttp.send(socket, appendHeaders(MAX_BODY) + "x".repeat(MAX_BODY - 100));
                holders.add(socket);
            }
            await().atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(inflightBodyBytes())
                            .as("two large uploads hold the whole budget")
                            .isEqualTo(BUDGET));

            var refused = api.post("/api/daemon/tasks/" + task + "/messages", AbstractHttpApiTest.batch(1, 1))
                    .token(machineToken)
                    .send();

            assertThat(refused.status()).as(refused.text()).isEqualTo(503);
            assertThat(refused.error()).isEqualTo("server busy: too many request bodies in flight; retry later");
        } finally {
            holders.forEach(BodyLimitsTest::close);
        }
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(inflightBodyBytes()).isZero());
        var retried = api.post("/api/daemon/tasks/" + task + "/messages", AbstractHttpApiTest.batch(1, 1))
                .token(machineToken)
                .send();
        assertThat(retried.status()).as(retried.text()).isEqualTo(200);
    }

    @Test
    void bodyTrickledPastTheDeadline_is408() {
        // Defect 2: a body trickled at 1 byte per 20 s kept a connection for minutes; each byte
        // restarted Jetty's idle timeout.
        ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
        try (Socket socket = raw.open()) {
            RawHttp.send(socket, appendHeaders(1000) + "{");
            trickle.scheduleAtFixedRate(() -> RawHttp.send(socket, " "), 200, 200, TimeUnit.MILLISECONDS);

            RawHttp.Response response = RawHttp.read(socket);

            assertThat(response.status()).isEqualTo(408);
            assertThat(response.isJsonError()).as(response.body()).isTrue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            trickle.shutdownNow();
        }
    }

    @Test
    void clientDisconnectingMidBody_isQuietAndChangesNothing() {
        // Defect 9: a client that went away mid-body gave 500 and an ERROR log with a stack trace.
        String before = api.get("/api/daemon/tasks/" + task + "/messages?exclude_types=")
                .token(machineToken)
                .send()
                .text();
        for (int i = 0; i < 5; i++) {
            Socket socket = raw.open();
            RawHttp.send(
                    socket,
                    appendHeaders(5000) + AbstractHttpApiTest.batch(100, 110).substring(0, 40));
            close(socket);
        }
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(brokenUploadsAnswered())
                        .as("broken uploads seen through")
                        .isGreaterThanOrEqualTo(5));
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(inflightBodyBytes()).isZero());
        String after = api.get("/api/daemon/tasks/" + task + "/messages?exclude_types=")
                .token(machineToken)
                .send()
                .text();
        assertThat(after).as("no message stored from a broken upload").isEqualTo(before);
        assertThat(api.get("/metrics")
                        .send()
                        .text()
                        .lines()
                        .filter(l -> l.startsWith("strata_http_requests_seconds_count") && l.contains("status=\"5")))
                .as("no 5xx answered")
                .isEmpty();
    }

    @Test
    void bodyDeclaredLargerThanTheLimit_is413BeforeAnythingIsBuffered() {
        RawHttp.Response response = raw.exchange(appendHeaders(10L << 30) + "{");
        assertThat(response.status()).isEqualTo(413);
        assertThat(response.body())
                .isEqualTo("{\"error\":\"request body exceeds the limit of " + MAX_BODY + " bytes\"}");
    }

    private String appendHeaders(long contentLength) {
        return "POST /api/daemon/tasks/" + task + "/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                + machineToken + "\r\nContent-Length: " + contentLength + "\r\n\r\n";
    }

    /** Appends answered 400 so far: what the server answers a body that stopped half-way. */
    private long brokenUploadsAnswered() {
        return api.get("/metrics")
                .send()
                .text()
                .lines()
                .filter(
                        l -> l.startsWith(
                                "strata_http_requests_seconds_count{method=\"POST\",route=\"/api/daemon/tasks/{taskId}/messages\",status=\"400\"}"))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    private long inflightBodyBytes() {
        return api.get("/metrics")
                .send()
                .text()
                .lines()
                .filter(l -> l.startsWith("strata_http_inflight_body_bytes "))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .findFirst()
                .orElseThrow();
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
