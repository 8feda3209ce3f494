package dev.strata.server.cli;

import dev.strata.server.auth.TokenInfo;
import dev.strata.server.auth.TokenService;
import dev.strata.server.config.ConfigException;
import dev.strata.server.config.Durations;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code strata admin create-token | list-tokens | revoke-token}. A token's secret is printed once,
 * by {@code create-token}, and read back only from standard input: never from the command line,
 * where every local user sees it in the process list. Everything else names a token by its id.
 */
final class TokenCommands {
    private TokenCommands() {}

    @Command(
            name = "create-token",
            description = {
                "Create a token; prints only the token (shown once) on stdout, its id on stderr.",
                "Find it later with list-tokens; revoke it with revoke-token --id."
            })
    static final class CreateToken implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--user", required = true, description = "User id.")
        String user;

        @Option(names = "--workspace", description = "Workspace id (required with --machine).")
        String workspace;

        @Option(names = "--machine", description = "Create a machine token (al_...) for a daemon in --workspace.")
        boolean machine;

        @Option(names = "--expires", description = "Stop working after this long: 30d, 12h, 90m (default: never).")
        String expires;

        @Override
        public Integer call() {
            if (machine && workspace == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--machine needs --workspace");
            }
            Optional<Duration> validFor = Optional.ofNullable(expires).map(this::validity);
            return AdminCommand.run(spec, strata -> {
                String token = machine
                        ? strata.tokens().createMachineToken(user, workspace, validFor)
                        : strata.tokens().createUserToken(user, validFor);
                spec.commandLine().getErr().println("token id: " + TokenService.id(token));
                spec.commandLine().getErr().flush();
                return token;
            });
        }

        private Duration validity(String text) {
            Duration duration;
            try {
                duration = Durations.parse("--expires", text);
            } catch (ConfigException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            if (duration.isZero()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--expires must be positive, got " + text);
            }
            return duration;
        }
    }

    @Command(
            name = "list-tokens",
            description =
                    "List tokens (never their secrets): id, kind, user, workspace, state, created, last used, expiry.")
    static final class ListTokens implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--user", description = "Only this user's tokens.")
        String user;

        @Override
        public Integer call() {
            return AdminCommand.run(spec, strata -> {
                List<TokenInfo> tokens = strata.tokens().list(Optional.ofNullable(user));
                Instant now = Instant.now();
                StringBuilder out = new StringBuilder("ID\tKIND\tUSER\tWORKSPACE\tSTATE\tCREATED\tLAST_USED\tEXPIRES");
                for (TokenInfo token : tokens) {
                    out.append('\n')
                            .append(String.join(
                                    "\t",
                                    token.id(),
                                    token.kind(),
                                    token.userId(),
                                    token.workspaceId().orElse("-"),
                                    token.state(now),
                                    time(Optional.of(token.createdAt())),
                                    time(token.lastUsedAt()),
                                    time(token.expiresAt())));
                }
                return out.toString();
            });
        }

        private static String time(Optional<Instant> instant) {
            return instant.map(DateTimeFormatter.ISO_INSTANT::format).orElse("-");
        }
    }

    @Command(
            name = "revoke-token",
            description = {
                "Revoke a token; it stops working within seconds.",
                "Name it with --id (see list-tokens), or give the token itself on standard input (no argument, or -):",
                "never on the command line, where it would show in the process list."
            })
    static final class RevokeToken implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--id", description = "The token's id (tok_...), as list-tokens shows it.")
        String id;

        @Parameters(
                index = "0",
                arity = "0..1",
                paramLabel = "-",
                description = "Read the token from standard input (the default without --id).")
        String stdin;

        @Override
        public Integer call() throws IOException {
            if (stdin != null && !stdin.equals("-")) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        "give the token on standard input, not on the command line (it would show in the process list),"
                                + " or name it with --id");
            }
            if (id != null && stdin != null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "give either --id or -, not both");
            }
            if (id != null) {
                return AdminCommand.run(
                        spec,
                        strata -> strata.tokens().revokeById(id.strip()) ? "revoked" : "not found or already revoked");
            }
            String token = firstLine(System.in);
            if (token.isEmpty()) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "no token given: pass it on standard input or name it with --id");
            }
            return AdminCommand.run(
                    spec, strata -> strata.tokens().revoke(token) ? "revoked" : "not found or already revoked");
        }

        /** The first line of {@code in}, stripped; a token never spans lines. */
        private static String firstLine(InputStream in) throws IOException {
            var reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line = reader.readLine();
            return line == null ? "" : line.strip();
        }
    }
}
