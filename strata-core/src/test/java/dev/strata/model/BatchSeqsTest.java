package dev.strata.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BatchSeqsTest {
    @Test
    void accept_firstOccurrence_thenRepeat_thenOutOfRange() {
        BatchSeqs seqs = new BatchSeqs();

        assertThat(seqs.accept(0)).isEqualTo(BatchSeqs.Verdict.FIRST);
        assertThat(seqs.accept(NewMessage.MAX_SEQ)).isEqualTo(BatchSeqs.Verdict.FIRST);
        assertThat(seqs.accept(0)).isEqualTo(BatchSeqs.Verdict.REPEATED);
        assertThat(seqs.accept(-1)).isEqualTo(BatchSeqs.Verdict.OUT_OF_RANGE);
        assertThat(seqs.accept(NewMessage.MAX_SEQ + 1)).isEqualTo(BatchSeqs.Verdict.OUT_OF_RANGE);
    }

    @Test
    void outOfRangeSeq_isNotRemembered_soItNeverCountsAsRepeated() {
        BatchSeqs seqs = new BatchSeqs();

        seqs.accept(-5);

        assertThat(seqs.accept(-5)).isEqualTo(BatchSeqs.Verdict.OUT_OF_RANGE);
    }

    @Test
    void repeated_isTheProblemEveryCallerReports() {
        assertThat(BatchSeqs.repeated(7)).isEqualTo("7 occurs more than once in the batch");
    }
}
