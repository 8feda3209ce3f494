package dev.strata.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The ingest sweep's part of report.md, its chart, and a table ready to paste into the README. */
final class SweepReport {
    private SweepReport() {}

    static void append(StringBuilder md, Path directory, Map<?, ?> sweep) {
        md.append("## Ingest sweep over HTTP (batches of 20, N connections over N tasks)\n\n");
        md.append(String.format(
                Locale.ROOT,
                "Backends: %s. Each point: %.1f s of warm-up on tasks of its own, then %.1f s measured on fresh tasks; "
                        + "each request goes to one of the N tasks at random (about one writer per task), seqs in order per task. "
                        + "The original design: %s.%n%n",
                backendsName(sweep),
                num(sweep.get("warmup_seconds_per_point")),
                num(sweep.get("seconds_per_point")),
                sweep.get("original_design_path")));
        md.append(
                "| connections | Strata msg/s | Strata p50 / p99 ms | Strata PUTs per 1,000 msgs | Strata failed requests"
                        + " | original msg/s | original p50 / p99 ms | original PUTs per 1,000 msgs | original lost (of acknowledged)"
                        + " | Strata / original |\n|---|---|---|---|---|---|---|---|---|---|\n");
        List<String> labels = new ArrayList<>();
        List<Double> strataRates = new ArrayList<>();
        List<Double> originalRates = new ArrayList<>();
        long checked = 0;
        for (Map<?, ?> strata : points(sweep, "strata")) {
            Map<?, ?> original = matching(sweep, strata.get("connections"));
            checked += (long) num(strata.get("acknowledged"));
            md.append(String.format(
                    Locale.ROOT,
                    "| %d | %,.0f | %.1f / %.1f | %.2f | %d%s | %,.0f | %.1f / %.1f | %.2f | %,d (%.1f%%) | %.1fx |%n",
                    (int) num(strata.get("connections")),
                    num(strata.get("messages_per_second")),
                    num(strata.get("p50_ms")),
                    num(strata.get("p99_ms")),
                    num(strata.get("puts_per_1000_messages")),
                    (long) num(strata.get("failed_requests")),
                    strata.get("failures_by_kind") instanceof Map<?, ?> kinds && !kinds.isEmpty() ? " " + kinds : "",
                    num(original.get("messages_per_second")),
                    num(original.get("p50_ms")),
                    num(original.get("p99_ms")),
                    num(original.get("puts_per_1000_messages")),
                    (long) num(original.get("lost")),
                    100 * num(original.get("lost_fraction")),
                    num(strata.get("messages_per_second")) / num(original.get("messages_per_second"))));
            labels.add(strata.get("connections") + " conn.");
            strataRates.add(num(strata.get("messages_per_second")));
            originalRates.add(num(original.get("messages_per_second")));
        }
        md.append(String.format(
                Locale.ROOT,
                "%nAcknowledged == stored for Strata at every point: %,d acknowledged messages (warm-ups included) read back "
                        + "through the store, none missing (the run fails otherwise). Goals at 64 connections: embedded at least "
                        + "50,000 msg/s with p99 under 50 ms; scalable at least 20,000 msg/s and 30x the original design; "
                        + "at most 2 PUTs per 1,000 messages.%n%n",
                checked));
        if (!labels.isEmpty()) {
            Charts.bars(
                    directory.resolve("ingest-sweep.png"),
                    "Ingest over HTTP, batches of 20 (messages/s), " + backendsName(sweep),
                    "messages/s",
                    labels,
                    strataRates.stream().mapToDouble(Double::doubleValue).toArray(),
                    originalRates.stream().mapToDouble(Double::doubleValue).toArray());
            md.append("![ingest sweep](ingest-sweep.png)\n\n");
        }
        md.append("Ready to paste into the README's performance section:\n\n");
        md.append(readmeTable(sweep)).append('\n');
    }

    /** The sweep as one README table: a row per connection count, Strata beside the original design. */
    static String readmeTable(Map<?, ?> sweep) {
        StringBuilder table = new StringBuilder();
        table.append("| ")
                .append(backendsName(sweep))
                .append(
                        ", N connections over N tasks, batches of 20 | original design | Strata | Strata / original |\n")
                .append("|---|---|---|---|\n");
        for (Map<?, ?> strata : points(sweep, "strata")) {
            Map<?, ?> original = matching(sweep, strata.get("connections"));
            table.append(String.format(
                    Locale.ROOT,
                    "| %d connection%s | %,.0f msg/s, p50 %.1f ms, p99 %.1f ms, %.0f PUTs per 1,000 messages, %.1f%% of acknowledged messages lost"
                            + " | %,.0f msg/s, p50 %.1f ms, p99 %.1f ms, %.1f PUTs per 1,000 messages, none lost | %.1fx |%n",
                    (int) num(strata.get("connections")),
                    num(strata.get("connections")) == 1 ? "" : "s",
                    num(original.get("messages_per_second")),
                    num(original.get("p50_ms")),
                    num(original.get("p99_ms")),
                    num(original.get("puts_per_1000_messages")),
                    100 * num(original.get("lost_fraction")),
                    num(strata.get("messages_per_second")),
                    num(strata.get("p50_ms")),
                    num(strata.get("p99_ms")),
                    num(strata.get("puts_per_1000_messages")),
                    num(strata.get("messages_per_second")) / num(original.get("messages_per_second"))));
        }
        return table.toString();
    }

    private static String backendsName(Map<?, ?> sweep) {
        return "scalable".equals(sweep.get("backends"))
                ? "PostgreSQL + S3Proxy + Redis"
                : "SQLite + local directory + memory cache";
    }

    private static List<Map<?, ?>> points(Map<?, ?> sweep, String system) {
        List<Map<?, ?>> points = new ArrayList<>();
        if (sweep.get("points") instanceof List<?> all) {
            for (Object point : all) {
                if (point instanceof Map<?, ?> map && system.equals(map.get("system"))) {
                    points.add(map);
                }
            }
        }
        return points;
    }

    private static Map<?, ?> matching(Map<?, ?> sweep, Object connections) {
        return points(sweep, "original").stream()
                .filter(p -> p.get("connections").equals(connections))
                .findFirst()
                .orElse(Map.of());
    }

    private static double num(Object value) {
        return value instanceof Number number ? number.doubleValue() : Double.NaN;
    }
}
