package dev.strata.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The access line's duration and the generated request ids, which skip String.format and SecureRandom. */
class AccessLineFieldsTest {
    @Test
    void durationIsWhatPercentPointOneFWrites() {
        Random random = new Random(12);
        float[] edges = {0f, 0.04f, 0.05f, 0.25f, 0.75f, 1.45f, 9.95f, 16.44f, 99.95f, 999.95f, 12345.65f};
        for (float millis : edges) {
            assertThat(AccessLog.tenths(millis))
                    .as("%s ms", millis)
                    .isEqualTo(String.format(Locale.ROOT, "%.1f", millis));
        }
        for (int i = 0; i < 100_000; i++) {
            float millis = random.nextFloat() * (i % 2 == 0 ? 100 : 100_000);
            assertThat(AccessLog.tenths(millis))
                    .as("%s ms", millis)
                    .isEqualTo(String.format(Locale.ROOT, "%.1f", millis));
        }
    }

    @Test
    void generatedRequestIdsAreDistinctVersion4Uuids() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = RequestIds.choose(i % 2 == 0 ? null : "not sane!");
            UUID uuid = UUID.fromString(id);
            assertThat(uuid.version()).isEqualTo(4);
            assertThat(uuid.variant()).isEqualTo(2);
            assertThat(uuid.toString()).isEqualTo(id);
            ids.add(id);
        }
        assertThat(ids).hasSize(10_000);
        assertThat(RequestIds.choose("client-request.1")).isEqualTo("client-request.1");
    }
}
