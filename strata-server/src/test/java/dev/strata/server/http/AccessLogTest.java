package dev.strata.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The access log and request ids, captured with a Logback {@link ListAppender} on the root logger:
 * one line per request with its fields, the id echoed in {@code X-Request-ID} and carried by every
 * line logged while the request is served, and no token or message content in any line.
 */
class AccessLogTest {
    private static final String SECRET = "secret-" + UUID.randomUUID();

    @TempDir
    Path directory;

    private EmbeddedServer server;
    private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
    private final LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
    private Level strataLevel;

    @BeforeEach
    void start() {
        server = EmbeddedServer.start(directory, Map.of("STRATA_CACHE_URL", "none"));
        captured.setContext(logging);
        captured.start();
        logging.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(captured);
        // Strata's own DEBUG lines too: none of them may carry a secret either.
        strataLevel = logging.getLogger("dev.strata").getLevel();
        logging.getLogger("dev.strata").setLevel(Level.DEBUG);
    }

    @AfterEach
    void stop() {
        logging.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(captured);
        logging.getLogger("dev.strata").setLevel(strataLevel);
        server.close();
    }

    private List<ILoggingEvent> accessLines() {
        return captured.list.stream()
                .filter(event -> event.getLoggerName().equals("dev.strata.access"))
                .toList();
    }

    private ILoggingEvent accessLine(String requestId) {
        return accessLines().stream()
                .filter(event -> requestId.equals(event.getMDCPropertyMap().get("request_id")))
                .reduce((first, second) -> {
                    throw new AssertionError("two access lines for " + requestId);
                })
                .orElseThrow(() -> new AssertionError("no access line for " + requestId + " in " + accessLines()));
    }

    private static Map<String, String> fields(ILoggingEvent event) {
        return event.getKeyValuePairs().stream()
                .collect(Collectors.toMap(pair -> pair.key, pair -> String.valueOf(pair.value)));
    }

    private String createTask(String requestId) {
        ApiClient.Response created = server.api()
                .post("/api/tasks", "{\"prompt\":\"p\"}")
                .token(server.userToken())
                .workspace(server.workspace())
                .header("X-Request-ID", requestId)
                .send();
        assertThat(created.status()).isEqualTo(201);
        return created.json().path("id").asText();
    }

    @Test
    void eachRequest_getsOneAccessLine_withItsFields_andItsIdEchoed() {
        String tokenId = server.strata()
                .tokens()
                .authenticate(server.userToken())
                .orElseThrow()
                .tokenId();

        ApiClient.Response created = server.api()
                .post("/api/tasks", "{\"prompt\":\"p\"}")
                .token(server.userToken())
                .workspace(server.workspace())
                .header("X-Request-ID", "client-request.1")
                .send();

        assertThat(created.header("X-Request-ID")).contains("client-request.1");
        ILoggingEvent line = accessLine("client-request.1");
        assertThat(fields(line))
                .containsEntry("method", "POST")
                .containsEntry("route", "/api/tasks")
                .containsEntry("status", "201")
                .containsEntry("bytes", Integer.toString(created.text().getBytes(StandardCharsets.UTF_8).length))
                .containsEntry("token_id", tokenId)
                .containsEntry("request_id", "client-request.1")
                .containsKey("duration_ms");
        assertThat(line.getFormattedMessage())
                .startsWith("POST /api/tasks 201 ")
                .contains("token_id=" + tokenId, "request_id=client-request.1");

        String taskId = created.json().path("id").asText();
        ApiClient.Response read = server.api()
                .get("/api/tasks/" + taskId + "/messages?since=0")
                .token(server.userToken())
                .workspace(server.workspace())
                .header("X-Request-ID", "read-1")
                .send();
        assertThat(fields(accessLine("read-1")))
                .as("the route template, not the path with the task id")
                .containsEntry("route", "/api/tasks/{id}/messages")
                .containsEntry("status", Integer.toString(read.status()));
    }

    @Test
    void anUnusableRequestId_isReplacedByANewOne() {
        for (String unusable : List.of("has space", "x".repeat(129), "quote\"d", "semi;colon")) {
            ApiClient.Response response = server.api()
                    .get("/healthz")
                    .header("X-Request-ID", unusable)
                    .send();
            String echoed = response.header("X-Request-ID").orElseThrow();
            assertThat(echoed)
                    .as("id given for %s", unusable)
                    .isNotEqualTo(unusable)
                    .matches("[0-9a-f-]{36}");
            assertThat(fields(accessLine(echoed)))
                    .containsEntry("token_id", "-")
                    .containsEntry("route", "/healthz");
        }
        ApiClient.Response without = server.api().get("/healthz").send();
        assertThat(without.header("X-Request-ID"))
                .hasValueSatisfying(id -> assertThat(id).matches("[0-9a-f-]{36}"));
        assertThat(fields(accessLine(without.header("X-Request-ID").orElseThrow())))
                .containsEntry("method", "GET")
                .containsEntry("status", "200");
    }

    @Test
    void linesLoggedWhileServing_carryTheRequestId() throws Exception {
        String taskId = createTask("create-1");
        // Another connection holds SQLite's write lock: the append times out and is answered 503,
        // logged (WARN) while the request is being served.
        try (Connection blocker = DriverManager.getConnection("jdbc:sqlite:" + directory.resolve("strata.db"));
                Statement statement = blocker.createStatement()) {
            statement.execute("BEGIN EXCLUSIVE");
            ApiClient.Response refused = server.api()
                    .post(
                            "/api/daemon/tasks/" + taskId + "/messages",
                            "{\"messages\":[{\"seq\":1,\"type\":\"text\",\"content\":\"x\"}]}")
                    .token(server.machineToken())
                    .header("X-Request-ID", "blocked-append")
                    .send();
            statement.execute("ROLLBACK");
            assertThat(refused.status()).isEqualTo(503);
        }

        List<ILoggingEvent> served = captured.list.stream()
                .filter(event ->
                        "blocked-append".equals(event.getMDCPropertyMap().get("request_id")))
                .toList();
        assertThat(served)
                .as("lines logged while serving the blocked append")
                .anySatisfy(event -> assertThat(event.getLevel()).isEqualTo(Level.WARN))
                .anySatisfy(event -> assertThat(event.getLoggerName()).isEqualTo("dev.strata.access"));
        assertThat(fields(accessLine("blocked-append"))).containsEntry("status", "503");
    }

    @Test
    void noLogLine_evenAtDebug_containsATokenOrMessageContent() {
        String taskId = createTask("create-2");
        String append = "{\"messages\":[{\"seq\":1,\"type\":\"tool-use\",\"tool\":\"Bash\",\"call_id\":\"c1\","
                + "\"input\":{\"cmd\":\"" + SECRET + "-input\"}},{\"seq\":2,\"type\":\"text\",\"content\":\"" + SECRET
                + "-content\"},{\"seq\":3,\"type\":\"tool-result\",\"output\":\"" + SECRET + "-output\"}]}";
        assertThat(server.api()
                        .post("/api/daemon/tasks/" + taskId + "/messages", append)
                        .token(server.machineToken())
                        .send()
                        .status())
                .isEqualTo(200);
        assertThat(server.api()
                        .get("/api/tasks/" + taskId + "/messages?since=0&types=tool-use,text,tool-result")
                        .token(server.userToken())
                        .workspace(server.workspace())
                        .send()
                        .text())
                .contains(SECRET + "-content");
        assertThat(server.api()
                        .get("/api/daemon/tasks/" + taskId + "/messages?since=1")
                        .token(server.machineToken())
                        .send()
                        .status())
                .isEqualTo(200);
        String wrongToken = "ut_" + SECRET;
        assertThat(server.api()
                        .get("/api/tasks/" + taskId)
                        .token(wrongToken)
                        .workspace(server.workspace())
                        .send()
                        .status())
                .isEqualTo(401);
        assertThat(server.api()
                        .post(
                                "/api/daemon/tasks/" + taskId + "/messages",
                                "{\"messages\":[{\"seq\":\"" + SECRET + "\"}]}")
                        .token(server.machineToken())
                        .send()
                        .status())
                .isEqualTo(400);

        assertThat(accessLines()).hasSizeGreaterThanOrEqualTo(6);
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(logging);
        encoder.start();
        for (ILoggingEvent event : captured.list) {
            String rendered = new String(encoder.encode(event), StandardCharsets.UTF_8);
            assertThat(rendered).as("a log line").doesNotContain(SECRET, server.userToken(), server.machineToken());
        }
    }
}
