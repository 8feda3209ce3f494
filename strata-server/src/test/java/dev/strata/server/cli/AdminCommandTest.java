package dev.strata.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.server.testing.StrataCli;
import dev.strata.server.testing.StrataCli.Result;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin commands as an operator runs them: separate processes, configured by environment variables. */
class AdminCommandTest {
    @TempDir
    Path directory;

    Result strata(String... args) throws IOException, InterruptedException {
        return strataWithInput("", args);
    }

    /** Runs a command with {@code input} on its standard input. */
    Result strataWithInput(String input, String... args) throws IOException, InterruptedException {
        return StrataCli.runWithInput(
                Map.of(
                        "STRATA_DB_URL", "jdbc:sqlite:" + directory.resolve("strata.db"),
                        "STRATA_CONTENT_URL", "file:" + directory.resolve("objects"),
                        "STRATA_LOG_LEVEL", "WARN"),
                input,
                args);
    }

    @Test
    void adminCommands_printOnlyTheirResult() throws Exception {
        Result workspace = strata("admin", "create-workspace", "--name", "Acme");
        assertThat(workspace.exitCode()).as(workspace.err()).isZero();
        assertThat(workspace.out()).matches("[0-9a-f-]{36}");

        Result user = strata("admin", "create-user", "--email", "ann@example.com", "--name", "Ann");
        assertThat(user.out()).matches("[0-9a-f-]{36}");
        assertThat(strata(
                                "admin",
                                "add-member",
                                "--workspace",
                                workspace.out(),
                                "--user",
                                user.out(),
                                "--role",
                                "owner")
                        .exitCode())
                .isZero();

        Result userToken = strata("admin", "create-token", "--user", user.out());
        assertThat(userToken.out()).matches("ut_[A-Za-z0-9_-]{43}");
        Result machineToken =
                strata("admin", "create-token", "--user", user.out(), "--workspace", workspace.out(), "--machine");
        assertThat(machineToken.out()).matches("al_[A-Za-z0-9_-]{43}");

        Result revoked = strataWithInput(machineToken.out() + "\n", "admin", "revoke-token");
        assertThat(revoked.exitCode()).isZero();
        assertThat(revoked.out()).isEqualTo("revoked");
    }

    @Test
    void revokeToken_readsTheTokenFromStandardInput_soItNeverShowsInTheProcessList() throws Exception {
        // Defect 12: the token on the command line is visible to every local user in `ps`.
        String user =
                strata("admin", "create-user", "--email", "cy@example.com").out();
        String first = strata("admin", "create-token", "--user", user).out();
        String second = strata("admin", "create-token", "--user", user).out();

        Result withoutArgument = strataWithInput(first + "\n", "admin", "revoke-token");
        Result withDash = strataWithInput("  " + second + "  \n", "admin", "revoke-token", "-");
        Result again = strataWithInput(first + "\n", "admin", "revoke-token");
        Result nothing = strataWithInput("", "admin", "revoke-token");

        assertThat(withoutArgument.out()).as(withoutArgument.err()).isEqualTo("revoked");
        assertThat(withDash.out()).as(withDash.err()).isEqualTo("revoked");
        assertThat(again.out()).isEqualTo("not found or already revoked");
        assertThat(nothing.exitCode()).isEqualTo(2);
        assertThat(nothing.err()).contains("no token given: pass it on standard input or name it with --id");
    }

    @Test
    void tokens_haveIdsAndExpiry_areListedWithoutSecrets_andRevokedById() throws Exception {
        String user =
                strata("admin", "create-user", "--email", "dee@example.com").out();
        Result created = strata("admin", "create-token", "--user", user, "--expires", "30d");
        assertThat(created.exitCode()).as(created.err()).isZero();
        String token = created.out();
        assertThat(token).matches("ut_[A-Za-z0-9_-]{43}");
        String id = created.err()
                .lines()
                .filter(line -> line.startsWith("token id: "))
                .findFirst()
                .orElseThrow()
                .substring("token id: ".length());
        assertThat(id).matches("tok_[0-9a-f]{16}");

        Result listed = strata("admin", "list-tokens", "--user", user);
        assertThat(listed.exitCode()).as(listed.err()).isZero();
        assertThat(listed.out()).doesNotContain(token).doesNotContain(token.substring(3));
        List<String> lines = listed.out().lines().toList();
        assertThat(lines.get(0)).isEqualTo("ID\tKIND\tUSER\tWORKSPACE\tSTATE\tCREATED\tLAST_USED\tEXPIRES");
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1)).startsWith(id + "\tuser\t" + user + "\t-\tactive\t");
        assertThat(lines.get(1).split("\t")[7]).matches("\\d{4}-.*Z");

        Result onCommandLine = strata("admin", "revoke-token", token);
        assertThat(onCommandLine.exitCode()).isEqualTo(2);
        assertThat(onCommandLine.err()).contains("give the token on standard input, not on the command line");
        Result badExpiry = strata("admin", "create-token", "--user", user, "--expires", "soon");
        assertThat(badExpiry.exitCode()).isEqualTo(2);
        assertThat(badExpiry.err())
                .contains("--expires must be a duration like 250ms, 45s, 30m, 12h or 7d, got 'soon'");

        assertThat(strata("admin", "revoke-token", "--id", id).out()).isEqualTo("revoked");
        assertThat(strata("admin", "revoke-token", "--id", id).out()).isEqualTo("not found or already revoked");
        assertThat(strata("admin", "list-tokens").out().lines().skip(1))
                .singleElement()
                .asString()
                .contains("\trevoked\t");
    }

    @Test
    void badInput_failsWithOneClearLine() throws Exception {
        Result duplicate = strata("admin", "create-user", "--email", "bob@example.com");
        assertThat(duplicate.exitCode()).isZero();

        Result again = strata("admin", "create-user", "--email", "bob@example.com");
        assertThat(again.exitCode()).isEqualTo(2);
        assertThat(again.err()).isEqualTo("strata: a user with email bob@example.com exists already");

        Result missing = strata("admin", "create-token", "--user", "nobody");
        assertThat(missing.err()).isEqualTo("strata: user not found: nobody");
        Result role = strata("admin", "add-member", "--workspace", "w", "--user", "u", "--role", "king");
        assertThat(role.exitCode()).isEqualTo(2);
        assertThat(role.err()).contains("--role must be owner or member, got 'king'");
    }
}
