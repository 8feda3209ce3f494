package dev.strata.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.model.MessageQuery;
import dev.strata.server.Strata;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.workspace.Role;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Random and mutated requests on every route, over raw sockets so that nothing a client library
 * would refuse to send is left out: paths with broken percent-encoding, huge URIs and headers,
 * wrong tokens and workspaces, bodies cut, flipped, nested or stuffed with huge numbers. Every
 * answer must be below 500, every error must be {@code {"error": "..."}}, a refused request must
 * leave the task it aimed at unchanged, and the server must be healthy and quiet afterwards.
 * Seeded: {@code -Dstrata.fuzz.seed=N} replays a run, {@code -Dstrata.fuzz.requests=N} sizes it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpFuzzTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final long SEED = Long.getLong("strata.fuzz.seed", 20261129L);
    private static final int REQUESTS = Integer.getInteger("strata.fuzz.requests", 2500);
    private static final int MAX_BODY = 64 * 1024;

    @TempDir
    static Path directory;

    Strata strata;
    RawHttp raw;
    final Random random = new Random(SEED);
    String workspace;
    String otherWorkspace;
    String userToken;
    String machineToken;
    String otherMachineToken;
    String outsiderToken;
    String task;
    String otherTask;
    String conversation;

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
                        "STRATA_BODY_TIMEOUT",
                        "5s")))
                .serve();
        raw = new RawHttp(strata.port());
        var directory = strata.directory();
        workspace = directory.createWorkspace("main").id();
        otherWorkspace = directory.createWorkspace("other").id();
        String user = directory.createUser("owner@example.com", "").id();
        String outsider = directory.createUser("outsider@example.com", "").id();
        directory.addMember(workspace, user, Role.OWNER);
        directory.addMember(otherWorkspace, outsider, Role.OWNER);
        userToken = strata.tokens().createUserToken(user);
        machineToken = strata.tokens().createMachineToken(user, workspace);
        otherMachineToken = strata.tokens().createMachineToken(outsider, otherWorkspace);
        outsiderToken = strata.tokens().createUserToken(outsider);
        otherTask = newTask(otherWorkspace, outsiderToken);
        renewTargets();
    }

    @AfterAll
    void stop() {
        strata.close();
    }

    @Test
    void randomAndMutatedRequests_neverGet5xx_alwaysGetJsonErrors_andChangeNothingWhenRefused() {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(logs);
        Map<Integer, Integer> statuses = new java.util.TreeMap<>();
        try {
            for (int i = 0; i < REQUESTS; i++) {
                String before = snapshot();
                byte[] request = request();
                RawHttp.Response response = raw.exchange(request);
                String what = "request " + i + " of seed " + SEED + ": " + preview(request) + " -> " + response;
                statuses.merge(response.status(), 1, Integer::sum);

                assertThat(response.status()).as(what).isBetween(200, 499);
                if (response.status() >= 400) {
                    assertThat(isJsonError(response)).as(what).isTrue();
                    assertThat(snapshot())
                            .as("refused, yet the task changed: " + what)
                            .isEqualTo(before);
                } else if (strata.directory().task(workspace, task).isEmpty()
                        || strata.directory()
                                .conversation(workspace, conversation)
                                .isEmpty()) {
                    renewTargets();
                }
            }
        } finally {
            root.detachAppender(logs);
        }
        assertThat(raw.exchange("GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                        .status())
                .as("healthy afterwards")
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(
                        () -> assertThat(raw.exchange("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                                        .body()
                                        .lines()
                                        .filter(l -> l.startsWith("strata_http_inflight_body_bytes "))
                                        .findFirst()
                                        .orElseThrow())
                                .as("every request's body memory returned")
                                .isEqualTo("strata_http_inflight_body_bytes 0.0"));
        assertThat(logs.list)
                .as("nothing logged as an error or with a stack trace")
                .noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.ERROR) || e.getThrowableProxy() != null);
        assertThat(statuses.keySet())
                .as("the fuzzer reaches handlers as well as refusals: " + statuses)
                .contains(200, 400, 401, 403, 404);
    }

    @Test
    void malformedMessages_getJsonErrors() {
        Map<String, String> requests = new java.util.LinkedHashMap<>();
        String post = "POST /api/tasks HTTP/1.1\r\nHost: x\r\n";
        requests.put(
                "Content-Length with Transfer-Encoding",
                post + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        requests.put("negative Content-Length", post + "Content-Length: -1\r\n\r\n");
        requests.put("two Content-Lengths", post + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}");
        requests.put("huge Content-Length", post + "Content-Length: 99999999999999999999999\r\n\r\n");
        requests.put("unknown Transfer-Encoding", post + "Transfer-Encoding: gzip\r\n\r\n");
        requests.put(
                "chunk size overflow",
                post + "Authorization: Bearer " + userToken + "\r\nX-Workspace-ID: " + workspace
                        + "\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n");
        requests.put("no Host", "GET /healthz HTTP/1.1\r\n\r\n");
        requests.put("absolute URI of another host", "GET http://elsewhere/healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        requests.put("CONNECT", "CONNECT x:443 HTTP/1.1\r\nHost: x\r\n\r\n");
        requests.put("3000 headers", "GET /healthz HTTP/1.1\r\nHost: x\r\n" + "X-N: y\r\n".repeat(3000) + "\r\n");
        requests.put("header without colon", "GET /healthz HTTP/1.1\r\nHost: x\r\nBroken\r\n\r\n");
        requests.put("space in header name", "GET /healthz HTTP/1.1\r\nHost: x\r\nX Y: z\r\n\r\n");
        requests.put("folded header", "GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n");
        requests.put("NUL in a header", "GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n");
        requests.put("HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
        requests.put("unknown HTTP version", "GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n");
        requests.put("raw UTF-8 in the path", "GET /api/tasks/\u00c3\u00a9 HTTP/1.1\r\nHost: x\r\n\r\n");
        requests.put(
                "TLS hello",
                "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003" + "\u0000".repeat(50));
        requests.forEach((name, request) -> {
            RawHttp.Response response = raw.exchange(request);
            assertThat(response.status()).as(name + ": " + response).isBetween(400, 499);
            assertThat(isJsonError(response)).as(name + ": " + response).isTrue();
        });
        assertThat(raw.exchange("GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                        .status())
                .isEqualTo(200);
    }

    @Test
    void appendBodyInUtf16OrUtf32_withInput_is400_not500() {
        String body = "{\"messages\":[{\"seq\":1,\"type\":\"tool-use\",\"input\":{\"a\":1}}]}";
        for (String charset : List.of("UTF-16LE", "UTF-16BE", "UTF-16", "UTF-32LE", "UTF-32BE")) {
            String before = snapshot();
            byte[] encoded = body.getBytes(java.nio.charset.Charset.forName(charset));
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            request.writeBytes(("POST /api/daemon/tasks/" + task
                            + "/messages HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer "
                            + machineToken + "\r\nContent-Length: " + encoded.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            request.writeBytes(encoded);
            RawHttp.Response response = raw.exchange(request.toByteArray());
            assertThat(response.status())
                    .as("append in " + charset + ": " + response)
                    .isEqualTo(400);
            assertThat(isJsonError(response))
                    .as("append in " + charset + ": " + response)
                    .isTrue();
            assertThat(snapshot())
                    .as("append in " + charset + " changed the task")
                    .isEqualTo(before);
        }
    }

    // ---- state

    private void renewTargets() {
        conversation = strata.directory()
                .conversation(workspace, conversation == null ? "-" : conversation)
                .orElseGet(() -> strata.directory().createConversation(workspace, "fuzz"))
                .id();
        if (task == null || strata.directory().task(workspace, task).isEmpty()) {
            task = newTask(workspace, userToken);
            var append = raw.exchange(http(
                    "POST",
                    "/api/daemon/tasks/" + task + "/messages",
                    List.of(auth(machineToken)),
                    AbstractHttpApiTest.batch(1, 8).getBytes(StandardCharsets.UTF_8)));
            assertThat(append.status()).as(append.toString()).isEqualTo(200);
        }
    }

    private String newTask(String workspaceId, String token) {
        var response = raw.exchange(http(
                "POST",
                "/api/tasks",
                List.of(auth(token), "X-Workspace-ID: " + workspaceId),
                "{}".getBytes(StandardCharsets.UTF_8)));
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        try {
            return MAPPER.readTree(response.body()).get("id").asText();
        } catch (IOException e) {
            throw new AssertionError(response.body(), e);
        }
    }

    /** What a refused request must not change: the task's status, its messages and the conversation. */
    private String snapshot() {
        var summary = strata.directory()
                .task(workspace, task)
                .map(t -> t.status().wireName())
                .orElse("gone");
        var messages = strata.store().task(task).isPresent()
                ? strata.store().list(task, MessageQuery.all()).messages().toString()
                : "none";
        var conversations =
                strata.directory().conversation(workspace, conversation).isPresent();
        return summary + " " + conversations + " " + messages;
    }

    // ---- generators

    private byte[] request() {
        String method = pick(List.of("GET", "POST", "POST", "DELETE", "PUT", "PATCH", "OPTIONS"));
        String path = pick(List.<Supplier<String>>of(
                        () -> "/api/daemon/tasks/" + id() + "/messages",
                        () -> "/api/daemon/tasks/" + id() + "/messages",
                        () -> "/api/daemon/tasks/" + id() + "/complete",
                        () -> "/api/daemon/tasks/" + id() + "/fail",
                        () -> "/api/conversations",
                        () -> "/api/conversations/" + pick(List.of(conversation, id())),
                        () -> "/api/tasks",
                        () -> "/api/tasks/step-counts",
                        () -> "/api/tasks/" + id(),
                        () -> "/api/tasks/" + id() + "/messages",
                        () -> pick(List.of(
                                "/healthz",
                                "/readyz",
                                "/metrics",
                                "/",
                                "/api",
                                "/api/tasks/",
                                "//api//tasks",
                                "/api/../api/tasks")),
                        () -> "/" + garbage(random.nextInt(40))))
                .get();
        if (random.nextInt(6) == 0) {
            path = mutatePath(path);
        }
        if (random.nextInt(3) == 0) {
            path += "?" + query();
        }
        List<String> headers = new ArrayList<>();
        switch (random.nextInt(9)) {
            case 0 -> {}
            case 1 ->
                headers.add("Authorization: "
                        + pick(List.of(
                                "",
                                "Bearer",
                                "Bearer ",
                                "Basic abc",
                                "bearer " + userToken,
                                "Bearer ut_" + garbage(20),
                                "Bearer al_" + "x".repeat(5000),
                                "Bearer " + machineToken + "x")));
            case 2 -> headers.add(auth(pick(List.of(otherMachineToken, outsiderToken))));
            case 3, 4 -> headers.add(auth(machineToken));
            default -> headers.add(auth(userToken));
        }
        switch (random.nextInt(6)) {
            case 0 -> {}
            case 1 ->
                headers.add("X-Workspace-ID: "
                        + pick(List.of(otherWorkspace, "", " ", garbage(10), "x".repeat(300), workspace + "%00")));
            default -> headers.add("X-Workspace-ID: " + workspace);
        }
        if (random.nextInt(4) == 0) {
            headers.add(pick(List.of(
                    "Content-Type: application/json",
                    "Content-Type: text/plain",
                    "Content-Type: application/json; charset=latin1",
                    "Accept: text/html",
                    "Accept: */*",
                    "Accept-Charset: ebcdic",
                    "X-Big: " + "b".repeat(random.nextInt(30_000)),
                    "Content-Encoding: gzip",
                    "Expect: 100-continue",
                    "Transfer-Encoding: gzip")));
        }
        byte[] body = method.equals("GET") && random.nextInt(4) != 0 ? new byte[0] : body(path);
        return random.nextInt(12) == 0 ? chunked(method, path, headers, body) : http(method, path, headers, body);
    }

    private String id() {
        return pick(List.<Supplier<String>>of(
                        () -> task,
                        () -> task,
                        () -> otherTask,
                        () -> "no-such-task",
                        () -> garbage(random.nextInt(20)),
                        () -> "x".repeat(300),
                        () -> task + "%00",
                        () -> "%ff%fe",
                        () -> "%",
                        () -> "%2F",
                        () -> "%C0%80",
                        () -> "%E2%82",
                        () -> "..",
                        () -> "%0d%0a",
                        () -> task.toUpperCase(java.util.Locale.ROOT)))
                .get();
    }

    private String query() {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < 1 + random.nextInt(4); i++) {
            String name = pick(List.of("since", "limit", "types", "exclude_types", "workspace_id", "x", garbage(3)));
            String value = pick(List.<Supplier<String>>of(
                            () -> Integer.toString(random.nextInt(2000) - 100),
                            () -> "99999999999999999999999",
                            () -> "1e9999999999",
                            () -> "-0",
                            () -> "",
                            () -> "text,tool-use",
                            () -> workspace,
                            () -> otherWorkspace,
                            () -> garbage(8),
                            () -> "%00",
                            () -> "%ff",
                            () -> "%zz",
                            () -> "%u0041",
                            () -> "%",
                            () -> "x".repeat(9000)))
                    .get();
            parts.add(name + "=" + value);
        }
        return String.join("&", parts);
    }

    private byte[] body(String path) {
        String json;
        if (path.contains("/messages")) {
            json = random.nextBoolean()
                    ? AbstractHttpApiTest.batch(100 + random.nextInt(50), 150 + random.nextInt(50))
                    : append();
        } else if (path.contains("step-counts")) {
            json = "{\"task_ids\":[\"" + task + "\",\"" + otherTask + "\",\"a\\u0000b\",1e9999999999]}";
        } else if (path.contains("/complete") || path.contains("/fail")) {
            json = pick(List.of("{}", "{\"output\":\"done\"}", "{\"error\":\"\\u0000\"}", "{\"output\":7}", ""));
        } else {
            json = pick(List.of(
                    "{}",
                    "{\"title\":\"t\"}",
                    "{\"conversation_id\":\"" + conversation + "\",\"prompt\":\"p\"}",
                    "{\"conversation_id\":\"a\\u0000b\"}",
                    "{\"prompt\":\"\\ud800\"}",
                    "[]",
                    ""));
        }
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        return random.nextInt(3) == 0 ? mutate(body) : body;
    }

    /** An append body whose messages mix valid and invalid fields. */
    private String append() {
        List<String> messages = new ArrayList<>();
        for (int i = 0; i < random.nextInt(5); i++) {
            String seq = pick(List.of(
                    Integer.toString(200 + random.nextInt(100)),
                    "-1",
                    "1.5",
                    "\"3\"",
                    "9007199254740992",
                    "1e9999999999",
                    "null",
                    "-0"));
            String type = pick(List.of(
                    "\"text\"", "\"tool-use\"", "\"\"", "\"" + "t".repeat(65) + "\"", "7", "null", "\"a\\u0000b\""));
            String input = pick(List.of(
                    "{}",
                    "{\"a\":-0,\"b\":1e400}",
                    "[1]",
                    "\"{}\"",
                    "{\"a\":1e9999999999}",
                    "null",
                    "{\"deep\":" + "[".repeat(1200) + "]".repeat(1200) + "}"));
            String text = pick(List.of("\"x\"", "\"\\ud800\"", "\"\\u0000\"", "5", "{}", "[]", "null"));
            messages.add("{\"seq\":" + seq + ",\"type\":" + type + ",\"input\":" + input + ",\"content\":" + text
                    + ",\"tool\":" + text + ",\"call_id\":" + text + ",\"output\":" + text + "}");
        }
        return pick(List.of(
                "{\"messages\":[" + String.join(",", messages) + "]}",
                "{\"messages\":" + pick(List.of("{}", "1", "null", "\"x\"")) + "}"));
    }

    private byte[] mutate(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(body);
        byte[] bytes = out.toByteArray();
        switch (random.nextInt(6)) {
            case 0 -> {
                return java.util.Arrays.copyOf(bytes, bytes.length == 0 ? 0 : random.nextInt(bytes.length));
            }
            case 1 -> {
                for (int i = 0; i < 1 + random.nextInt(4) && bytes.length > 0; i++) {
                    bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                }
                return bytes;
            }
            case 2 -> {
                String text = new String(bytes, StandardCharsets.UTF_8);
                int at = text.isEmpty() ? 0 : random.nextInt(text.length());
                return (text.substring(0, at)
                                + pick(List.of(
                                        "1e9999999999", "\u0000", "\"", "{", "]", ",", "\\u", "\\ud800", "-0", "NaN"))
                                + text.substring(at))
                        .getBytes(StandardCharsets.UTF_8);
            }
            case 3 -> {
                byte[] noise = new byte[random.nextInt(200)];
                random.nextBytes(noise);
                return noise;
            }
            case 4 -> {
                return ("{\"x\":" + "[".repeat(5000) + "]".repeat(5000) + "}").getBytes(StandardCharsets.UTF_8);
            }
            default -> {
                return ("{\"messages\":[],\"pad\":\"" + "p".repeat(MAX_BODY) + "\"}").getBytes(StandardCharsets.UTF_8);
            }
        }
    }

    private String mutatePath(String path) {
        int at = random.nextInt(path.length() + 1);
        String inserted = pick(List.of(
                "%",
                "%0",
                "%zz",
                "%00",
                "%ff%fe",
                "%2e%2e/",
                "//",
                ";a=b",
                "#frag",
                " ",
                "\u00e9",
                "%u0041",
                "x".repeat(10_000),
                "\\",
                "*"));
        return path.substring(0, at) + inserted + path.substring(at);
    }

    private String garbage(int length) {
        String alphabet = "abcXYZ019-_.~!$&'()*+,;=:@/%?#[] \"<>{}|^`";
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }

    private <T> T pick(List<T> choices) {
        return choices.get(random.nextInt(choices.size()));
    }

    // ---- wire

    private static String auth(String token) {
        return "Authorization: Bearer " + token;
    }

    private static byte[] http(String method, String path, List<String> headers, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head(method, path, headers)
                .append("Content-Length: ")
                .append(body.length)
                .append("\r\n\r\n")
                .toString()
                .getBytes(StandardCharsets.UTF_8));
        out.writeBytes(body);
        return out.toByteArray();
    }

    private static byte[] chunked(String method, String path, List<String> headers, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head(method, path, headers)
                .append("Transfer-Encoding: chunked\r\n\r\n")
                .toString()
                .getBytes(StandardCharsets.UTF_8));
        for (int at = 0; at < body.length; at += 1000) {
            int length = Math.min(1000, body.length - at);
            out.writeBytes((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body, at, length);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    private static StringBuilder head(String method, String path, List<String> headers) {
        StringBuilder head = new StringBuilder(method)
                .append(' ')
                .append(path)
                .append(" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        headers.forEach(header -> head.append(header).append("\r\n"));
        return head;
    }

    private static boolean isJsonError(RawHttp.Response response) {
        if (!response.headers().getOrDefault("content-type", "").startsWith("application/json")) {
            return false;
        }
        try {
            JsonNode json = MAPPER.readTree(response.body());
            return json != null
                    && json.isObject()
                    && json.path("error").isTextual()
                    && !json.path("error").asText().isBlank();
        } catch (IOException e) {
            return false;
        }
    }

    private static String preview(byte[] request) {
        String text = new String(request, StandardCharsets.UTF_8);
        return text.length() > 600 ? text.substring(0, 600) + "... (" + text.length() + " bytes)" : text;
    }
}
