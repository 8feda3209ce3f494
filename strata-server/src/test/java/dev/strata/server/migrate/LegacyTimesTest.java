package dev.strata.server.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The hand-written reading of common legacy times agrees with the general one on every input. */
class LegacyTimesTest {
    @Test
    void parse_readsSqliteAndIsoTimesAsUtc() {
        assertThat(LegacyTimes.parse("2026-05-01 10:20:30")).contains(Instant.parse("2026-05-01T10:20:30Z"));
        assertThat(LegacyTimes.parse(" 2026-05-01T10:20:30.5Z ")).contains(Instant.parse("2026-05-01T10:20:30.500Z"));
        assertThat(LegacyTimes.parse("2026-05-01 10:20:30.123456789"))
                .contains(Instant.parse("2026-05-01T10:20:30.123456789Z"));
        assertThat(LegacyTimes.parse("2026-05-01 10:20:30+02")).contains(Instant.parse("2026-05-01T08:20:30Z"));
        assertThat(LegacyTimes.parse("not a time")).isEmpty();
        assertThat(LegacyTimes.parse("  ")).isEmpty();
        assertThat(LegacyTimes.parse(null)).isEmpty();
    }

    @Test
    void parse_givesTheGeneralReadingsAnswer_forOddAndInvalidShapes() {
        List<String> odd = List.of(
                "2026-02-30 10:00:00", // invalid day: the SQLite pattern's lenient resolver still reads it
                "2026-02-29 10:00:00",
                "2024-02-29 10:00:00",
                "2026-13-01 10:00:00",
                "2026-05-01 24:00:00",
                "2026-05-01 23:59:60",
                "2026-05-01 10:20",
                "2026-05-01 10:20:30.",
                "2026-05-01 10:20:30.1234567891",
                "2026-05-01 10:20:30z",
                "2026-05-01t10:20:30",
                "2026-05-01 10:20:30+02:00",
                "2026-05-01 10:20:30-0530",
                "2026-05-01 10:20:30 ",
                "2026-05-01  10:20:30",
                "0000-01-01 00:00:00",
                "+2026-05-01 10:20:30",
                "2026-5-01 10:20:30",
                "2026-05-01 10:2x:30",
                "２０２６-05-01 10:20:30");
        for (String text : odd) {
            assertThat(LegacyTimes.parse(text)).as(text).isEqualTo(general(text));
        }
    }

    @Test
    void parse_givesTheGeneralReadingsAnswer_forGeneratedTimes() {
        SplittableRandom random = new SplittableRandom(12);
        List<String> generated = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            StringBuilder text = new StringBuilder(String.format(
                    "%04d-%02d-%02d%s%02d:%02d:%02d",
                    random.nextInt(10_000),
                    random.nextInt(14),
                    random.nextInt(33),
                    random.nextBoolean() ? " " : "T",
                    random.nextInt(26),
                    random.nextInt(61),
                    random.nextInt(62)));
            if (random.nextBoolean()) {
                text.append('.')
                        .append(String.format("%012d", random.nextLong(1_000_000_000_000L)), 0, random.nextInt(12));
            }
            if (random.nextInt(3) == 0) {
                text.append(random.nextBoolean() ? "Z" : "+01");
            }
            generated.add(text.toString());
        }
        for (String text : generated) {
            assertThat(LegacyTimes.parse(text)).as(text).isEqualTo(general(text));
        }
    }

    private static Optional<Instant> general(String text) {
        return text == null || text.isBlank() ? Optional.empty() : LegacyTimes.parseGeneral(text.trim());
    }
}
