package dev.strata.bench;

import static dev.strata.bench.BenchCommandTest.number;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The ingest sweep runs every point on embedded backends and checks acknowledged == stored; sizes are tiny. */
class IngestSweepTest {
    @TempDir
    Path report;

    @Test
    void quickSweep_reportsEveryPointOfBothSystems_andChecksAcknowledgedAgainstStored() throws Exception {
        int exit = new CommandLine(new BenchCommand())
                .execute("ingest-sweep", "--quick", "--seconds", "0.3", "--report", report.toString());

        assertThat(exit).isZero();
        JsonNode points = new ObjectMapper()
                .readTree(report.resolve("results.json").toFile())
                .at("/ingest_sweep/points");
        List<String> seen = new ArrayList<>();
        for (JsonNode point : points) {
            seen.add(point.get("system").asText() + "@"
                    + point.get("connections").asInt());
            assertThat(number(point, "/messages_per_second").asDouble()).isPositive();
            assertThat(number(point, "/p99_ms").asDouble())
                    .isGreaterThanOrEqualTo(number(point, "/p50_ms").asDouble());
            assertThat(number(point, "/content_puts").asLong()).isPositive();
            if (point.get("system").asText().equals("strata")) {
                // The check read every task back: what it found covers what was acknowledged.
                assertThat(number(point, "/acknowledged").asLong())
                        .isGreaterThanOrEqualTo(number(point, "/messages").asLong())
                        .isPositive();
                assertThat(number(point, "/stored").asLong())
                        .isGreaterThanOrEqualTo(number(point, "/acknowledged").asLong());
                assertThat(number(point, "/lost").asLong()).isZero();
            }
        }
        assertThat(seen)
                .containsExactly(
                        "strata@1",
                        "original@1",
                        "strata@8",
                        "original@8",
                        "strata@64",
                        "original@64",
                        "strata@256",
                        "original@256");
        String markdown = Files.readString(report.resolve("report.md"));
        assertThat(markdown).contains("## Ingest sweep over HTTP", "Ready to paste");
        for (int connections : List.of(1, 8, 64, 256)) {
            assertThat(markdown)
                    .contains("| " + connections + (connections == 1 ? " connection | " : " connections | "));
        }
        assertThat(report.resolve("ingest-sweep.png")).exists();
    }

    @Test
    void check_countsAcknowledgedMessagesATaskDoesNotHold_andFailsNamingThePoint() {
        BitSet acknowledged = new BitSet();
        acknowledged.set(1, 41);
        BitSet stored = new BitSet();
        stored.set(1, 21);
        stored.set(41, 61); // stored but never acknowledged (a request that failed after its write): not a loss

        AcknowledgedCheck check = AcknowledgedCheck.compare(Map.of("t1", acknowledged), task -> stored);

        assertThat(check.acknowledged()).isEqualTo(40);
        assertThat(check.stored()).isEqualTo(40);
        assertThat(check.lost()).isEqualTo(20);
        assertThatThrownBy(() -> check.requireNothingLost("strata at 64 connections"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("acknowledged != stored for strata at 64 connections")
                .hasMessageContaining("20 of 40")
                .hasMessageContaining("t1: 20 of 40 acknowledged missing, first seq 21");
    }

    @Test
    void check_passesWhenEveryAcknowledgedMessageIsStored() {
        BitSet acknowledged = new BitSet();
        acknowledged.set(1, 41);

        AcknowledgedCheck check = AcknowledgedCheck.compare(Map.of("t1", acknowledged), task -> acknowledged);

        assertThat(check.requireNothingLost("strata at 1 connection").lost()).isZero();
    }
}
