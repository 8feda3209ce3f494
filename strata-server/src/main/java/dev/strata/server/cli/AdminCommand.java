package dev.strata.server.cli;

import dev.strata.server.Strata;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.workspace.Role;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code strata admin ...}: workspaces, users and tokens. Each command opens the configured
 * database directly, so it works while a server runs on the same database, and prints only its
 * result on stdout so scripts can capture it.
 */
@Command(
        name = "admin",
        mixinStandardHelpOptions = true,
        description = "Manage workspaces, users and tokens.",
        subcommands = {
            AdminCommand.CreateWorkspace.class,
            AdminCommand.CreateUser.class,
            AdminCommand.AddMember.class,
            TokenCommands.CreateToken.class,
            TokenCommands.ListTokens.class,
            TokenCommands.RevokeToken.class,
            AdminCommand.SetRetention.class,
            AdminCommand.ApplyRetention.class
        })
final class AdminCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    /** Opens Strata from the environment, runs one action and prints its result. */
    static int run(CommandLine.Model.CommandSpec spec, Function<Strata, String> action) {
        try (Strata strata = Strata.open(StrataConfig.fromEnvironment(System.getenv()))) {
            spec.commandLine().getOut().println(action.apply(strata));
            spec.commandLine().getOut().flush();
        }
        return 0;
    }

    @Command(name = "create-workspace", description = "Create a workspace; prints its id.")
    static final class CreateWorkspace implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--name", required = true, description = "Workspace name.")
        String name;

        @Override
        public Integer call() {
            return AdminCommand.run(
                    spec, strata -> strata.directory().createWorkspace(name).id());
        }
    }

    @Command(name = "create-user", description = "Create a user; prints its id.")
    static final class CreateUser implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--email", required = true, description = "Email, unique.")
        String email;

        @Option(names = "--name", defaultValue = "", description = "Display name.")
        String name;

        @Override
        public Integer call() {
            return AdminCommand.run(
                    spec, strata -> strata.directory().createUser(email, name).id());
        }
    }

    @Command(name = "add-member", description = "Add a user to a workspace (or change their role).")
    static final class AddMember implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--workspace", required = true, description = "Workspace id.")
        String workspace;

        @Option(names = "--user", required = true, description = "User id.")
        String user;

        @Option(names = "--role", defaultValue = "member", description = "owner or member (default: ${DEFAULT-VALUE}).")
        String role;

        @Override
        public Integer call() {
            Role parsed = switch (role) {
                case "owner" -> Role.OWNER;
                case "member" -> Role.MEMBER;
                default ->
                    throw new CommandLine.ParameterException(
                            spec.commandLine(), "--role must be owner or member, got '" + role + "'");
            };
            return AdminCommand.run(spec, strata -> {
                strata.directory().addMember(workspace, user, parsed);
                return "ok";
            });
        }
    }

    @Command(
            name = "set-retention",
            description =
                    "Set a workspace's retention of inactive tasks: a duration (30d), off, or default (STRATA_RETENTION).")
    static final class SetRetention implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--workspace", required = true, description = "Workspace id.")
        String workspace;

        @Option(names = "--retention", required = true, description = "30d, 12h, off or default.")
        String retention;

        @Override
        public Integer call() {
            java.util.Optional<String> setting = switch (retention) {
                case "default" -> java.util.Optional.empty();
                case "off" -> java.util.Optional.of("off");
                default -> {
                    try {
                        StrataConfig.requireLongEnough(
                                "--retention",
                                retention,
                                dev.strata.server.config.Durations.parse("--retention", retention),
                                StrataConfig.fromEnvironment(System.getenv())
                                        .lifecycle()
                                        .allowShortRetention());
                    } catch (dev.strata.server.config.ConfigException e) {
                        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
                    }
                    yield java.util.Optional.of(retention);
                }
            };
            return AdminCommand.run(spec, strata -> {
                strata.directory().setRetention(workspace, setting);
                return "ok";
            });
        }
    }

    @Command(
            name = "apply-retention",
            description = "Delete inactive tasks past their workspace's retention now; prints how many.")
    static final class ApplyRetention implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            return AdminCommand.run(
                    spec, strata -> Integer.toString(strata.retention().runOnce()));
        }
    }
}
