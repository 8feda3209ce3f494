package dev.strata.bench;

import dev.strata.server.Strata;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.migrate.Importer;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Imports a generated legacy SQLite database into fresh embedded tiers and reports rows per second and peak heap. */
final class MigrationWorkload {
    private MigrationWorkload() {}

    static Map<String, Object> run(BenchEnvironment environment, long seed, long rows) {
        Path legacy = environment.directory.resolve("legacy.db");
        long generateStart = System.nanoTime();
        int tasks = LegacyGenerator.writeSqlite(legacy, seed, rows);
        double generateSeconds = (System.nanoTime() - generateStart) / 1e9;
        Map<String, String> env = Map.of(
                "STRATA_DB_URL", "jdbc:sqlite:" + environment.directory.resolve("migrated.db"),
                "STRATA_CONTENT_URL", "file:" + environment.directory.resolve("migrated-objects"),
                "STRATA_CACHE_URL", "none");
        System.gc();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            pool.resetPeakUsage();
        }
        Importer.Summary summary;
        try (Strata strata = Strata.open(StrataConfig.fromEnvironment(env))) {
            summary = strata.importer()
                    .run(
                            new Importer.Options(
                                    "jdbc:sqlite:" + legacy,
                                    Optional.empty(),
                                    false,
                                    0,
                                    1000,
                                    Importer.DEFAULT_CONCURRENCY,
                                    false),
                            total -> {},
                            read -> {});
        }
        long peakHeap = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP)
                .mapToLong(p -> p.getPeakUsage().getUsed())
                .sum();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("rows", summary.rowsRead());
        result.put("tasks", tasks);
        result.put("rows_imported", summary.rowsImported());
        result.put("legacy_file_mb", legacy.toFile().length() / 1e6);
        result.put("generate_seconds", generateSeconds);
        result.put("import_seconds", summary.seconds());
        result.put("rows_per_second", summary.rowsRead() / summary.seconds());
        result.put("peak_heap_mb", peakHeap >> 20);
        result.put("bytes_before", summary.bytesBefore());
        result.put("bytes_after", summary.bytesAfter());
        return result;
    }
}
