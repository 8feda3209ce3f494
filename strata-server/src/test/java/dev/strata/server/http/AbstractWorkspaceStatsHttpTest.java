package dev.strata.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.server.workspace.Role;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inspector's own endpoints: the caller's workspaces and the owners' storage figures, on each
 * metadata backend (the figures come from SQL that differs between them).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractWorkspaceStatsHttpTest {
    @TempDir
    static Path directory;

    private EmbeddedServer server;
    private String otherWorkspace;
    private String memberToken;
    private String member;

    @BeforeAll
    void start() {
        // Background work slowed down, so the backlogs the test builds stay put while it reads them.
        Map<String, String> settings = new HashMap<>(Map.of(
                "STRATA_CACHE_URL", "memory",
                "STRATA_COMPACT_SEGMENTS", "2",
                "STRATA_COMPACTION_INTERVAL", "1h",
                "STRATA_DELETION_INTERVAL", "1h"));
        settings.putAll(database());
        server = EmbeddedServer.start(directory, settings);
        var dir = server.strata().directory();
        otherWorkspace = dir.createWorkspace("alpha").id();
        String owner = dir.user(userOf(server.userToken())).orElseThrow().id();
        dir.addMember(otherWorkspace, owner, Role.MEMBER);
        member = dir.createUser("member@example.com", "Member").id();
        dir.addMember(server.workspace(), member, Role.MEMBER);
        memberToken = server.strata().tokens().createUserToken(member);
    }

    /** Settings that choose the metadata database; empty for the embedded SQLite file. */
    protected abstract Map<String, String> database();

    protected abstract void cleanUp();

    protected EmbeddedServer server() {
        return server;
    }

    @AfterAll
    void stop() {
        server.close();
        cleanUp();
    }

    @Test
    void workspaces_listsTheCallersMembershipsWithRolesByName() {
        JsonNode workspaces = server.api()
                .get("/api/workspaces")
                .token(server.userToken())
                .send()
                .json()
                .get("workspaces");

        assertThat(workspaces).hasSize(2);
        assertThat(workspaces.get(0).get("id").asText()).isEqualTo(otherWorkspace);
        assertThat(workspaces.get(0).get("name").asText()).isEqualTo("alpha");
        assertThat(workspaces.get(0).get("role").asText()).isEqualTo("member");
        assertThat(workspaces.get(1).get("id").asText()).isEqualTo(server.workspace());
        assertThat(workspaces.get(1).get("role").asText()).isEqualTo("owner");
        assertThat(workspaces.get(1).get("created_at").asText()).endsWith("Z");
    }

    @Test
    void workspaces_refusesMachineTokensAndStrangers() {
        var machine =
                server.api().get("/api/workspaces").token(server.machineToken()).send();
        assertThat(machine.status()).isEqualTo(403);
        assertThat(machine.error()).isEqualTo("this endpoint needs a user token");
        var anonymous = server.api().get("/api/workspaces").send();
        assertThat(anonymous.status()).isEqualTo(401);
        var unknown = server.api().get("/api/workspaces").token("ut_unknown").send();
        assertThat(unknown.status()).isEqualTo(401);
    }

    @Test
    void stats_countTheWorkspaceAndTheWholeStore() {
        JsonNode before = stats(server.workspace(), server.userToken()).json();
        String task = createTask(server.workspace(), server.userToken());
        String elsewhere = createTask(otherWorkspace, server.userToken());
        appendTo(
                task,
                "{\"seq\":1,\"type\":\"text\",\"content\":\"" + "compressible ".repeat(200) + "\"},"
                        + "{\"seq\":2,\"type\":\"log\",\"content\":\"dropped\"}");
        appendTo(task, "{\"seq\":3,\"type\":\"thinking\",\"content\":\"hmm\"}");
        appendTo(task, "{\"seq\":4,\"type\":\"text\",\"content\":\"done\"}");
        appendTo(elsewhere, "{\"seq\":1,\"type\":\"text\",\"content\":\"other\"}");
        // Appends fill the cache, so this read finds the segments there.
        assertThat(server.api()
                        .get("/api/tasks/" + task + "/messages")
                        .token(server.userToken())
                        .workspace(server.workspace())
                        .send()
                        .status())
                .isEqualTo(200);

        JsonNode after = stats(server.workspace(), server.userToken()).json();

        assertThat(after.get("workspace_id").asText()).isEqualTo(server.workspace());
        JsonNode workspace = after.get("workspace");
        assertThat(delta(before, after, "workspace", "tasks")).isEqualTo(1);
        assertThat(delta(before, after, "workspace", "messages")).isEqualTo(3);
        assertThat(delta(before, after, "workspace", "content_objects")).isEqualTo(3);
        assertThat(workspace.get("content_bytes").asLong()).isPositive();
        JsonNode store = after.get("store");
        assertThat(delta(before, after, "store", "tasks")).isEqualTo(2);
        assertThat(delta(before, after, "store", "messages")).isEqualTo(4);
        assertThat(delta(before, after, "store", "content_objects")).isEqualTo(4);
        assertThat(store.get("content_bytes").asLong())
                .isGreaterThan(workspace.get("content_bytes").asLong());
        assertThat(store.get("metadata_bytes").asLong()).isPositive();
        assertThat(store.get("compression_sampled_segments").asInt()).isBetween(4, 8);
        assertThat(store.get("compression_ratio").asDouble()).isGreaterThan(1.0);
        assertThat(store.get("cache_hit_ratio").asDouble()).isGreaterThan(0.0).isLessThanOrEqualTo(1.0);
        assertThat(store.get("compaction_backlog").asLong())
                .as("an open task with 3 live segments, over STRATA_COMPACT_SEGMENTS=2")
                .isEqualTo(1);
    }

    @Test
    void stats_countDeletionsQueuedForTheContentTier() {
        // Compaction queues the segments it replaces, to be deleted after STRATA_COMPACTION_GRACE (5 minutes).
        String task = createTask(server.workspace(), server.userToken());
        appendTo(task, "{\"seq\":1,\"type\":\"text\",\"content\":\"a\"}");
        appendTo(task, "{\"seq\":2,\"type\":\"text\",\"content\":\"b\"}");
        long pending = stats(server.workspace(), server.userToken())
                .json()
                .get("store")
                .get("pending_deletions")
                .asLong();

        server.strata().store().compact(task);

        JsonNode store = stats(server.workspace(), server.userToken()).json().get("store");
        assertThat(store.get("pending_deletions").asLong()).isEqualTo(pending + 2);
        assertThat(store.get("overdue_deletions").asLong())
                .as("due in 5 minutes, overdue two deletion intervals later")
                .isZero();
    }

    @Test
    void stats_areForOwnersOnly() {
        var member = stats(server.workspace(), memberToken);
        assertThat(member.status()).isEqualTo(403);
        assertThat(member.error()).isEqualTo("this endpoint needs the owner role");
        var ownerElsewhere = stats(otherWorkspace, server.userToken());
        assertThat(ownerElsewhere.status()).as("a member of that workspace").isEqualTo(403);
        var stranger = stats(otherWorkspace, memberToken);
        assertThat(stranger.status()).isEqualTo(404);
        assertThat(stranger.error()).isEqualTo("workspace not found");
        var machine = server.api()
                .get("/api/admin/stats")
                .token(server.machineToken())
                .send();
        assertThat(machine.status()).isEqualTo(403);
        var noWorkspace =
                server.api().get("/api/admin/stats").token(server.userToken()).send();
        assertThat(noWorkspace.status()).isEqualTo(400);
    }

    @Test
    void stats_followARoleChangeAtOnce() {
        String promoted = server.strata()
                .directory()
                .createUser("promoted@example.com", "P")
                .id();
        server.strata().directory().addMember(server.workspace(), promoted, Role.OWNER);
        String token = server.strata().tokens().createUserToken(promoted);
        assertThat(stats(server.workspace(), token).status()).isEqualTo(200);

        server.strata().directory().addMember(server.workspace(), promoted, Role.MEMBER);

        assertThat(stats(server.workspace(), token).status()).isEqualTo(403);
    }

    private ApiClient.Response stats(String workspace, String token) {
        return server.api()
                .get("/api/admin/stats")
                .token(token)
                .workspace(workspace)
                .send();
    }

    private static long delta(JsonNode before, JsonNode after, String section, String field) {
        return after.get(section).get(field).asLong()
                - before.get(section).get(field).asLong();
    }

    private String createTask(String workspace, String token) {
        var created = server.api()
                .post("/api/tasks", "{}")
                .token(token)
                .workspace(workspace)
                .send();
        assertThat(created.status()).isEqualTo(201);
        return created.json().get("id").asText();
    }

    private void appendTo(String task, String messages) {
        String token = server.strata()
                .tokens()
                .createMachineToken(
                        userOf(server.userToken()),
                        server.strata()
                                .directory()
                                .task(server.workspace(), task)
                                .map(t -> server.workspace())
                                .orElse(otherWorkspace));
        var response = server.api()
                .post("/api/daemon/tasks/" + task + "/messages", "{\"messages\":[" + messages + "]}")
                .token(token)
                .send();
        assertThat(response.status()).as(response.text()).isEqualTo(200);
    }

    private String userOf(String userToken) {
        return server.strata().tokens().authenticate(userToken).orElseThrow().userId();
    }
}
