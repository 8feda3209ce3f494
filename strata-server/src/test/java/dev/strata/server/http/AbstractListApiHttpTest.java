package dev.strata.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.server.Strata;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.workspace.Role;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lists a UI needs (issue 13, item 0): {@code GET /api/tasks} in pages that stay exact while
 * appends reorder the tasks, {@code GET /api/conversations}, and transcripts read backwards with
 * {@code before} and {@code tail}. Each test works in a workspace of its own; subclasses choose
 * the metadata database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractListApiHttpTest {
    private static final int MANY_TASKS = 520;

    @TempDir
    static Path directory;

    Strata strata;
    ApiClient api;

    /** The STRATA_DB_URL of this class's metadata database. */
    protected abstract String databaseUrl();

    protected void cleanUp() {}

    /** A workspace with an owner, the owner's user token and a machine token. */
    record Space(String id, String userToken, String machineToken) {}

    @BeforeAll
    void start() {
        strata = Strata.open(StrataConfig.fromEnvironment(Map.of(
                        "STRATA_DB_URL", databaseUrl(),
                        "STRATA_CONTENT_URL", "file:" + directory.resolve("objects"),
                        "STRATA_CACHE_URL", "memory",
                        "STRATA_PORT", "0",
                        "STRATA_HOST", "127.0.0.1")))
                .serve();
        api = new ApiClient(strata.port());
    }

    @AfterAll
    void stop() {
        strata.close();
        cleanUp();
    }

    @Test
    void listTasks_pagingWhileAnotherThreadAppendsToRandomTasks_showsEveryTaskExactlyOnce() throws Exception {
        Space space = newSpace();
        List<String> created = new ArrayList<>();
        for (int i = 0; i < MANY_TASKS; i++) {
            created.add(createTask(space, "{}"));
        }
        Set<String> appendedTo = ConcurrentHashMap.newKeySet();
        AtomicLong appends = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService appender = Executors.newSingleThreadExecutor();
        List<String> seen = new ArrayList<>();
        try {
            Future<?> appending = appender.submit(() -> {
                long seq = 0;
                while (!stop.get()) {
                    String task = created.get(ThreadLocalRandom.current().nextInt(created.size()));
                    var response = append(space, task, "[{\"seq\":" + seq++ + ",\"type\":\"tool-use\"}]");
                    assertThat(response.status()).as("append to %s", task).isEqualTo(200);
                    appendedTo.add(task);
                    appends.incrementAndGet();
                }
                return null;
            });
            String cursor = "";
            int pages = 0;
            do {
                long before = appends.get();
                // Pages of varying sizes, each read only after appends moved tasks of later pages to the front.
                await().atMost(Duration.ofSeconds(60)).until(() -> appends.get() >= before + 3);
                JsonNode page = ok(listTasks(space, "limit=" + (37 + pages % 3) + "&cursor=" + cursor));
                page.get("tasks").forEach(task -> seen.add(task.get("id").asText()));
                cursor = page.get("next_cursor").isNull()
                        ? null
                        : page.get("next_cursor").asText();
                pages++;
            } while (cursor != null);
            stop.set(true);
            appending.get();
        } finally {
            stop.set(true);
            appender.shutdownNow();
        }

        assertThat(seen).as("tasks seen while paging").doesNotHaveDuplicates();
        assertThat(seen).as("tasks seen while paging").containsExactlyInAnyOrderElementsOf(created);
        JsonNode fresh = ok(listTasks(space, ""));
        assertThat(fresh.get("tasks")).as("a page without limit holds 50").hasSize(50);
        assertThat(fresh.get("next_cursor").isNull()).isFalse();
        assertThat(appendedTo)
                .as("the appends reordered the list: the most recent activity is an append")
                .contains(fresh.get("tasks").get(0).get("id").asText());
    }

    @Test
    void listTasks_laterPages_showTasksAsTheyAreNow_dropDeletedOnes_andLeaveOutNewOnes() {
        Space space = newSpace();
        List<String> tasks = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            tasks.add(createTask(space, "{}"));
            nextMillisecond();
        }
        JsonNode first = ok(listTasks(space, "limit=2"));
        assertThat(ids(first)).as("newest first").containsExactly(tasks.get(4), tasks.get(3));

        assertThat(append(space, tasks.get(0), "[{\"seq\":1,\"type\":\"text\",\"content\":\"hi\"}]")
                        .status())
                .isEqualTo(200);
        assertThat(user(space, api.delete("/api/tasks/" + tasks.get(1))).send().status())
                .isEqualTo(200);
        String createdLater = createTask(space, "{}");
        assertThat(finish(space, tasks.get(2), "complete").status()).isEqualTo(200);

        JsonNode second =
                ok(listTasks(space, "limit=2&cursor=" + first.get("next_cursor").asText()));
        assertThat(ids(second)).as("the deleted task dropped out").containsExactly(tasks.get(2));
        assertThat(second.get("tasks").get(0).get("status").asText()).isEqualTo("completed");
        JsonNode third = ok(
                listTasks(space, "limit=2&cursor=" + second.get("next_cursor").asText()));
        assertThat(ids(third)).containsExactly(tasks.get(0));
        assertThat(third.get("tasks").get(0).get("message_count").asLong()).isEqualTo(1);
        assertThat(third.get("next_cursor").isNull()).as("last page").isTrue();

        assertThat(ids(ok(listTasks(space, "limit=10"))))
                .as("a new first page")
                .containsExactlyInAnyOrder(tasks.get(0), tasks.get(2), tasks.get(3), tasks.get(4), createdLater);
    }

    @Test
    void listTasks_mostRecentActivityFirst_withCountsAndFilters() {
        Space space = newSpace();
        String conversation = created(
                        user(space, api.post("/api/conversations", "{}")).send())
                .get("id")
                .asText();
        String inConversation = createTask(space, "{\"conversation_id\":\"" + conversation + "\"}");
        nextMillisecond();
        String alone = createTask(space, "{}");
        nextMillisecond();
        append(
                space,
                inConversation,
                "[{\"seq\":1,\"type\":\"tool-use\",\"tool\":\"Bash\"},{\"seq\":2,\"type\":\"tool-result\"},"
                        + "{\"seq\":3,\"type\":\"text\",\"content\":\"done\"}]");

        JsonNode page = ok(listTasks(space, ""));
        assertThat(ids(page)).containsExactly(inConversation, alone);
        JsonNode busy = page.get("tasks").get(0);
        assertThat(busy.get("workspace_id").asText()).isEqualTo(space.id());
        assertThat(busy.get("conversation_id").asText()).isEqualTo(conversation);
        assertThat(busy.get("status").asText()).isEqualTo("queued");
        assertThat(busy.get("message_count").asLong()).isEqualTo(3);
        assertThat(busy.get("step_count").asLong()).as("tool-use only").isEqualTo(1);
        assertThat(busy.get("last_message_at").isNull()).isFalse();
        JsonNode quiet = page.get("tasks").get(1);
        assertThat(quiet.get("conversation_id").isNull()).isTrue();
        assertThat(quiet.get("message_count").asLong()).isZero();
        assertThat(quiet.get("step_count").asLong()).isZero();
        assertThat(quiet.get("last_message_at").isNull()).isTrue();
        assertThat(page.get("next_cursor").isNull()).isTrue();

        nextMillisecond();
        assertThat(finish(space, alone, "fail").status()).isEqualTo(200);
        assertThat(ids(ok(listTasks(space, ""))))
                .as("a status change is activity")
                .containsExactly(alone, inConversation);
        assertThat(ids(ok(listTasks(space, "status=failed")))).containsExactly(alone);
        assertThat(ids(ok(listTasks(space, "status=queued")))).containsExactly(inConversation);
        assertThat(ids(ok(listTasks(space, "status=running")))).isEmpty();
        assertThat(ids(ok(listTasks(space, "conversation_id=" + conversation)))).containsExactly(inConversation);
    }

    @Test
    void listTasks_badParameters_are400_andUnknownConversation404() {
        Space space = newSpace();
        Space other = newSpace();
        for (int i = 0; i < 3; i++) {
            createTask(space, "{}");
        }
        String otherConversation = created(
                        user(other, api.post("/api/conversations", "{}")).send())
                .get("id")
                .asText();
        String cursor = ok(listTasks(space, "limit=1")).get("next_cursor").asText();

        for (String limit : List.of("0", "201", "-1", "abc", "1.5", "")) {
            assertThat(listTasks(space, "limit=" + limit).error())
                    .as("limit=%s", limit)
                    .isEqualTo("invalid limit parameter: must be an integer from 1 to 200");
        }
        assertThat(ok(listTasks(space, "limit=200")).get("tasks")).hasSize(3);
        assertThat(listTasks(space, "status=done").error())
                .isEqualTo("invalid status parameter: must be one of queued, dispatched, running, completed,"
                        + " failed, cancelled, superseded");
        for (String garbage : List.of("garbage", "%00", cursor + "x", encode("t1:" + UUID.randomUUID() + ":-1"))) {
            assertThat(listTasks(space, "cursor=" + garbage).error())
                    .as("cursor=%s", garbage)
                    .isEqualTo("invalid cursor");
        }
        assertThat(listTasks(space, "cursor=" + encode("t1:" + UUID.randomUUID() + ":5"))
                        .error())
                .as("a well-formed cursor of no snapshot")
                .isEqualTo("expired cursor: list again from the first page");
        assertThat(listTasks(space, "status=queued&cursor=" + cursor).error())
                .as("a cursor with another filter")
                .isEqualTo("cursor of another workspace or filter");
        var unknown = listTasks(space, "conversation_id=" + otherConversation);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.error()).isEqualTo("conversation not found");
        assertThat(ok(listTasks(space, "cursor=")).get("tasks"))
                .as("an empty cursor is the first page")
                .hasSize(3);

        assertThat(api.get("/api/tasks").token(space.machineToken()).send().error())
                .isEqualTo("this endpoint needs a user token");
        assertThat(api.get("/api/tasks").send().status()).isEqualTo(401);
        assertThat(ok(listTasks(space, "limit=1&cursor=" + cursor)).get("tasks"))
                .as("the refused requests changed nothing")
                .hasSize(1);
    }

    @Test
    void lists_onlyEverShowTheCallersWorkspace() {
        Space mine = newSpace();
        Space theirs = newSpace();
        Set<String> myTasks = new HashSet<>();
        Set<String> theirTasks = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            myTasks.add(createTask(mine, "{}"));
            theirTasks.add(createTask(theirs, "{}"));
            user(mine, api.post("/api/conversations", "{}")).send();
            user(theirs, api.post("/api/conversations", "{}")).send();
        }

        assertThat(ids(ok(listTasks(mine, "")))).containsExactlyInAnyOrderElementsOf(myTasks);
        assertThat(ids(ok(listTasks(theirs, "")))).containsExactlyInAnyOrderElementsOf(theirTasks);
        assertThat(ok(listConversations(mine, "")).get("conversations"))
                .hasSize(3)
                .allSatisfy(c -> assertThat(c.get("workspace_id").asText()).isEqualTo(mine.id()));

        var foreign = api.get("/api/tasks")
                .token(mine.userToken())
                .workspace(theirs.id())
                .send();
        assertThat(foreign.status()).isEqualTo(404);
        assertThat(foreign.error()).isEqualTo("workspace not found");
        assertThat(api.get("/api/conversations")
                        .token(mine.userToken())
                        .workspace(theirs.id())
                        .send()
                        .error())
                .isEqualTo("workspace not found");

        String myTaskCursor = ok(listTasks(mine, "limit=1")).get("next_cursor").asText();
        assertThat(listTasks(theirs, "limit=1&cursor=" + myTaskCursor).error())
                .isEqualTo("cursor of another workspace or filter");
        String myConversationCursor =
                ok(listConversations(mine, "limit=1")).get("next_cursor").asText();
        assertThat(listConversations(theirs, "limit=1&cursor=" + myConversationCursor)
                        .error())
                .isEqualTo("cursor of another workspace");
    }

    @Test
    void listConversations_newestFirstInPages_withTaskCounts() {
        Space space = newSpace();
        List<JsonNode> created = new ArrayList<>();
        Map<String, Integer> taskCounts = new HashMap<>();
        for (int i = 0; i < 7; i++) {
            JsonNode conversation = created(user(space, api.post("/api/conversations", "{\"title\":\"c" + i + "\"}"))
                    .send());
            created.add(conversation);
            String id = conversation.get("id").asText();
            for (int t = 0; t < i % 3; t++) {
                createTask(space, "{\"conversation_id\":\"" + id + "\"}");
            }
            taskCounts.put(id, i % 3);
        }
        createTask(space, "{}");
        List<String> expected = created.stream()
                .sorted(Comparator.comparing((JsonNode c) -> c.get("created_at").asText())
                        .thenComparing(c -> c.get("id").asText())
                        .reversed())
                .map(c -> c.get("id").asText())
                .toList();

        List<List<String>> pages = new ArrayList<>();
        String cursor = "";
        do {
            JsonNode page = ok(listConversations(space, "limit=3&cursor=" + cursor));
            List<String> ids = new ArrayList<>();
            for (JsonNode conversation : page.get("conversations")) {
                String id = conversation.get("id").asText();
                ids.add(id);
                assertThat(conversation.get("task_count").asInt())
                        .as("task_count of %s", id)
                        .isEqualTo(taskCounts.get(id));
                assertThat(conversation.get("title").asText()).startsWith("c");
            }
            pages.add(ids);
            cursor = page.get("next_cursor").isNull()
                    ? null
                    : page.get("next_cursor").asText();
        } while (cursor != null);

        assertThat(pages).containsExactly(expected.subList(0, 3), expected.subList(3, 6), expected.subList(6, 7));
        assertThat(listConversations(space, "limit=0").error())
                .isEqualTo("invalid limit parameter: must be an integer from 1 to 200");
        assertThat(listConversations(space, "cursor=nonsense").error()).isEqualTo("invalid cursor");
        assertThat(ok(listConversations(space, "")).get("conversations")).hasSize(7);
    }

    @Test
    void messages_beforeAndTail_readBackwardsFromTheEnd_withHasMoreAtTheBoundaries() {
        Space space = newSpace();
        String task = createTask(space, "{}");
        StringBuilder batch = new StringBuilder("[");
        for (int seq = 1; seq <= 10; seq++) {
            // Seq 5 is a tool result, which reads leave out without a type filter.
            String type = seq == 5 ? "tool-result" : seq % 2 == 0 ? "text" : "tool-use";
            batch.append(seq == 1 ? "" : ",")
                    .append("{\"seq\":")
                    .append(seq)
                    .append(",\"type\":\"")
                    .append(type)
                    .append("\"}");
        }
        assertThat(append(space, task, batch.append("]").toString()).status()).isEqualTo(200);

        assertPage(space, task, "tail=3", List.of(8L, 9L, 10L), true);
        assertPage(space, task, "tail=9", List.of(1L, 2L, 3L, 4L, 6L, 7L, 8L, 9L, 10L), false);
        assertPage(space, task, "tail=8", List.of(2L, 3L, 4L, 6L, 7L, 8L, 9L, 10L), true);
        assertPage(space, task, "tail=1000", List.of(1L, 2L, 3L, 4L, 6L, 7L, 8L, 9L, 10L), false);
        assertPage(space, task, "before=4&limit=3", List.of(1L, 2L, 3L), false);
        assertPage(space, task, "before=5&limit=3", List.of(2L, 3L, 4L), true);
        assertPage(space, task, "before=8&limit=3", List.of(4L, 6L, 7L), true);
        assertPage(space, task, "before=8", List.of(1L, 2L, 3L, 4L, 6L, 7L), false);
        assertPage(space, task, "before=1", List.of(), false);
        assertPage(space, task, "before=0&limit=5", List.of(), false);
        assertPage(space, task, "before=99&limit=2", List.of(9L, 10L), true);
        assertPage(space, task, "before=7&tail=2", List.of(4L, 6L), true);
        assertPage(space, task, "tail=2&types=text", List.of(8L, 10L), true);
        assertPage(space, task, "tail=3&types=tool-result,text", List.of(6L, 8L, 10L), true);
        assertPage(space, task, "before=6&exclude_types=&limit=2", List.of(4L, 5L), true);
        assertPage(space, task, "tail=20&types=nothing", List.of(), false);
        // Without before or tail, reads are as they were.
        assertPage(space, task, "limit=3", List.of(1L, 2L, 3L), true);
        assertPage(space, task, "since=8", List.of(9L, 10L), false);

        var daemon = api.get("/api/daemon/tasks/" + task + "/messages?tail=2")
                .token(space.machineToken())
                .send();
        assertThat(seqs(daemon)).as("daemon tail").containsExactly(9L, 10L);
        assertThat(daemon.header("X-Has-More")).contains("true");

        Map<String, String> refused = Map.of(
                "before=5&since=1", "before and tail cannot be combined with since",
                "tail=2&since=1", "before and tail cannot be combined with since",
                "tail=2&limit=2", "tail and limit cannot be combined",
                "tail=0", "invalid tail parameter: must be an integer from 1 to 1000",
                "tail=1001", "invalid tail parameter: must be an integer from 1 to 1000",
                "tail=x", "invalid tail parameter: must be an integer from 1 to 1000",
                "before=x", "invalid before parameter",
                "before=1.5", "invalid before parameter");
        refused.forEach((query, error) -> {
            var response = user(space, api.get("/api/tasks/" + task + "/messages?" + query))
                    .send();
            assertThat(response.status()).as(query).isEqualTo(400);
            assertThat(response.error()).as(query).isEqualTo(error);
        });
        var unknownTask =
                user(space, api.get("/api/tasks/nope/messages?tail=1")).send();
        assertThat(unknownTask.status()).isEqualTo(404);
    }

    private void assertPage(Space space, String task, String query, List<Long> seqs, boolean hasMore) {
        var response = user(space, api.get("/api/tasks/" + task + "/messages?" + query))
                .send();
        assertThat(response.status()).as(query + ": " + response.text()).isEqualTo(200);
        assertThat(seqs(response)).as(query).containsExactlyElementsOf(seqs);
        assertThat(response.header("X-Has-More").isPresent())
                .as("X-Has-More of %s", query)
                .isEqualTo(hasMore);
    }

    private static List<Long> seqs(ApiClient.Response response) {
        return StreamSupport.stream(response.json().spliterator(), false)
                .map(message -> message.get("seq").asLong())
                .toList();
    }

    private Space newSpace() {
        String workspace = strata.directory().createWorkspace("w").id();
        String user = strata.directory()
                .createUser(UUID.randomUUID() + "@example.com", "U")
                .id();
        strata.directory().addMember(workspace, user, Role.OWNER);
        return new Space(
                workspace,
                strata.tokens().createUserToken(user),
                strata.tokens().createMachineToken(user, workspace));
    }

    private String createTask(Space space, String body) {
        var response = user(space, api.post("/api/tasks", body)).send();
        assertThat(response.status()).as("POST /api/tasks: %s", response.text()).isEqualTo(201);
        return response.json().get("id").asText();
    }

    private ApiClient.Response append(Space space, String task, String messages) {
        return api.post("/api/daemon/tasks/" + task + "/messages", "{\"messages\":" + messages + "}")
                .token(space.machineToken())
                .send();
    }

    private ApiClient.Response finish(Space space, String task, String end) {
        return api.post("/api/daemon/tasks/" + task + "/" + end, "")
                .token(space.machineToken())
                .send();
    }

    private ApiClient.Response listTasks(Space space, String query) {
        return user(space, api.get("/api/tasks?" + query)).send();
    }

    private ApiClient.Response listConversations(Space space, String query) {
        return user(space, api.get("/api/conversations?" + query)).send();
    }

    private static ApiClient.Request user(Space space, ApiClient.Request request) {
        return request.token(space.userToken()).workspace(space.id());
    }

    private static JsonNode ok(ApiClient.Response response) {
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        return response.json();
    }

    private static JsonNode created(ApiClient.Response response) {
        assertThat(response.status()).as(response.text()).isEqualTo(201);
        return response.json();
    }

    private static List<String> ids(JsonNode page) {
        return StreamSupport.stream(page.get("tasks").spliterator(), false)
                .map(task -> task.get("id").asText())
                .toList();
    }

    private static String encode(String cursor) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(cursor.getBytes(StandardCharsets.UTF_8));
    }

    /** Activity is kept in milliseconds: waits for the next one, so consecutive events order strictly. */
    private static void nextMillisecond() {
        long now = System.currentTimeMillis();
        await().pollInterval(Duration.ofMillis(1)).until(() -> System.currentTimeMillis() > now);
    }
}
