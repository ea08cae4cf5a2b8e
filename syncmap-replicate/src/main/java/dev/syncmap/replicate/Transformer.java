package dev.syncmap.replicate;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * A step of the pipeline's transform stage: maps, filters or annotates each change on its way to the sinks.
 * Runs on the transform stage's thread, one change at a time, in source order. Anchor markers are not shown to
 * transformers.
 *
 * <p>A transformer that throws stops the replicator ({@link Replicator.State#FAILED}, the exception in its
 * status): nothing after the last checkpoint is acknowledged, so after fixing the cause a restart re-sends it.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
@FunctionalInterface
public interface Transformer<K, V> {

    /**
     * Transforms one change.
     *
     * @param change the change
     * @return the change to pass on (this one, or a changed copy), or null to drop it for every sink
     */
    Envelope<K, V> apply(Envelope<K, V> change);

    /**
     * Maps keys and values (a removal keeps a null value; the value function is not called for it).
     *
     * @param keys maps a key; must not return null
     * @param values maps a value; must not return null
     * @param <K> the type of keys
     * @param <V> the type of values
     * @return the transformer
     */
    static <K, V> Transformer<K, V> map(Function<? super K, ? extends K> keys,
                                        Function<? super V, ? extends V> values) {
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(values, "values");
        return change -> {
            K k = Objects.requireNonNull(keys.apply(change.key()), "key mapping returned null");
            V v = change.value() == null ? null
                : Objects.requireNonNull(values.apply(change.value()), "value mapping returned null");
            return change.withKeyValue(k, v);
        };
    }

    /**
     * Passes only the changes whose key matches.
     *
     * @param keep true for keys to replicate
     * @param <K> the type of keys
     * @param <V> the type of values
     * @return the transformer
     */
    static <K, V> Transformer<K, V> filter(Predicate<? super K> keep) {
        Objects.requireNonNull(keep, "keep");
        return change -> keep.test(change.key()) ? change : null;
    }

    /**
     * Passes only the changes whose key, as a string, starts with one of the prefixes.
     *
     * @param prefixes the prefixes to keep
     * @param <K> the type of keys
     * @param <V> the type of values
     * @return the transformer
     */
    static <K, V> Transformer<K, V> keepPrefixes(List<String> prefixes) {
        List<String> copy = List.copyOf(prefixes);
        return filter(k -> {
            String s = k.toString();
            for (String p : copy) {
                if (s.startsWith(p)) {
                    return true;
                }
            }
            return false;
        });
    }

    /**
     * Sets an expiry on the changes whose key matches: the entry expires {@code ttl} after the change passes
     * this transformer (map replicas remove it then; Redis gets {@code PX}).
     *
     * @param ttl the time to live, positive
     * @param applies which keys get it
     * @param <K> the type of keys
     * @param <V> the type of values
     * @return the transformer
     */
    static <K, V> Transformer<K, V> ttl(Duration ttl, Predicate<? super K> applies) {
        return ttl(ttl, applies, System::currentTimeMillis);
    }

    /**
     * {@link #ttl(Duration, Predicate)} on a given clock (for tests).
     *
     * @param ttl the time to live, positive
     * @param applies which keys get it
     * @param clock epoch milliseconds
     * @param <K> the type of keys
     * @param <V> the type of values
     * @return the transformer
     */
    static <K, V> Transformer<K, V> ttl(Duration ttl, Predicate<? super K> applies, LongSupplier clock) {
        Objects.requireNonNull(applies, "applies");
        Objects.requireNonNull(clock, "clock");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive, got " + ttl);
        }
        long millis = ttl.toMillis();
        return change -> change.value() != null && applies.test(change.key())
            ? change.withExpiry(clock.getAsLong() + millis) : change;
    }
}
