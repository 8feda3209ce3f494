package dev.strata.server.http;

import dev.strata.server.Strata;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.workspace.Role;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A Strata on the embedded backends (SQLite and a directory under {@code directory}) serving on a
 * loopback port, with one workspace, its owner, and a user and a machine token for them.
 */
record EmbeddedServer(Strata strata, ApiClient api, String workspace, String userToken, String machineToken)
        implements AutoCloseable {

    /** Starts one; {@code settings} add to or override the embedded defaults. */
    static EmbeddedServer start(Path directory, Map<String, String> settings) {
        Map<String, String> environment = new HashMap<>(Map.of(
                "STRATA_DB_URL",
                "jdbc:sqlite:" + directory.resolve("strata.db"),
                "STRATA_CONTENT_URL",
                "file:" + directory.resolve("objects"),
                "STRATA_PORT",
                "0",
                "STRATA_HOST",
                "127.0.0.1"));
        environment.putAll(settings);
        Strata strata = Strata.open(StrataConfig.fromEnvironment(environment)).serve();
        String workspace = strata.directory().createWorkspace("main").id();
        String user =
                strata.directory().createUser("owner@example.com", "Owner").id();
        strata.directory().addMember(workspace, user, Role.OWNER);
        return new EmbeddedServer(
                strata,
                new ApiClient(strata.port()),
                workspace,
                strata.tokens().createUserToken(user),
                strata.tokens().createMachineToken(user, workspace));
    }

    @Override
    public void close() {
        strata.close();
    }
}
