package dev.strata.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The bench runs end to end and writes its report; the figures themselves are not judged here. */
class BenchCommandTest {
    @TempDir
    Path report;

    @Test
    void quickRun_writesReportResultsAndCharts() throws Exception {
        int exit = new CommandLine(new BenchCommand()).execute("all", "--quick", "--report", report.toString());

        assertThat(exit).isZero();
        assertThat(report.resolve("report.md")).exists();
        assertThat(report.resolve("append-latency.png")).exists();
        assertThat(report.resolve("throughput.png")).exists();
        JsonNode results = new ObjectMapper().readTree(report.resolve("results.json").toFile());
        assertThat(results.at("/footprint/objects_per_finished_task").asDouble()).isEqualTo(1.0);
        assertThat(results.at("/ingest_http/failed_requests").asLong()).isZero();
        assertThat(results.at("/migrate/rows_imported").asLong()).isPositive();
        assertThat(results.at("/append_growth/baseline_bytes_written_per_message_byte").asDouble())
                .isGreaterThan(results.at("/append_growth/strata_bytes_written_per_message_byte").asDouble());
        assertThat(Files.readString(report.resolve("report.md"))).contains("## Append latency", "## Footprint", "## Migration");
    }
}
