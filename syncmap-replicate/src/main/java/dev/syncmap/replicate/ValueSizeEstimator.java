package dev.syncmap.replicate;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Objects;

import dev.syncmap.copy.Codec;

/**
 * Estimates the size in bytes of a value, for the {@link KeyDistribution key-distribution metric}. Runs on the
 * pipeline's transform thread for every change it is given, so it should be cheap; it must not change the value.
 *
 * @param <V> the type of values
 */
@FunctionalInterface
public interface ValueSizeEstimator<V> {

    /** What {@link #estimate} returns when it cannot tell; counted in the {@code unknown} size bucket. */
    long UNKNOWN = -1;

    /**
     * Estimates the size of a (non-null) value.
     *
     * @param value the value
     * @return the size in bytes, or {@link #UNKNOWN}
     * @throws RuntimeException if the value cannot be measured (counted by the metric as an estimator failure
     *     and in the {@code unknown} bucket; the change goes on unchanged)
     */
    long estimate(V value);

    /**
     * The default estimate: a {@link CharSequence}'s length × 2 (UTF-16), a {@code byte[]}'s length, a
     * {@link ByteBuffer}'s remaining bytes, 8 for a {@link Number}, 1 for a {@link Boolean}, and
     * {@link #UNKNOWN} for anything else.
     *
     * @param <V> the type of values
     * @return the estimator
     */
    static <V> ValueSizeEstimator<V> defaults() {
        return ValueSizeEstimator::defaultEstimate;
    }

    /**
     * The default estimate where it knows the type, else the length of the value's encoding by a codec.
     *
     * @param codec encodes values of the types the default does not know
     * @param <V> the type of values
     * @return the estimator
     */
    static <V> ValueSizeEstimator<V> withCodec(Codec<? super V> codec) {
        Objects.requireNonNull(codec, "codec");
        return v -> {
            long d = defaultEstimate(v);
            return d != UNKNOWN ? d : encodedLength(codec, v);
        };
    }

    /**
     * The length of a value's encoding by a codec.
     *
     * @param codec the codec
     * @param value the value
     * @param <V> the type of values
     * @return the number of bytes the codec writes
     * @throws UncheckedIOException if the codec cannot encode the value
     */
    static <V> long encodedLength(Codec<? super V> codec, V value) {
        CountingOutputStream out = new CountingOutputStream();
        try (DataOutputStream data = new DataOutputStream(out)) {
            codec.write(value, data);
        } catch (IOException e) {
            throw new UncheckedIOException("codec " + codec.id() + " cannot encode a value of "
                + value.getClass().getName(), e);
        }
        return out.count();
    }

    /**
     * The default estimate of one value.
     *
     * @param value the value
     * @return the estimate, or {@link #UNKNOWN}
     */
    static long defaultEstimate(Object value) {
        if (value instanceof CharSequence) {
            return 2L * ((CharSequence) value).length();
        }
        if (value instanceof byte[]) {
            return ((byte[]) value).length;
        }
        if (value instanceof ByteBuffer) {
            return ((ByteBuffer) value).remaining();
        }
        if (value instanceof Number) {
            return 8;
        }
        if (value instanceof Boolean) {
            return 1;
        }
        return UNKNOWN;
    }
}
