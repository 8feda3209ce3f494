package dev.strata.tier.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every content backend must do; each backend's test subclasses this. */
public abstract class AbstractContentTierContractTest {
    protected ContentTier tier;

    protected abstract ContentTier open();

    protected void cleanUp() {}

    @BeforeEach
    void openTier() {
        tier = open();
    }

    @AfterEach
    void closeTier() {
        tier.close();
        cleanUp();
    }

    @Test
    void put_thenGet_returnsTheSameBytes() {
        byte[] bytes = randomBytes(10_000);
        tier.put(ContentKeys.segment("task", 1), bytes);

        assertThat(tier.get(ContentKeys.segment("task", 1)))
                .hasValueSatisfying(got -> assertThat(got).isEqualTo(bytes));
    }

    @Test
    void get_missingKey_isEmpty() {
        assertThat(tier.get(ContentKeys.segment("task", 404))).isEmpty();
    }

    @Test
    void put_sameKeyAndBytesAgain_isHarmless() {
        byte[] bytes = randomBytes(100);
        tier.put(ContentKeys.segment("task", 2), bytes);
        tier.put(ContentKeys.segment("task", 2), bytes);

        assertThat(tier.get(ContentKeys.segment("task", 2)))
                .hasValueSatisfying(got -> assertThat(got).isEqualTo(bytes));
    }

    @Test
    void delete_removesObjectsAndIgnoresMissingOnes() {
        tier.put(ContentKeys.segment("task", 3), randomBytes(10));
        tier.put(ContentKeys.segment("task", 4), randomBytes(10));
        tier.put(ContentKeys.segment("other", 3), randomBytes(10));

        tier.delete(List.of(
                ContentKeys.segment("task", 3), ContentKeys.segment("task", 4), ContentKeys.segment("task", 99)));
        tier.delete(List.of(ContentKeys.segment("task", 3)));

        assertThat(tier.get(ContentKeys.segment("task", 3))).isEmpty();
        assertThat(tier.get(ContentKeys.segment("task", 4))).isEmpty();
        assertThat(tier.get(ContentKeys.segment("other", 3))).isPresent();
    }

    @Test
    void largeObject_roundTrips() {
        byte[] bytes = randomBytes(20 << 20);
        tier.put(ContentKeys.segment("big", 1), bytes);

        assertThat(tier.get(ContentKeys.segment("big", 1)))
                .hasValueSatisfying(got -> assertThat(got).isEqualTo(bytes));
    }

    @Test
    void emptyObject_roundTrips() {
        tier.put(ContentKeys.segment("empty", 1), new byte[0]);

        assertThat(tier.get(ContentKeys.segment("empty", 1)))
                .hasValueSatisfying(got -> assertThat(got).isEmpty());
    }

    @Test
    void encodedTaskIds_areDistinctObjects() {
        tier.put(ContentKeys.segment("a/b", 1), new byte[] {1});
        tier.put(ContentKeys.segment("a~2Fb", 1), new byte[] {2});

        assertThat(tier.get(ContentKeys.segment("a/b", 1)))
                .hasValueSatisfying(got -> assertThat(got).containsExactly(1));
        assertThat(tier.get(ContentKeys.segment("a~2Fb", 1)))
                .hasValueSatisfying(got -> assertThat(got).containsExactly(2));
    }

    @Test
    void check_passesWhileTheBackendAnswers_andTheTierStillServes() {
        assertThatCode(tier::check).as("check of %s", tier.describe()).doesNotThrowAnyException();

        byte[] bytes = randomBytes(64);
        tier.put(ContentKeys.segment("checked", 1), bytes);
        assertThat(tier.get(ContentKeys.segment("checked", 1)))
                .as("get after check of %s", tier.describe())
                .hasValueSatisfying(got -> assertThat(got).isEqualTo(bytes));
    }

    protected static byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        new Random(length).nextBytes(bytes);
        return bytes;
    }
}
