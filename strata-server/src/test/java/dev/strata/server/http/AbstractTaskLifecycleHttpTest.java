package dev.strata.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.strata.lifecycle.Fsck;
import dev.strata.lifecycle.FsckReport;
import dev.strata.server.Strata;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.workspace.ConversationNotFoundException;
import dev.strata.server.workspace.Role;
import dev.strata.server.workspace.WorkspaceDirectory.WhenTasksRemain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a task ends and goes: conversation deletes racing task creation, the first end of a task
 * winning, appends after the end, and fsck finding what a crash left behind. Subclasses choose
 * the metadata database; content is a local directory so objects can be counted per task.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractTaskLifecycleHttpTest {
    private static final int RACE_ROUNDS = 25;
    private static final int CREATORS = 3;

    @TempDir
    static Path directory;

    Strata strata;
    ApiClient api;
    String workspace;
    String userToken;
    String machineToken;

    /** The STRATA_DB_URL of this class's metadata database. */
    protected abstract String databaseUrl();

    protected void cleanUp() {}

    @BeforeAll
    void start() {
        Map<String, String> env = new HashMap<>();
        env.put("STRATA_DB_URL", databaseUrl());
        env.put("STRATA_CONTENT_URL", "file:" + directory.resolve("objects"));
        env.put("STRATA_CACHE_URL", "memory");
        env.put("STRATA_PORT", "0");
        env.put("STRATA_HOST", "127.0.0.1");
        env.put("STRATA_COMPACTION_INTERVAL", "100ms");
        // fsck may call anything unreferenced an orphan at once; the background collector stays out of the way.
        env.put("STRATA_ORPHAN_GRACE", "1ms");
        env.put("STRATA_ORPHAN_INTERVAL", "1h");
        strata = Strata.open(StrataConfig.fromEnvironment(env)).serve();
        api = new ApiClient(strata.port());
        workspace = strata.directory().createWorkspace("main").id();
        String user =
                strata.directory().createUser("owner@example.com", "Owner").id();
        strata.directory().addMember(workspace, user, Role.OWNER);
        userToken = strata.tokens().createUserToken(user);
        machineToken = strata.tokens().createMachineToken(user, workspace);
    }

    @AfterAll
    void stop() {
        strata.close();
        cleanUp();
    }

    /**
     * Issue 9, defect 5: tasks created while their conversation was deleted answered 201 and took
     * appends, then were 404 forever with their store rows and objects left where nothing found them.
     */
    @Test
    void conversationDelete_racingTaskCreationAndAppends_leavesEveryCreatedTaskFullyGone() throws Exception {
        ExecutorService creators = Executors.newFixedThreadPool(CREATORS);
        List<String> created = new ArrayList<>();
        try {
            for (int round = 0; round < RACE_ROUNDS; round++) {
                String conversation = api.post("/api/conversations", "{}")
                        .token(userToken)
                        .workspace(workspace)
                        .send()
                        .json()
                        .get("id")
                        .asText();
                ConcurrentLinkedQueue<String> tasks = new ConcurrentLinkedQueue<>();
                AtomicBoolean deleted = new AtomicBoolean();
                List<Future<?>> running = new ArrayList<>();
                for (int c = 0; c < CREATORS; c++) {
                    running.add(creators.submit(() -> createUntilRefused(conversation, tasks, deleted)));
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> tasks.size() >= 2);
                var delete = api.delete("/api/conversations/" + conversation)
                        .token(userToken)
                        .workspace(workspace)
                        .send();
                assertThat(delete.status())
                        .as("DELETE conversation %s", conversation)
                        .isEqualTo(200);
                deleted.set(true);
                for (Future<?> creator : running) {
                    creator.get();
                }
                created.addAll(tasks);
            }
        } finally {
            creators.shutdownNow();
        }

        FsckReport repair = strata.fsck().run(Fsck.Mode.REPAIR, done -> {});
        assertThat(repair.forgottenTasks())
                .as("store rows left by the race: %s", repair.problems())
                .isZero();
        assertThat(repair.overdueDeletionsLeft()).isZero();
        for (String task : created) {
            assertThat(api.get("/api/tasks/" + task)
                            .token(userToken)
                            .workspace(workspace)
                            .send()
                            .status())
                    .as("GET task %s after its conversation was deleted", task)
                    .isEqualTo(404);
            assertThat(strata.directory().task(workspace, task))
                    .as("server row of %s", task)
                    .isEmpty();
            assertThat(strata.store().task(task))
                    .as("store metadata of %s", task)
                    .isEmpty();
            Path objects = directory.resolve("objects/tasks").resolve(task);
            assertThat(Files.exists(objects) ? dev.strata.testing.TestServices.countFiles(objects) : 0)
                    .as("objects of %s left after fsck --repair", task)
                    .isZero();
        }
        FsckReport check = strata.fsck().run(Fsck.Mode.CHECK, done -> {});
        assertThat(check.problems()).isEmpty();
        assertThat(check.clean()).isTrue();
    }

    /** Creates tasks in the conversation and appends to each, until creation is refused after the delete. */
    private void createUntilRefused(String conversation, ConcurrentLinkedQueue<String> tasks, AtomicBoolean deleted) {
        while (true) {
            boolean afterDelete = deleted.get();
            var response = api.post("/api/tasks", "{\"conversation_id\":\"" + conversation + "\"}")
                    .token(userToken)
                    .workspace(workspace)
                    .send();
            if (response.status() == 404) {
                assertThat(response.error())
                        .as("create in deleted conversation %s", conversation)
                        .isEqualTo("conversation not found");
                return;
            }
            assertThat(response.status())
                    .as("create in conversation %s, %s", conversation, response.text())
                    .isEqualTo(201);
            assertThat(afterDelete)
                    .as("a task created in conversation %s after its delete answered", conversation)
                    .isFalse();
            String task = response.json().get("id").asText();
            tasks.add(task);
            var append = api.post("/api/daemon/tasks/" + task + "/messages", batch(1, 3))
                    .token(machineToken)
                    .send();
            assertThat(append.status())
                    .as("append to %s: %s", task, append.text())
                    .isIn(200, 404);
        }
    }

    @Test
    void deleteConversationStep_keepsTheConversationWhileUnseenTasksRemain_orShutsItAndReturnsThem() {
        var directory = strata.directory();
        String conversation = directory.createConversation(workspace, "").id();
        directory.createTask("seen-" + conversation, workspace, java.util.Optional.of(conversation), "");
        directory.createTask("unseen-" + conversation, workspace, java.util.Optional.of(conversation), "");

        assertThat(directory.deleteConversation(
                        conversation, List.of("seen-" + conversation), WhenTasksRemain.KEEP_CONVERSATION))
                .containsExactly("unseen-" + conversation);
        assertThat(directory.conversation(workspace, conversation))
                .as("kept for the next round")
                .isPresent();
        assertThat(directory.task(workspace, "seen-" + conversation)).isEmpty();

        assertThat(directory.deleteConversation(conversation, List.of(), WhenTasksRemain.DELETE_CONVERSATION))
                .containsExactly("unseen-" + conversation);
        assertThat(directory.conversation(workspace, conversation)).isEmpty();
        assertThatThrownBy(() -> directory.createTask(
                        "late-" + conversation, workspace, java.util.Optional.of(conversation), ""))
                .isInstanceOf(ConversationNotFoundException.class)
                .hasMessage("conversation not found: " + conversation);
        assertThat(directory.task(workspace, "late-" + conversation)).isEmpty();
    }

    @Test
    void fail_afterComplete_is409AndTheFirstEndStays() {
        String task = newTask();
        assertThat(finish(task, "complete", "{\"output\":\"done\"}").status()).isEqualTo(200);

        var fail = finish(task, "fail", "{\"error\":\"late\"}");

        assertThat(fail.status()).as("fail after complete").isEqualTo(409);
        assertThat(fail.error()).isEqualTo("task already ended");
        assertThat(status(task)).isEqualTo("completed");
        assertThat(finish(task, "complete", "{}").status())
                .as("complete after fail was refused")
                .isEqualTo(200);
    }

    @Test
    void complete_repeated_is200AndChangesNothing() {
        String task = newTask();
        assertThat(finish(task, "fail", "{\"error\":\"boom\"}").status()).isEqualTo(200);

        var again = finish(task, "fail", "{\"error\":\"other\"}");

        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().toString()).isEqualTo("{\"status\":\"ok\"}");
        assertThat(status(task)).isEqualTo("failed");
        assertThat(finish(task, "complete", "{}").status()).isEqualTo(409);
        assertThat(status(task)).isEqualTo("failed");
    }

    /** The README says what happens to appends after the end: stored, then compacted with the rest. */
    @Test
    void append_afterComplete_isAcceptedAndCompactedLater() {
        String task = newTask();
        api.post("/api/daemon/tasks/" + task + "/messages", batch(1, 3))
                .token(machineToken)
                .send();
        finish(task, "complete", "{}");

        var late = api.post("/api/daemon/tasks/" + task + "/messages", batch(4, 6))
                .token(machineToken)
                .send();

        assertThat(late.status()).as("append after complete").isEqualTo(200);
        assertThat(late.json().get("accepted").asInt()).isEqualTo(3);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> strata.store().task(task).orElseThrow().liveSegments() == 1);
        assertThat(api.get("/api/tasks/" + task + "/messages?exclude_types=")
                        .token(userToken)
                        .workspace(workspace)
                        .send()
                        .json())
                .hasSize(6);
    }

    /** Found by the soak: between the two steps of a delete, GET task answered 200 with message_count 0. */
    @Test
    void getTask_whileItsDeleteIsBetweenTheStoreAndTheDirectory_is404_neverAnEmptyTask() {
        String task = newTask();
        api.post("/api/daemon/tasks/" + task + "/messages", batch(1, 3))
                .token(machineToken)
                .send();
        strata.store().delete(List.of(task));

        var response = api.get("/api/tasks/" + task)
                .token(userToken)
                .workspace(workspace)
                .send();

        assertThat(response.status())
                .as("GET task %s whose store rows are deleted: %s", task, response.text())
                .isEqualTo(404);
        assertThat(response.json().get("error").asText()).isEqualTo("task not found");
    }

    /** A crash between the store's row and the server's row (creation or delete) leaves a store task only fsck can find. */
    @Test
    void forgottenStoreTasks_areThoseWithoutAServerRow_olderThanTheCutoff() {
        String known = newTask();
        strata.store().createTask("crash-leftover");

        assertThat(strata.directory()
                        .forgottenStoreTasks(
                                List.of(known, "crash-leftover", "absent"),
                                Instant.now().plusSeconds(60)))
                .isEqualTo(Set.of("crash-leftover"));
        assertThat(strata.directory()
                        .forgottenStoreTasks(
                                List.of(known, "crash-leftover"), Instant.now().minusSeconds(60)))
                .as("a creation may still be between the two rows")
                .isEmpty();
        // The leftover must be older than STRATA_ORPHAN_GRACE (1 ms here) by fsck's clock: on a fast
        // machine the first pass may come within that millisecond, so repair until it is seen.
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(
                                strata.fsck().run(Fsck.Mode.REPAIR, done -> {}).problems())
                        .as("fsck --repair problems")
                        .contains("forgotten task: crash-leftover (unknown to the application)"));
        assertThat(strata.store().task("crash-leftover")).isEmpty();
        assertThat(strata.store().task(known)).isPresent();
    }

    private String newTask() {
        var response = api.post("/api/tasks", "{}")
                .token(userToken)
                .workspace(workspace)
                .send();
        assertThat(response.status()).isEqualTo(201);
        return response.json().get("id").asText();
    }

    private ApiClient.Response finish(String task, String end, String body) {
        return api.post("/api/daemon/tasks/" + task + "/" + end, body)
                .token(machineToken)
                .send();
    }

    private String status(String task) {
        return api.get("/api/tasks/" + task)
                .token(userToken)
                .workspace(workspace)
                .send()
                .json()
                .get("status")
                .asText();
    }

    private static String batch(int from, int to) {
        List<String> messages = new ArrayList<>();
        for (int seq = from; seq <= to; seq++) {
            messages.add(
                    "{\"seq\":" + seq + ",\"type\":\"tool-use\",\"tool\":\"Bash\",\"content\":\"step " + seq + "\"}");
        }
        return "{\"messages\":[" + String.join(",", messages) + "]}";
    }
}
