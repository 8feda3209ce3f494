package dev.strata.model;

/** Content read back from the content tier failed its checksum or could not be decoded. */
public final class CorruptContentException extends StrataException {
    public CorruptContentException(String message) {
        super(message);
    }
}
