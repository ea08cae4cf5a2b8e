package dev.syncmap.bench;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One benchmark thread's precomputed operations, and the initial population they keep steady: slot {@code i} is
 * operation {@code kinds[i]} ({@link #GET}, {@link #PUT} or {@link #REMOVE}) on key {@code keys[i]}, a pre-boxed
 * key shared with the map's entries ({@link Keys#boxed(int)}).
 *
 * <p>Implementation notes. <b>A stable size without reads in the write path.</b> Every write is a {@code put} or
 * a {@code remove}, half each, chosen independently of the key. After any number of writes, a key that has been
 * written is present exactly when its last write was a put: probability 1/2. The map is pre-populated with each
 * key present with probability 1/2 as well (a fixed hash bit of the key decides), so the start is already the
 * steady state: the size stays near {@code keys / 2} (a binomial spread, a fraction of a percent for 100k keys) and
 * about half of all reads hit, for any mix, thread count or key distribution, for as long as a run lasts. A write
 * is a single map call; puts store the key object itself as the value, so no value is allocated.
 *
 * <p><b>Streams.</b> A stream holds an operation kind and a pre-boxed key per slot, generated with a
 * seed before measurement; the measured loop only advances a cursor. The read count of a stream is exact
 * ({@code round(n * readFraction)}), and reads and writes are shuffled together.
 *
 * <p>Not thread-safe to mutate; streams are confined to one benchmark thread and read-only once built.
 *
 * @param kinds GET, PUT or REMOVE per slot
 * @param keys the pre-boxed key per slot
 */
public record OpStream(byte[] kinds, Integer[] keys) {

    /** Operation kind: {@code get}. */
    public static final byte GET = 0;
    /** Operation kind: {@code put(key, key)}. */
    public static final byte PUT = 1;
    /** Operation kind: {@code remove(key)}. */
    public static final byte REMOVE = 2;

    /** Stream length per thread: a power of two, large enough that the cycle does not fit in a CPU cache. */
    public static final int STREAM_LENGTH = 1 << 20;

    /** Seed of the initial population. */
    static final long POPULATION_SEED = 0x9E3779B97F4A7C15L;

    /**
     * The mask that wraps a cursor onto a slot: the length is a power of two.
     *
     * @return length - 1
     */
    public int mask() {
        return kinds.length - 1;
    }

    /** Whether key {@code index} is present in the initial population (a fixed hash bit: half of the keys). */
    static boolean initiallyPresent(int index) {
        return (mix64(index ^ POPULATION_SEED) & 1L) == 0;
    }

    /**
     * Fills an empty map with the initial population in one {@code putAll} (one copy for copy-on-write maps).
     *
     * @return the number of keys put
     */
    static int populate(Map<Integer, Integer> map, Integer[] boxed) {
        Map<Integer, Integer> initial = new HashMap<>(boxed.length);
        for (int i = 0; i < boxed.length; i++) {
            if (initiallyPresent(i)) {
                initial.put(boxed[i], boxed[i]);
            }
        }
        map.putAll(initial);
        return initial.size();
    }

    /**
     * Fills an empty map with every key (for benchmarks that need all keys present, such as the hit path of
     * {@code computeIfAbsent}).
     */
    static void populateAll(Map<Integer, Integer> map, Integer[] boxed) {
        Map<Integer, Integer> initial = new HashMap<>(boxed.length * 2);
        for (Integer key : boxed) {
            initial.put(key, key);
        }
        map.putAll(initial);
    }

    /**
     * Builds a stream of {@code length} operations (a power of two).
     *
     * @param readFraction the exact share of GETs; the rest is split evenly between PUT and REMOVE
     * @param dist {@link Keys#UNIFORM} or {@link Keys#ZIPF}
     * @param boxed the key objects
     * @param length a power of two
     * @param seed the stream seed (different per thread)
     * @return the stream
     */
    public static OpStream generate(double readFraction, String dist, Integer[] boxed, int length, long seed) {
        if (Integer.bitCount(length) != 1) {
            throw new IllegalArgumentException("stream length must be a power of two, was " + length);
        }
        int[] indices = Keys.indices(dist, boxed.length, length, seed);
        byte[] kinds = new byte[length];
        int reads = (int) Math.round(length * readFraction);
        for (int i = reads; i < length; i++) {
            kinds[i] = ((i - reads) & 1) == 0 ? PUT : REMOVE;
        }
        SplittableRandom random = new SplittableRandom(mix64(seed));
        for (int i = length - 1; i > 0; i--) { // Fisher-Yates: reads and writes interleaved at random
            int j = random.nextInt(i + 1);
            byte swap = kinds[i];
            kinds[i] = kinds[j];
            kinds[j] = swap;
        }
        Integer[] keys = new Integer[length];
        for (int i = 0; i < length; i++) {
            keys[i] = boxed[indices[i]];
        }
        return new OpStream(kinds, keys);
    }

    /** The stream seed of benchmark thread {@code threadIndex}: distinct, well spread. */
    static long threadSeed(int threadIndex) {
        return mix64(0xC0FFEE + threadIndex);
    }

    /** A 64-bit finaliser (Stafford variant 13 of MurmurHash3's fmix64). */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
