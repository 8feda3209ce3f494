package dev.strata.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
        JsonNode results =
                new ObjectMapper().readTree(report.resolve("results.json").toFile());
        assertThat(number(results, "/footprint/objects_per_finished_task").asDouble())
                .as("objects_per_finished_task")
                .isEqualTo(1.0);
        assertThat(number(results, "/ingest_http/failed_requests").asLong())
                .as("ingest_http failed_requests")
                .isZero();
        assertThat(number(results, "/migrate/rows_imported").asLong())
                .as("migrate rows_imported")
                .isPositive();
        assertThat(number(results, "/append_growth/baseline_bytes_written_per_message_byte")
                        .asDouble())
                .as("baseline bytes written per message byte, against Strata's")
                .isGreaterThan(number(results, "/append_growth/strata_bytes_written_per_message_byte")
                        .asDouble());
        assertThat(Files.readString(report.resolve("report.md")))
                .contains("## Append latency", "## Footprint", "## Migration");
    }

    @Test
    void everyOptionDescription_isAValidFormatString() {
        // Regression: "30%" in --seconds made picocli warn "Could not format" whenever it rendered the help.
        // The annotations are read as written: picocli's model hands descriptions out already formatted.
        List<String> descriptions = new ArrayList<>();
        for (Field field : BenchCommand.class.getDeclaredFields()) {
            CommandLine.Option option = field.getAnnotation(CommandLine.Option.class);
            CommandLine.Parameters parameters = field.getAnnotation(CommandLine.Parameters.class);
            descriptions.addAll(List.of(option != null ? option.description() : new String[0]));
            descriptions.addAll(List.of(parameters != null ? parameters.description() : new String[0]));
        }

        assertThat(descriptions).isNotEmpty();
        for (String description : descriptions) {
            assertThatCode(() -> String.format(Locale.ROOT, description))
                    .as(description)
                    .doesNotThrowAnyException();
        }
    }

    @Test
    void number_failsOnAMissingPath_insteadOfReadingZero() throws Exception {
        JsonNode results = new ObjectMapper().readTree("{\"ingest_http\":{\"failed_requests\":0,\"note\":\"n/a\"}}");

        assertThat(number(results, "/ingest_http/failed_requests").asLong()).isZero();
        assertThatThrownBy(() -> number(results, "/ingest_http/failed_request"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("/ingest_http/failed_request");
        assertThatThrownBy(() -> number(results, "/ingest_http/note"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("/ingest_http/note");
    }

    /** The number at a JSON pointer; a missing path or a non-number fails (Jackson would read a missing node as 0). */
    static JsonNode number(JsonNode results, String pointer) {
        JsonNode node = results.at(pointer);
        assertThat(node.isNumber())
                .as("results.json %s is a number, got %s", pointer, node.isMissingNode() ? "nothing" : node)
                .isTrue();
        return node;
    }
}
