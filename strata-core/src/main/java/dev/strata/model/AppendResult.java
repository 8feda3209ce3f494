package dev.strata.model;

/**
 * What an append did.
 *
 * @param accepted messages stored by this call
 * @param duplicates messages whose seq was already stored (by an earlier call or a concurrent one); the first write wins
 * @param dropped messages whose type the drop policy discards
 */
public record AppendResult(int accepted, int duplicates, int dropped) {
    public AppendResult {
        if (accepted < 0 || duplicates < 0 || dropped < 0) {
            throw new IllegalArgumentException(
                    "counts must not be negative: " + accepted + ", " + duplicates + ", " + dropped);
        }
    }
}
