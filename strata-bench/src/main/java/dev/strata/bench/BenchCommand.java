package dev.strata.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.strata.bench.soak.Soak;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code strata bench [ingest|ingest-sweep|read|migrate|stream|all]}: end-to-end figures for Strata beside the original design;
 * {@code strata bench soak}: a long run with injected faults that checks nothing acknowledged is lost (see {@link Soak}).
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description =
                "Measure Strata end to end (and the original design on the same backends); writes report.md, results.json and PNG charts. "
                        + "'soak' instead runs mixed traffic with injected faults and checks acknowledged equals stored, fsck and heap.")
public final class BenchCommand implements Callable<Integer> {
    /** Which workloads to run. */
    enum Workload {
        ingest,
        ingest_sweep,
        read,
        migrate,
        stream,
        all,
        soak
    }

    @Parameters(
            index = "0",
            defaultValue = "all",
            converter = WorkloadName.class,
            description = "ingest, ingest-sweep, read, migrate, stream, all (default: ${DEFAULT-VALUE}) or soak.")
    Workload workload;

    /** Workload names as typed: {@code ingest-sweep} for the enum's {@code ingest_sweep}. */
    static final class WorkloadName implements CommandLine.ITypeConverter<Workload> {
        @Override
        public Workload convert(String value) {
            try {
                return Workload.valueOf(value.replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("unknown workload '" + value
                        + "'; expected one of ingest, ingest-sweep, read, migrate, stream, all, soak");
            }
        }
    }

    @Option(
            names = "--connections",
            split = ",",
            description = "ingest-sweep: connections (and tasks) per point (default: 1,8,64,256).")
    List<Integer> connections;

    @Option(
            names = "--seconds",
            description = "ingest-sweep: measured seconds per point, after a warm-up of 30%% of it, at most 3 s "
                    + "(default 10; 1 with --quick); before the first point each system is warmed up once at "
                    + "64 connections for twice this, at most 20 s (not with --quick).")
    Double sweepSeconds;

    @Option(
            names = "--backends",
            defaultValue = "embedded",
            description = "embedded (SQLite, directory, memory) or scalable (PostgreSQL, S3Proxy, Redis).")
    String backends;

    @Option(
            names = "--report",
            defaultValue = "bench-report",
            description = "Directory for report.md, results.json and charts (default: ${DEFAULT-VALUE}).")
    Path report;

    @Option(names = "--seed", defaultValue = "20261128", description = "Seed of the generated traces.")
    long seed;

    @Option(names = "--quick", description = "Small sizes: a smoke run of a few seconds, not figures to quote.")
    boolean quick;

    @Option(
            names = "--messages",
            description = "Messages in the footprint workload (default 1,000,000; 5,000 with --quick).")
    Integer footprintMessages;

    @Option(
            names = "--minutes",
            defaultValue = "20",
            description = "soak: how long the load runs, in minutes (fractions allowed; default: ${DEFAULT-VALUE}).")
    double minutes;

    @Option(
            names = "--writers",
            defaultValue = "4",
            description = "soak: concurrent writers (default: ${DEFAULT-VALUE}).")
    int writers;

    @Option(
            names = "--fault-interval",
            defaultValue = "20",
            description = "soak: mean seconds between injected faults (default: ${DEFAULT-VALUE}).")
    double faultInterval;

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchCommand()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        BenchEnvironment.Kind kind = switch (backends) {
            case "embedded" -> BenchEnvironment.Kind.EMBEDDED;
            case "scalable" -> BenchEnvironment.Kind.SCALABLE;
            default ->
                throw new CommandLine.ParameterException(
                        new CommandLine(this), "--backends must be embedded or scalable, got '" + backends + "'");
        };
        if (workload == Workload.soak) {
            if (minutes <= 0 || writers < 1 || faultInterval <= 0) {
                throw new CommandLine.ParameterException(
                        new CommandLine(this), "--minutes, --writers and --fault-interval must be positive");
            }
            return new Soak(new Soak.Options(backends, minutes, writers, faultInterval, seed), System.out).run();
        }
        BenchWorkload.Sizes sizes = quick ? BenchWorkload.Sizes.quick() : BenchWorkload.Sizes.full();
        if (footprintMessages != null) {
            sizes = new BenchWorkload.Sizes(
                    sizes.latencyTasks(),
                    sizes.latencyLength(),
                    sizes.ingestTasks(),
                    sizes.ingestMessages(),
                    sizes.readRepetitions(),
                    footprintMessages);
        }
        Files.createDirectories(report);
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("started_at", Instant.now().toString());
        results.put("backends", backends);
        results.put("seed", seed);
        results.put("quick", quick);
        results.put("machine", MachineFacts.collect());
        long start = System.nanoTime();
        try (BenchEnvironment environment = new BenchEnvironment(kind)) {
            Consumer<String> log = message -> System.err.println("bench: " + message);
            IngestWorkloads ingest = new IngestWorkloads(environment, seed, sizes, log);
            if (workload == Workload.ingest || workload == Workload.all) {
                results.put("append_growth", step("append latency as a task grows", ingest::appendGrowth));
                results.put("ingest_in_process", step("ingest through the store API", ingest::ingestInProcess));
                results.put("ingest_http", step("ingest through HTTP", ingest::ingestHttp));
                results.put(
                        "footprint",
                        step(
                                "footprint of " + sizes.footprintMessages() + " messages",
                                new FootprintWorkload(environment, seed, sizes, log)::footprint));
            }
            if (workload == Workload.ingest_sweep || workload == Workload.all) {
                IngestSweep.Settings settings = IngestSweep.Settings.of(
                        connections == null ? IngestSweep.CONNECTIONS : connections, quick, sweepSeconds);
                results.put(
                        "ingest_sweep",
                        step("ingest sweep over HTTP", new IngestSweep(environment, seed, settings, log)::run));
            }
            if (workload == Workload.read || workload == Workload.all) {
                results.put("reads", step("reads", new ReadWorkload(environment, seed, sizes, log)::reads));
            }
            if (workload == Workload.stream || workload == Workload.all) {
                results.put("stream", step("live tail", () -> new StreamWorkload(environment, quick, log).run()));
            }
            if (workload == Workload.migrate || workload == Workload.all) {
                results.put(
                        "migrate",
                        step(
                                "legacy migration",
                                () -> MigrationWorkload.run(environment, seed, quick ? 20_000 : 1_000_000)));
            }
        }
        results.put("total_seconds", (System.nanoTime() - start) / 1e9);
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(report.resolve("results.json").toFile(), results);
        Report.write(report, results);
        if (results.get("ingest_sweep") instanceof Map<?, ?> sweep) {
            System.out.println(SweepReport.readmeTable(sweep));
        }
        System.out.println("bench: report in " + report.toAbsolutePath().resolve("report.md"));
        return 0;
    }

    private static Map<String, Object> step(String name, java.util.function.Supplier<Map<String, Object>> work) {
        System.err.println("bench: " + name + " ...");
        long start = System.nanoTime();
        Map<String, Object> figures = new LinkedHashMap<>(work.get());
        figures.put("workload_seconds", (System.nanoTime() - start) / 1e9);
        System.err.printf(Locale.ROOT, "bench: %s done in %.1fs%n", name, (System.nanoTime() - start) / 1e9);
        return figures;
    }

    /** Facts about the machine the figures come from. */
    static final class MachineFacts {
        static Map<String, Object> collect() {
            Map<String, Object> facts = new LinkedHashMap<>();
            facts.put("cores", Runtime.getRuntime().availableProcessors());
            facts.put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
            facts.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
            facts.put(
                    "os",
                    System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                            + System.getProperty("os.arch"));
            facts.put("cpu", firstLine(Path.of("/proc/cpuinfo"), "model name"));
            facts.put("memory", firstLine(Path.of("/proc/meminfo"), "MemTotal"));
            return facts;
        }

        private static String firstLine(Path file, String prefix) {
            try {
                List<String> lines = Files.exists(file) ? Files.readAllLines(file) : new ArrayList<>();
                return lines.stream()
                        .filter(l -> l.startsWith(prefix))
                        .findFirst()
                        .map(l -> l.substring(l.indexOf(':') + 1).trim())
                        .orElse("unknown");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
