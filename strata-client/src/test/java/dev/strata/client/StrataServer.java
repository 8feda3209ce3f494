package dev.strata.client;

import dev.strata.server.Strata;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.workspace.Role;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A real Strata in this JVM on a loopback port, with one workspace, a user token and a machine
 * token for it; it can be restarted on the same port over the same backends. The only place the
 * client's tests touch the server's Java API.
 */
final class StrataServer implements AutoCloseable {
    private final Map<String, String> environment;
    private Strata strata;
    private final int port;
    final String workspace;
    final String userToken;
    final String machineToken;

    /** A server on the embedded backends (SQLite, local directory, in-process cache) under {@code directory}. */
    static StrataServer embedded(Path directory) {
        return new StrataServer(Map.of(
                "STRATA_DB_URL", "jdbc:sqlite:" + directory.resolve("strata.db"),
                "STRATA_CONTENT_URL", "file:" + directory.resolve("objects"),
                "STRATA_CACHE_URL", "memory"));
    }

    /** A server on the backends {@code backendEnvironment} (STRATA_* variables) selects. */
    StrataServer(Map<String, String> backendEnvironment) {
        this.environment = new HashMap<>(backendEnvironment);
        environment.put("STRATA_HOST", "127.0.0.1");
        environment.putIfAbsent("STRATA_LOG_LEVEL", "WARN");
        environment.put("STRATA_PORT", "0");
        strata = start();
        port = strata.port();
        environment.put("STRATA_PORT", Integer.toString(port));
        var directory = strata.directory();
        workspace = directory.createWorkspace("client").id();
        String user = directory.createUser("daemon@example.com", "Daemon").id();
        directory.addMember(workspace, user, Role.OWNER);
        userToken = strata.tokens().createUserToken(user);
        machineToken = strata.tokens().createMachineToken(user, workspace);
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** A client acting as a daemon, with the machine token. */
    StrataClient.Builder daemon() {
        return StrataClient.builder(uri()).token(machineToken);
    }

    /** A client acting as a person, with the user token and the workspace. */
    StrataClient.Builder user() {
        return StrataClient.builder(uri()).token(userToken).workspace(workspace);
    }

    /** Creates a task through the API, as the web app would, and returns its id. */
    String newTask() {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(uri().resolve("/api/tasks"))
                            .header("Authorization", "Bearer " + userToken)
                            .header("X-Workspace-ID", workspace)
                            .POST(HttpRequest.BodyPublishers.ofString("{}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 201) {
                throw new IllegalStateException(
                        "creating a task answered " + response.statusCode() + ": " + response.body());
            }
            return ((JsonObject) JsonReader.parse(response.body())).string("id").orElseThrow();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Stops the server (open connections are cut) and starts it again on the same port and backends. */
    void restart() {
        strata.close();
        strata = start();
    }

    private Strata start() {
        return Strata.open(StrataConfig.fromEnvironment(environment)).serve();
    }

    @Override
    public void close() {
        strata.close();
    }
}
