package dev.strata.server.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks credentials in URL-valued settings before they are logged or quoted in an error: the
 * password of {@code scheme://user:password@host} (the whole user part when it has no colon, as
 * Redis reads {@code redis://password@host}), and the value of every query or JDBC property whose
 * name says it is secret ({@code password=}, {@code sslpassword=}, {@code secret=}, {@code token=},
 * {@code ...key=}). The rest stays readable, so an operator can still see which host and database
 * are meant.
 */
public final class Redaction {
    static final String MASK = "***";
    /** {@code name=value} after {@code ?}, {@code &} or {@code ;} where the name looks secret. */
    private static final Pattern SECRET_PROPERTY = Pattern.compile(
            "([?&;][^=&;?#]*(?:pass|pwd|secret|token|key|credential|auth|signature)[^=&;?#]*=)([^&;#]*)",
            Pattern.CASE_INSENSITIVE);

    private Redaction() {}

    /** {@code url} with its credentials replaced by {@code ***}; null stays null. */
    public static String maskUrl(String url) {
        if (url == null) {
            return null;
        }
        String masked = url;
        int authority = url.indexOf("//");
        if (authority >= 0) {
            authority += 2;
            // The last @ of all: an unencoded password may itself hold @, / or ?. An @ in a query
            // value then masks more than needed, which is the safe side.
            int at = url.lastIndexOf('@');
            if (at >= authority) {
                String info = url.substring(authority, at);
                int colon = info.indexOf(':');
                String kept = colon >= 0 ? info.substring(0, colon + 1) + MASK : MASK;
                masked = url.substring(0, authority) + kept + url.substring(at);
            }
        }
        return SECRET_PROPERTY
                .matcher(masked)
                .replaceAll(
                        m -> Matcher.quoteReplacement(m.group(1) + (m.group(2).isEmpty() ? "" : MASK)));
    }
}
