package dev.strata.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedactionTest {
    @Test
    void maskUrl_hidesEveryCredentialAndKeepsTheRest() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("redis://:password@host:6379/0", "redis://:***@host:6379/0");
        cases.put("redis://user:pw@host", "redis://user:***@host");
        cases.put("rediss://onlypassword@host:6380", "rediss://***@host:6380");
        cases.put("redis://:p@ss/w?rd@host:6379", "redis://:***@host:6379");
        cases.put(
                "jdbc:postgresql://db:5432/strata?user=strata&password=secret",
                "jdbc:postgresql://db:5432/strata?user=strata&password=***");
        cases.put(
                "jdbc:postgresql://db/strata?password=secret&currentSchema=s",
                "jdbc:postgresql://db/strata?password=***&currentSchema=s");
        cases.put("jdbc:postgresql://strata:secret@db/strata", "jdbc:postgresql://strata:***@db/strata");
        cases.put(
                "jdbc:postgresql://db/strata?sslpassword=a&sslkey=/k.pem&PASSWORD=b",
                "jdbc:postgresql://db/strata?sslpassword=***&sslkey=***&PASSWORD=***");
        cases.put("jdbc:sqlite:data/strata.db?password=x", "jdbc:sqlite:data/strata.db?password=***");
        cases.put("https://key:secret@minio.internal:9000", "https://key:***@minio.internal:9000");
        cases.put("http://minio:9000/?X-Amz-Signature=abc&token=t", "http://minio:9000/?X-Amz-Signature=***&token=***");
        cases.put(
                "jdbc:postgresql://db:5432/strata?currentSchema=s", "jdbc:postgresql://db:5432/strata?currentSchema=s");
        cases.put("jdbc:postgresql://db/strata?password=", "jdbc:postgresql://db/strata?password=");
        cases.put("s3://bucket/prefix", "s3://bucket/prefix");
        cases.put("file:data/objects", "file:data/objects");
        cases.put("memory", "memory");
        cases.forEach(
                (url, masked) -> assertThat(Redaction.maskUrl(url)).as(url).isEqualTo(masked));
        assertThat(Redaction.maskUrl(null)).isNull();
    }
}
