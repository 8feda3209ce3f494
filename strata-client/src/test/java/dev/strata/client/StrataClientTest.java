package dev.strata.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.strata.testing.FaultProxy;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The client against a real Strata on the embedded backends: appends, reads, the live tail and the error paths. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StrataClientTest {
    /** A guard against a retry loop where the client must fail at once (the default policy retries for 10 minutes). */
    private static final Duration NO_RETRY_LOOP = Duration.ofSeconds(20);

    @TempDir
    static Path directory;

    private StrataServer server;
    private StrataClient daemon;
    private StrataClient user;

    @BeforeAll
    void start() {
        server = StrataServer.embedded(directory);
        daemon = server.daemon().build();
        user = server.user().build();
    }

    @AfterAll
    void stop() {
        daemon.close();
        user.close();
        server.close();
    }

    @Test
    void appender_storesEveryMessageWithEveryField_andReadsPageByPage() {
        String task = server.newTask();
        List<NewMessage> sent = new ArrayList<>();
        try (Appender appender = daemon.appender(task)) {
            for (int i = 1; i <= 45; i++) {
                NewMessage message = NewMessage.of(
                                i % 3 == 0 ? "tool-result" : "tool-use", "step " + i + " \"é\" ☃ \n\t")
                        .withTool("Bash")
                        .withCallId("c" + i)
                        .withOutput(i % 2 == 0 ? "" : "out\u2028" + i)
                        .withInput("{\"cmd\": [1.50, -0, 1e400], \"i\": " + i + "}");
                assertThat(appender.append(message)).isEqualTo(i);
                sent.add(message);
            }
        }

        List<TaskMessage> stored = user.listAll(task, MessageQuery.allTypes().withLimit(7));
        assertThat(stored)
                .extracting(TaskMessage::seq)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 45).boxed().toList());
        for (int i = 0; i < sent.size(); i++) {
            NewMessage expected = sent.get(i);
            TaskMessage actual = stored.get(i);
            assertThat(actual.taskId()).isEqualTo(task);
            assertThat(actual.type()).isEqualTo(expected.type());
            assertThat(actual.tool()).isEqualTo("Bash");
            assertThat(actual.callId()).isEqualTo(expected.callId());
            assertThat(actual.content()).isEqualTo(expected.content());
            assertThat(actual.output()).isEqualTo(expected.output());
            assertThat(actual.input()).isEqualTo(expected.input());
        }
        assertThat(daemon.listAll(task, MessageQuery.defaults()))
                .as("the daemon's read, with the API's default of no tool results")
                .hasSize(30);
        MessagePage page = user.list(task, MessageQuery.allTypes().withSince(40).withTypes("tool-result"));
        assertThat(page.messages()).extracting(TaskMessage::seq).containsExactly(42L, 45L);
        assertThat(page.hasMore()).isFalse();
    }

    @Test
    void appender_sendsAFullBatchAtOnce_andTheRestOnFlush() {
        String task = server.newTask();
        try (StrataClient client = server.daemon()
                        .appenders(AppenderSettings.defaults()
                                .withFlushInterval(Duration.ofHours(1))
                                .withBatchMessages(20))
                        .build();
                Appender appender = client.appender(task)) {
            for (int i = 0; i < 25; i++) {
                appender.append(NewMessage.of("text", "m" + i));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> appender.pending() == 5);
            assertThat(user.listAll(task, MessageQuery.allTypes())).hasSize(20);

            appender.flush();

            assertThat(appender.pending()).isZero();
            assertThat(user.listAll(task, MessageQuery.allTypes())).hasSize(25);
            assertThat(appender.totals()).isEqualTo(new AppendTotals(25, 0, 0));
        }
    }

    @Test
    void seqsGivenByTheCaller_areKept_andTheAppenderContinuesAfterTheHighest() {
        String task = server.newTask();
        try (Appender appender = daemon.appender(task, 10)) {
            assertThat(appender.append(NewMessage.of("text", "a"))).isEqualTo(10);
            assertThat(appender.append(NewMessage.of("text", "b").withSeq(100))).isEqualTo(100);
            assertThat(appender.append(NewMessage.of("text", "c").withSeq(50))).isEqualTo(50);
            assertThat(appender.append(NewMessage.of("text", "d"))).isEqualTo(101);
            appender.append(NewMessage.of("log", "dropped by the server"));
            appender.flush();
            assertThat(appender.totals()).isEqualTo(new AppendTotals(4, 0, 1));
        }
        assertThat(user.listAll(task, MessageQuery.allTypes()))
                .extracting(TaskMessage::seq, TaskMessage::content)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(10L, "a"),
                        org.assertj.core.groups.Tuple.tuple(50L, "c"),
                        org.assertj.core.groups.Tuple.tuple(100L, "b"),
                        org.assertj.core.groups.Tuple.tuple(101L, "d"));
    }

    @Test
    void stream_sendsTheBacklogThenLiveMessages_andEndsWhenTheAppenderCompletesTheTask() {
        String task = server.newTask();
        Appender appender = daemon.appender(task);
        appender.append(NewMessage.of("text", "before the stream"));
        appender.flush();
        try (MessageStream stream = user.stream(task)) {
            assertThat(stream.next().content()).isEqualTo("before the stream");
            appender.append(NewMessage.of("text", "live"));
            assertThat(stream.next().content()).isEqualTo("live");
            appender.append(NewMessage.of("tool-result", "left out by default"));
            appender.append(NewMessage.of("text", "last"));
            appender.complete("done");

            assertThat(stream.next().content()).isEqualTo("last");
            assertThat(stream.hasNext()).isFalse();
            assertThat(stream.endStatus()).contains("completed");
        }
        assertThatThrownBy(() -> appender.append(NewMessage.of("text", "after the end")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the appender of task " + task + " is closed");
    }

    @Test
    void endingATaskTwiceDifferently_is409TaskAlreadyEnded() {
        String task = server.newTask();
        try (Appender appender = daemon.appender(task)) {
            appender.append(NewMessage.of("error", "boom"));
            appender.fail("boom");
        }
        daemon.fail(task, "repeated: answered as the first");

        assertThatThrownBy(() -> daemon.complete(task, "too late"))
                .isInstanceOfSatisfying(StrataHttpException.class, e -> {
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.error()).isEqualTo("task already ended");
                })
                .hasMessage("POST /api/daemon/tasks/" + task + "/complete answered 409: task already ended");
    }

    @Test
    void wrongToken_stopsTheAppenderWithAnAuthenticationError_withoutRetrying() {
        String task = server.newTask();
        try (StrataClient client =
                StrataClient.builder(server.uri()).token("al_wrong").build()) {
            Appender appender = client.appender(task);
            appender.append(NewMessage.of("text", "never stored"));

            assertTimeoutPreemptively(
                    NO_RETRY_LOOP,
                    () -> assertThatThrownBy(appender::flush)
                            .isInstanceOfSatisfying(
                                    StrataAuthenticationException.class,
                                    e -> assertThat(e.status()).isEqualTo(401))
                            .hasMessage("POST /api/daemon/tasks/" + task
                                    + "/messages answered 401: invalid token (check the client's token)"));
            assertThatThrownBy(() -> appender.append(NewMessage.of("text", "later")))
                    .isInstanceOf(StrataAuthenticationException.class);
            assertThatThrownBy(appender::close).isInstanceOf(StrataAuthenticationException.class);
        }
        assertThat(user.listAll(task, MessageQuery.allTypes())).isEmpty();
    }

    @Test
    void tokenOfTheWrongKind_andUnknownTask_failAtOnceWithTheApiError() {
        assertTimeoutPreemptively(NO_RETRY_LOOP, () -> {
            assertThatThrownBy(() -> daemon.stream(server.newTask()).hasNext())
                    .isInstanceOfSatisfying(
                            StrataAuthenticationException.class,
                            e -> assertThat(e.status()).isEqualTo(403))
                    .hasMessageEndingWith("answered 403: this endpoint needs a user token (check the token's kind)");
            assertThatThrownBy(() -> user.list("no-such-task", MessageQuery.defaults()))
                    .isInstanceOfSatisfying(
                            StrataHttpException.class,
                            e -> assertThat(e.error()).isEqualTo("task not found"))
                    .hasMessage("GET /api/tasks/no-such-task/messages answered 404: task not found");
        });
    }

    @Test
    void fullQueue_blocksAppendThenThrows_andNothingIsLostOnceStrataAnswersAgain() {
        String task = server.newTask();
        try (FaultProxy proxy = new FaultProxy("127.0.0.1", server.uri().getPort());
                StrataClient client = StrataClient.builder(URI.create("http://127.0.0.1:" + proxy.port()))
                        .token(server.machineToken)
                        .requestTimeout(Duration.ofMillis(500))
                        .appenders(AppenderSettings.defaults()
                                .withBatchMessages(1)
                                .withQueue(2, 4L << 20)
                                .withAppendTimeout(Duration.ofMillis(300)))
                        .build()) {
            proxy.blackHole();
            Appender appender = client.appender(task);
            appender.append(NewMessage.of("text", "first"));
            appender.append(NewMessage.of("text", "second"));

            assertThatThrownBy(() -> appender.append(NewMessage.of("text", "third")))
                    .isInstanceOf(AppenderFullException.class)
                    .hasMessageStartingWith("the appender of task " + task + " stayed full for 300 ms (2 messages, ");
            assertThatThrownBy(() -> client.appender(task))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("an appender of task " + task + " is already open");

            proxy.pass();
            appender.close();
        }
        assertThat(user.listAll(task, MessageQuery.allTypes()))
                .extracting(TaskMessage::content)
                .containsExactly("first", "second");
    }

    @Test
    void readmeExample_appendsCompletesAndStreams() {
        URI uri = server.uri();
        String machineToken = server.machineToken;
        String userToken = server.userToken;
        String workspaceId = server.workspace;
        String taskId = server.newTask();
        List<String> printed = new ArrayList<>();

        try (StrataClient daemon = StrataClient.builder(URI.create(uri.toString()))
                        .token(machineToken)
                        .build();
                Appender appender = daemon.appender(taskId)) {
            appender.append(NewMessage.of("tool-use", "")
                    .withTool("Bash")
                    .withCallId("c1")
                    .withInput("{\"cmd\":\"make\"}"));
            appender.append(NewMessage.of("text", "Build fixed."));
            appender.complete("done");
        }
        try (StrataClient user = StrataClient.builder(uri)
                        .token(userToken)
                        .workspace(workspaceId)
                        .build();
                MessageStream stream = user.stream(taskId)) {
            stream.forEachRemaining(message -> printed.add(message.seq() + " " + message.content()));
        }

        assertThat(printed).containsExactly("1 ", "2 Build fixed.");
        assertThatCode(() -> daemon.appender(taskId).close())
                .as("a second appender of the task, once the first is closed, may open")
                .doesNotThrowAnyException();
    }

    @Test
    void messageStrataRefuses_stopsTheAppenderWithTheApiError() {
        String task = server.newTask();
        Appender appender = daemon.appender(task);
        appender.append(NewMessage.of("t".repeat(65), "type too long"));

        assertTimeoutPreemptively(
                NO_RETRY_LOOP,
                () -> assertThatThrownBy(appender::close).isInstanceOfSatisfying(StrataHttpException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.error()).isEqualTo("messages.0.type: must be a string of 1 to 64 characters");
                }));
        assertThatThrownBy(() -> appender.append(NewMessage.of("text", "later")))
                .isInstanceOf(StrataHttpException.class);
    }

    @Test
    void stream_reconnectsWhenItsConnectionGoesSilent_andMissesNothing() throws Exception {
        String task = server.newTask();
        try (FaultProxy proxy = new FaultProxy("127.0.0.1", server.uri().getPort());
                StrataClient watcher = StrataClient.builder(URI.create("http://127.0.0.1:" + proxy.port()))
                        .token(server.userToken)
                        .workspace(server.workspace)
                        .streamIdleTimeout(Duration.ofMillis(500))
                        .build();
                Appender appender = daemon.appender(task);
                MessageStream stream = watcher.stream(task)) {
            appender.append(NewMessage.of("text", "before"));
            assertThat(stream.next().content()).isEqualTo("before");

            proxy.blackHole();
            long connections = proxy.connectionsAccepted();
            CompletableFuture<TaskMessage> during = CompletableFuture.supplyAsync(stream::next);
            appender.append(NewMessage.of("text", "during"));
            appender.flush();
            await().atMost(Duration.ofSeconds(30)).until(() -> proxy.connectionsAccepted() > connections);
            proxy.pass();

            assertThat(during.get(30, TimeUnit.SECONDS).content()).isEqualTo("during");
            appender.complete("done");
            assertThat(stream.hasNext()).as("a message after the last one").isFalse();
            assertThat(stream.endStatus()).contains("completed");
        }
    }
}
