package dev.strata.store;

/** Checks on text that must survive UTF-8 storage unchanged. */
final class Text {
    private Text() {
    }

    /**
     * Rejects unpaired UTF-16 surrogates: UTF-8 cannot represent them, so storing such a string
     * would silently change it, which breaks the exact round trip promise.
     */
    static void requireWellFormed(String field, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                    i++;
                    continue;
                }
                throw new InvalidInputException(field + ": contains an unpaired surrogate at index " + i);
            }
            if (Character.isLowSurrogate(c)) {
                throw new InvalidInputException(field + ": contains an unpaired surrogate at index " + i);
            }
        }
    }
}
