package dev.strata.tier.content.s3;

import static java.util.Objects.requireNonNull;

import dev.strata.model.BackendUnavailableException;
import dev.strata.tier.content.ContentRanges;
import dev.strata.tier.content.ListableContent;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.LegacyMd5Plugin;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Error;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Content in any S3-compatible object store (AWS S3, Cloudflare R2, MinIO, S3Proxy) through the
 * AWS SDK v2 with its sync Apache HTTP client. Checksums are computed and validated only where
 * the API requires them, because some S3-compatible stores reject the SDK's newer default
 * checksum headers. Retries are the SDK's own, bounded by the call timeout; Strata adds none.
 * Objects are written once under unique keys, so no conditional writes are needed. Thread-safe.
 */
public final class S3ContentTier implements ListableContent {
    private static final Logger log = LoggerFactory.getLogger(S3ContentTier.class);
    /** The most keys one DeleteObjects request may carry. */
    private static final int DELETE_BATCH = 1000;

    private final S3Client client;
    private final S3Location location;
    private volatile boolean batchDeletes = true;

    public S3ContentTier(S3Location location, S3Settings settings) {
        this.location = requireNonNull(location, "location is null");
        requireNonNull(settings, "settings is null");
        var builder = S3Client.builder()
                .httpClientBuilder(ApacheHttpClient.builder()
                        .maxConnections(settings.maxConnections())
                        .connectionTimeout(java.time.Duration.ofSeconds(5))
                        .socketTimeout(settings.timeout()))
                .region(Region.of(settings.region()))
                .forcePathStyle(settings.pathStyle())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(credentials(settings))
                // DeleteObjects must carry Content-MD5 for MinIO and R2; newer SDKs send only CRC32 otherwise.
                .addPlugin(LegacyMd5Plugin.create())
                .overrideConfiguration(o -> o.apiCallTimeout(settings.timeout()));
        settings.endpoint().map(URI::create).ifPresent(builder::endpointOverride);
        this.client = builder.build();
    }

    @Override
    public void put(String key, byte[] bytes) {
        String objectKey = objectKey(key);
        call(
                "put",
                key,
                () -> client.putObject(
                        r -> r.bucket(location.bucket()).key(objectKey).contentType("application/vnd.strata.segment"),
                        RequestBody.fromBytes(bytes)));
    }

    @Override
    public Optional<byte[]> get(String key) {
        String objectKey = objectKey(key);
        return call("get", key, () -> {
            try {
                return Optional.of(
                        client.getObjectAsBytes(r -> r.bucket(location.bucket()).key(objectKey))
                                .asByteArray());
            } catch (NoSuchKeyException e) {
                return Optional.empty();
            }
        });
    }

    /** One ranged GetObject; a range past the object's end is corrupt metadata, not an outage. */
    @Override
    public Optional<byte[]> get(String key, long offset, int length) {
        ContentRanges.requireValid(offset, length);
        String objectKey = objectKey(key);
        String range = "bytes=" + offset + "-" + (offset + length - 1);
        Optional<byte[]> bytes = call("get", key, () -> {
            try {
                return Optional.of(client.getObjectAsBytes(
                                r -> r.bucket(location.bucket()).key(objectKey).range(range))
                        .asByteArray());
            } catch (NoSuchKeyException e) {
                return Optional.empty();
            } catch (S3Exception e) {
                if (e.statusCode() == 416) {
                    throw ContentRanges.tooShort(key, offset, length, -1);
                }
                throw e;
            }
        });
        if (bytes.isPresent() && bytes.get().length != length) {
            throw ContentRanges.tooShort(key, offset, length, offset + bytes.get().length);
        }
        return bytes;
    }

    @Override
    public void delete(Collection<String> keys) {
        List<String> all = List.copyOf(keys);
        for (int from = 0; from < all.size(); from += DELETE_BATCH) {
            List<String> batch = all.subList(from, Math.min(all.size(), from + DELETE_BATCH));
            if (batch.size() == 1 || !batchDeletes) {
                batch.forEach(this::deleteOne);
            } else {
                deleteBatch(batch);
            }
        }
    }

    private void deleteOne(String key) {
        String objectKey = objectKey(key);
        call(
                "delete",
                key,
                () -> client.deleteObject(r -> r.bucket(location.bucket()).key(objectKey)));
    }

    private void deleteBatch(List<String> batch) {
        List<ObjectIdentifier> identifiers = new ArrayList<>(batch.size());
        for (String key : batch) {
            identifiers.add(ObjectIdentifier.builder().key(objectKey(key)).build());
        }
        DeleteObjectsResponse response;
        try {
            response = client.deleteObjects(r -> r.bucket(location.bucket())
                    .delete(Delete.builder().objects(identifiers).quiet(true).build()));
        } catch (S3Exception e) {
            if (e.statusCode() != 501
                    && !"NotImplemented"
                            .equals(
                                    e.awsErrorDetails() == null
                                            ? null
                                            : e.awsErrorDetails().errorCode())) {
                throw unavailable("delete", batch.get(0), e);
            }
            // Some S3-compatible stores (S3Proxy among them) refuse the checksum headers the SDK
            // sends with DeleteObjects; from then on delete one object per request.
            log.warn("{} does not support batch deletes ({}); deleting objects one by one", location, e.getMessage());
            batchDeletes = false;
            batch.forEach(this::deleteOne);
            return;
        } catch (SdkException e) {
            throw unavailable("delete", batch.get(0), e);
        }
        List<S3Error> errors = response.errors().stream()
                .filter(e -> !"NoSuchKey".equals(e.code()))
                .toList();
        if (!errors.isEmpty()) {
            S3Error first = errors.get(0);
            throw new BackendUnavailableException(
                    "content delete of " + errors.size() + " objects in " + location + " failed, first " + first.key()
                            + ": " + first.code() + " " + first.message(),
                    null);
        }
    }

    /**
     * Lists in key order, leaving out folder markers (keys ending in '/', which consoles and some
     * S3-compatible stores create and Strata never writes), and asks again when they thinned a
     * page, so a page is short only at the end of the listing.
     */
    @Override
    public List<StoredObject> list(String prefix, String startAfter, int limit) {
        int wanted = Math.min(limit, MAX_PAGE);
        List<StoredObject> page = new ArrayList<>(Math.max(0, wanted));
        String after = startAfter;
        boolean more = wanted > 0;
        while (more && page.size() < wanted) {
            String from = after;
            var response = call(
                    "list",
                    prefix,
                    () -> client.listObjectsV2(r -> {
                        r.bucket(location.bucket())
                                .prefix(location.prefix() + prefix)
                                .maxKeys(wanted - page.size());
                        if (!from.isEmpty()) {
                            r.startAfter(location.prefix() + from);
                        }
                    }));
            for (var object : response.contents()) {
                after = object.key().substring(location.prefix().length());
                if (!after.endsWith("/")) {
                    page.add(new StoredObject(after, object.size(), object.lastModified()));
                }
            }
            more = Boolean.TRUE.equals(response.isTruncated())
                    && !response.contents().isEmpty();
        }
        return page;
    }

    @Override
    public void check() {
        call("check", location.toString(), () -> client.headBucket(r -> r.bucket(location.bucket())));
    }

    @Override
    public String describe() {
        return location.toString();
    }

    @Override
    public void close() {
        client.close();
    }

    private String objectKey(String key) {
        if (key.isEmpty() || key.startsWith("/") || key.contains("..")) {
            throw new IllegalArgumentException("invalid content key: " + key);
        }
        return location.prefix() + key;
    }

    private <T> T call(String operation, String key, java.util.function.Supplier<T> work) {
        try {
            return work.get();
        } catch (SdkException e) {
            throw unavailable(operation, key, e);
        }
    }

    private BackendUnavailableException unavailable(String operation, String key, SdkException e) {
        return new BackendUnavailableException(
                "content " + operation + " of " + key + " in " + location + " failed: " + e.getMessage(), e);
    }

    private static AwsCredentialsProvider credentials(S3Settings settings) {
        if (settings.accessKeyId().isPresent()) {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(
                    settings.accessKeyId().get(), settings.secretAccessKey().get()));
        }
        return DefaultCredentialsProvider.builder().build();
    }
}
