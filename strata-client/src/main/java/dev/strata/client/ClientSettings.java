package dev.strata.client;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/** Everything a {@link StrataClient} was built with, validated. The token never appears in {@link #toString()}. */
record ClientSettings(
        URI baseUri,
        String token,
        Optional<String> workspace,
        Duration connectTimeout,
        Duration requestTimeout,
        Duration streamIdleTimeout,
        RetryPolicy retry,
        AppenderSettings appenders) {
    ClientSettings {
        requireNonNull(baseUri, "baseUri is null");
        requireNonNull(token, "token is null");
        requireNonNull(workspace, "workspace is null");
        requireNonNull(retry, "retry is null");
        requireNonNull(appenders, "appenders is null");
        if (!"http".equals(baseUri.getScheme()) && !"https".equals(baseUri.getScheme())) {
            throw new IllegalArgumentException("baseUri must be an http or https URI: " + baseUri);
        }
        if (token.isBlank() || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw new IllegalArgumentException("token must be non-empty printable ASCII without spaces");
        }
        positive("connectTimeout", connectTimeout);
        positive("requestTimeout", requestTimeout);
        positive("streamIdleTimeout", streamIdleTimeout);
    }

    /** The base URI as a prefix for the API's absolute paths, without a trailing slash. */
    String prefix() {
        String text = baseUri.toString();
        return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
    }

    @Override
    public String toString() {
        return "ClientSettings[baseUri=" + baseUri + ", token=***, workspace=" + workspace + ", connectTimeout="
                + connectTimeout + ", requestTimeout=" + requestTimeout + ", streamIdleTimeout=" + streamIdleTimeout
                + ", retry=" + retry + ", appenders="
                + appenders + "]";
    }

    static void positive(String name, Duration value) {
        requireNonNull(value, name + " is null");
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }
}
