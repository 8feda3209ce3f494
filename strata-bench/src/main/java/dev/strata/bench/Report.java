package dev.strata.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes report.md and the charts from the results map. */
final class Report {
    /** Published request prices used for the cost lines, per 1,000 requests in USD, as of 2025. */
    static final double S3_PUT_PER_1000 = 0.005;

    static final double S3_GET_PER_1000 = 0.0004;
    static final double R2_CLASS_A_PER_1000 = 0.0045;
    static final double R2_CLASS_B_PER_1000 = 0.00036;

    private Report() {}

    @SuppressWarnings("unchecked")
    static void write(Path directory, Map<String, Object> results) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# Strata bench report\n\n");
        md.append("Command: `bin/strata bench ")
                .append(results.get("quick").equals(true) ? "--quick " : "")
                .append("--backends ")
                .append(results.get("backends"))
                .append("`, seed ")
                .append(results.get("seed"))
                .append(", started ")
                .append(results.get("started_at"))
                .append(String.format(Locale.ROOT, ", %.0f s in all.%n%n", num(results.get("total_seconds"))));
        Map<String, Object> machine = (Map<String, Object>) results.get("machine");
        md.append("Machine: ")
                .append(machine.get("cores"))
                .append(" cores, ")
                .append(machine.get("cpu"))
                .append(", ")
                .append(machine.get("memory"))
                .append(" RAM, ")
                .append(machine.get("java"))
                .append(", ")
                .append(machine.get("os"))
                .append(".\n\n");
        md.append(
                "Every append returns only after its content is durable (fsync or S3 PUT) and its metadata committed; no figure relaxes that.\n\n");

        if (results.get("append_growth") instanceof Map<?, ?> growth) {
            Map<String, Object> g = (Map<String, Object>) growth;
            md.append("## Append latency as one task grows (batches of 10)\n\n");
            md.append(
                    "| at message | Strata median ms | Strata p99 ms | original median ms | original p99 ms | original / Strata | samples |\n|---|---|---|---|---|---|---|\n");
            for (int point : IngestWorkloads.LATENCY_POINTS) {
                if (g.get("append_at_" + point) instanceof Map<?, ?> at) {
                    Stats strata = (Stats) at.get("strata_ms");
                    Stats original = (Stats) at.get("baseline_ms");
                    md.append(String.format(
                            Locale.ROOT,
                            "| %,d | %.2f | %.2f | %.2f | %.2f | %.1fx | %d |%n",
                            point,
                            strata.median(),
                            strata.p99(),
                            original.median(),
                            original.p99(),
                            num(at.get("ratio_median")),
                            strata.count()));
                }
            }
            md.append(String.format(
                    Locale.ROOT,
                    "%nGrowth from the first to the last point, median: Strata %.2fx (goal: at most 1.2x), original design %.1fx.%n%n",
                    num(g.get("strata_growth_last_over_first")),
                    num(g.get("baseline_growth_last_over_first"))));
            md.append(String.format(
                    Locale.ROOT,
                    "Bytes written to the content tier per byte of message: Strata %.2f before compaction (goal at most 1.0), "
                            + "%.2f including compaction (goal at most 2.0); original design %.1f.%n%n",
                    num(g.get("strata_bytes_written_per_message_byte")),
                    num(g.get("strata_bytes_written_per_message_byte_with_compaction")),
                    num(g.get("baseline_bytes_written_per_message_byte"))));
            Charts.lines(
                    directory.resolve("append-latency.png"),
                    "Append latency against task length (median ms, log scale)",
                    "messages in the task",
                    "ms",
                    (List<double[]>) g.get("curve"));
            md.append("![append latency](append-latency.png)\n\n");
        }
        if (results.get("ingest_in_process") instanceof Map<?, ?> local
                && results.get("ingest_http") instanceof Map<?, ?> http) {
            md.append(
                    "## Ingest throughput (many tasks, batches of 20)\n\n| path | messages | messages/s | MB/s |\n|---|---|---|---|\n");
            md.append(String.format(
                    Locale.ROOT,
                    "| store API, 8 writers | %,d | %,.0f | %.1f |%n",
                    (int) num(local.get("messages")),
                    num(local.get("messages_per_second")),
                    num(local.get("mb_per_second"))));
            md.append(String.format(
                    Locale.ROOT,
                    "| HTTP on loopback, %s clients | %,d | %,.0f | %.1f |%n%n",
                    http.get("clients"),
                    (int) num(http.get("messages")),
                    num(http.get("messages_per_second")),
                    num(http.get("mb_per_second"))));
            md.append("Failed requests: ")
                    .append(http.get("failed_requests"))
                    .append(". The HTTP row runs on a fresh server through the JDK's HTTP client, which shares the"
                            + " server's JVM and cores; the ingest sweep below, with its lean client and warmed-up JVM,"
                            + " is the measurement the throughput goals refer to.\n\n");
            Charts.bars(
                    directory.resolve("throughput.png"),
                    "Ingest throughput (messages/s)",
                    "messages/s",
                    List.of("store API", "HTTP"),
                    new double[] {num(local.get("messages_per_second")), num(http.get("messages_per_second"))},
                    new double[] {-1, -1});
            md.append("![throughput](throughput.png)\n\n");
        }
        if (results.get("ingest_sweep") instanceof Map<?, ?> sweep) {
            SweepReport.append(md, directory, sweep);
        }
        if (results.get("reads") instanceof Map<?, ?> reads) {
            md.append(
                    "## Reads of a 1,000-message task\n\n| read | before compaction median / p99 ms | after compaction median / p99 ms |\n|---|---|---|\n");
            Map<String, Object> before = (Map<String, Object>) reads.get("before_compaction");
            Map<String, Object> after = (Map<String, Object>) reads.get("after_compaction");
            for (String key : List.of("full_warm_ms", "full_cold_ms", "poll_last_10_warm_ms", "poll_last_10_cold_ms")) {
                Stats b = (Stats) before.get(key);
                Stats a = (Stats) after.get(key);
                md.append(String.format(
                        Locale.ROOT,
                        "| %s | %.2f / %.2f | %.2f / %.2f |%n",
                        key.replace("_ms", "").replace('_', ' '),
                        b.median(),
                        b.p99(),
                        a.median(),
                        a.p99()));
            }
            Stats baseWarm = (Stats) reads.get("baseline_full_warm_ms");
            Stats baseCold = (Stats) reads.get("baseline_full_cold_ms");
            md.append(String.format(
                    Locale.ROOT,
                    "| original design, full warm / cold | %.2f / %.2f (medians) | |%n%n",
                    baseWarm.median(),
                    baseCold.median()));
            md.append("Goal: warm full read under 5 ms median, in process. Content GETs per cold full read: ")
                    .append(before.get("content_gets_per_cold_full_read"))
                    .append(" before compaction (")
                    .append(reads.get("segments_before_compaction"))
                    .append(" segments), ")
                    .append(after.get("content_gets_per_cold_full_read"))
                    .append(" after.\n\n");
            md.append(String.format(
                    Locale.ROOT,
                    "A cold poll of the last 10 messages of the compacted 1,000-message task (fresh store, no cache) reads "
                            + "%,d bytes from the content tier (goal: at most 65,536).%n%n",
                    (long) num(reads.get("cold_poll_last_10_content_bytes_after_compaction"))));
        }
        if (results.get("footprint") instanceof Map<?, ?> f) {
            md.append("## Footprint\n\n");
            md.append(String.format(
                    Locale.ROOT,
                    "%,d messages in %,d generated tasks, appended at %,.0f messages/s by 4 writers.%n%n",
                    (long) num(f.get("messages")),
                    (long) num(f.get("tasks")),
                    num(f.get("append_messages_per_second"))));
            md.append("| figure | value | goal |\n|---|---|---|\n");
            md.append(String.format(
                    Locale.ROOT,
                    "| metadata bytes per message (database file, all tables and indexes), as appended | %.1f | at most 64 |%n",
                    num(f.get("metadata_bytes_per_message"))));
            md.append(String.format(
                    Locale.ROOT,
                    "| the same after compaction / after VACUUM | %.1f / %.1f | |%n",
                    num(f.get("metadata_bytes_per_message_after_compaction")),
                    num(f.get("metadata_bytes_per_message_after_vacuum"))));
            md.append(String.format(
                    Locale.ROOT,
                    "| content bytes per message after compaction | %.0f | |%n",
                    num(f.get("content_bytes_per_message_after_compaction"))));
            md.append(String.format(
                    Locale.ROOT,
                    "| compression ratio (message bytes / stored bytes) | %.2fx | at least 3x |%n",
                    num(f.get("compression_ratio"))));
            md.append(String.format(
                    Locale.ROOT,
                    "| objects per finished task | %.2f | 1 |%n",
                    num(f.get("objects_per_finished_task"))));
            double puts = num(f.get("content_puts_per_1000_appended_messages"));
            double compaction = num(f.get("compaction_requests_per_1000_messages"));
            double deletion = num(f.get("deletion_requests_per_1000_messages"));
            md.append(String.format(
                    Locale.ROOT, "| object-store requests per 1,000 appended messages | %.1f PUT | |%n", puts));
            md.append(String.format(
                    Locale.ROOT,
                    "| requests per 1,000 messages for compaction / deletion | %.1f / %.1f | |%n%n",
                    compaction,
                    deletion));
            md.append(String.format(
                    Locale.ROOT,
                    "Request cost per million appended messages: AWS S3 $%.2f (PUT $0.005 per 1,000), "
                            + "Cloudflare R2 $%.2f (Class A $4.50 per million); compaction adds at most $%.2f (S3) / $%.2f (R2). "
                            + "Prices as published by AWS and Cloudflare in 2025; check them before relying on these lines.%n%n",
                    // Requests per 1,000 messages times 1,000 is requests per million; prices are per 1,000 requests.
                    puts * S3_PUT_PER_1000,
                    puts * R2_CLASS_A_PER_1000,
                    compaction * S3_PUT_PER_1000,
                    compaction * R2_CLASS_A_PER_1000));
            List<String> labels = new ArrayList<>(List.of("metadata B/msg", "content B/msg"));
            Charts.bars(
                    directory.resolve("bytes-per-message.png"),
                    "Bytes per message (Strata after compaction)",
                    "bytes",
                    labels,
                    new double[] {
                        num(f.get("metadata_bytes_per_message")),
                        num(f.get("content_bytes_per_message_after_compaction"))
                    },
                    new double[] {-1, -1});
            md.append("![bytes per message](bytes-per-message.png)\n\n");
        }
        if (results.get("migrate") instanceof Map<?, ?> m) {
            md.append("## Migration from the single-table layout\n\n");
            md.append(String.format(
                    Locale.ROOT,
                    "%,d legacy rows in %,d tasks (SQLite file of %.0f MB) imported at %,.0f rows/s (goal at least 50,000); "
                            + "peak heap %d MB.%n%n",
                    (long) num(m.get("rows")),
                    (long) num(m.get("tasks")),
                    num(m.get("legacy_file_mb")),
                    num(m.get("rows_per_second")),
                    (long) num(m.get("peak_heap_mb"))));
        }
        if (results.get("stream") instanceof Map<?, ?> stream) {
            md.append("## Live tail\n\n");
            for (String setup : List.of("same_instance", "two_instances")) {
                if (stream.get(setup) instanceof Map<?, ?> d
                        && d.get("send_to_event_ms") instanceof Map<?, ?> send
                        && d.get("ack_to_event_ms") instanceof Map<?, ?> ack) {
                    md.append(String.format(
                            Locale.ROOT,
                            "Append-to-event delay, %s, %d appends: from sending the append p50 %.1f ms,"
                                    + " p99 %.1f ms; from its acknowledgment p50 %.1f ms, p99 %.1f ms.%n%n",
                            setup.replace('_', ' '),
                            (long) num(d.get("appends")),
                            num(send.get("p50")),
                            num(send.get("p99")),
                            num(ack.get("p50")),
                            num(ack.get("p99"))));
                }
            }
            if (stream.get("idle_streams") instanceof Map<?, ?> idle) {
                md.append(String.format(
                        Locale.ROOT,
                        "%,d idle streams: heap %.0f MB -> %.0f MB after GC (clients in the same JVM included),"
                                + " platform threads %d -> %d.%n%n",
                        (long) num(idle.get("streams")),
                        num(idle.get("heap_before_mb")),
                        num(idle.get("heap_after_mb")),
                        (long) num(idle.get("platform_threads_before")),
                        (long) num(idle.get("platform_threads_after"))));
            }
        }
        Files.writeString(directory.resolve("report.md"), md.toString());
    }

    private static double num(Object value) {
        return value instanceof Number number ? number.doubleValue() : Double.NaN;
    }
}
