package dev.syncmap.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Precomputed key streams for the benchmarks: uniform and scrambled-Zipfian key indices, and the pre-boxed
 * {@link Integer} key objects they index, so that neither random number generation nor boxing is measured.
 *
 * <p>Implementation notes. A stream is an {@code int[]} of key indices in {@code [0, keys)}, generated from a
 * {@link SplittableRandom} with an explicit seed: the same arguments always give the same array, on every JVM.
 * <ul>
 *   <li><b>uniform</b>: every index equally likely.</li>
 *   <li><b>zipf</b>: Zipfian popularity with exponent {@link #ZIPF_THETA} (0.99, as YCSB), drawn with the
 *       closed-form method of Gray et al., "Quickly generating billion-record synthetic databases" (SIGMOD 1994),
 *       which YCSB's {@code ZipfianGenerator} also uses. Rank 0 is the most popular. Ranks are then
 *       <em>scrambled</em> so that the hot keys are spread over the key space instead of being the smallest
 *       integers (which would put them in neighbouring hash buckets, stripes and cache lines). YCSB scrambles with
 *       {@code fnv64(rank) % n}, which merges colliding ranks and leaves some keys unused; here the scramble is a
 *       permutation: rank {@code r} maps to the key with the {@code r}-th smallest FNV-1a hash (ties broken by
 *       index), so the popularity distribution is exactly Zipfian over all {@code keys} keys. The permutation
 *       uses a fixed seed ({@link #SCRAMBLE_SEED}), not the stream's: every thread and every run agrees on which
 *       keys are hot.</li>
 * </ul>
 * All methods are static, stateless and thread-safe; arrays returned are fresh and owned by the caller.
 */
public final class Keys {

    /** The Zipf exponent (YCSB's default skew). */
    public static final double ZIPF_THETA = 0.99;

    /** The distribution names accepted by {@link #indices(String, int, int, long)}. */
    public static final String UNIFORM = "uniform";
    /** Scrambled Zipfian with {@link #ZIPF_THETA}. */
    public static final String ZIPF = "zipf";

    private Keys() {
    }

    /**
     * Returns {@code keys} distinct boxed keys: element {@code i} is an {@code Integer} equal to {@code i}.
     * Benchmarks index this array instead of boxing in the measured code. O(keys).
     *
     * @param keys the key count, at least 1
     * @return a fresh array of boxed keys
     * @throws IllegalArgumentException if {@code keys < 1}
     */
    public static Integer[] boxed(int keys) {
        requirePositive(keys, "keys");
        Integer[] boxed = new Integer[keys];
        for (int i = 0; i < keys; i++) {
            boxed[i] = Integer.valueOf(i);
        }
        return boxed;
    }

    /**
     * Returns {@code n} key indices in {@code [0, keys)} drawn from the named distribution.
     *
     * @param dist {@value #UNIFORM} or {@value #ZIPF} (case-insensitive)
     * @param keys the key count, at least 1
     * @param n the stream length, at least 0
     * @param seed the seed; equal arguments give equal arrays
     * @return a fresh array of indices
     * @throws IllegalArgumentException for an unknown distribution or a bad count
     */
    public static int[] indices(String dist, int keys, int n, long seed) {
        switch (normalizeDistribution(dist)) {
            case UNIFORM:
                return uniform(keys, n, seed);
            default:
                return zipf(keys, n, seed);
        }
    }

    /**
     * Checks a distribution name and returns it in canonical (lower-case) form.
     *
     * @param dist the name given by a user or a {@code @Param}
     * @return {@value #UNIFORM} or {@value #ZIPF}
     * @throws IllegalArgumentException if it is neither
     */
    public static String normalizeDistribution(String dist) {
        String d = dist == null ? "" : dist.trim().toLowerCase(Locale.ROOT);
        if (d.equals(UNIFORM) || d.equals(ZIPF)) {
            return d;
        }
        throw new IllegalArgumentException("unknown key distribution '" + dist + "'; valid: uniform, zipf");
    }

    /**
     * Returns {@code n} uniformly distributed indices in {@code [0, keys)}. O(n).
     *
     * @param keys the key count, at least 1
     * @param n the stream length
     * @param seed the seed
     * @return a fresh array of indices
     */
    public static int[] uniform(int keys, int n, long seed) {
        requirePositive(keys, "keys");
        requireNonNegative(n);
        SplittableRandom random = new SplittableRandom(seed);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = random.nextInt(keys);
        }
        return out;
    }

    /**
     * Returns {@code n} scrambled-Zipfian indices in {@code [0, keys)} (theta {@value #ZIPF_THETA}).
     * O(n), plus O(keys log keys) the first time a key count is used: the normalisation constant and the scramble
     * permutation are cached for the last key count.
     *
     * @param keys the key count, at least 1
     * @param n the stream length
     * @param seed the seed of the draws (the scramble permutation uses a fixed seed, the same for every stream)
     * @return a fresh array of indices
     */
    public static int[] zipf(int keys, int n, long seed) {
        requirePositive(keys, "keys");
        requireNonNegative(n);
        ZipfTable table = zipfTable(keys);
        SplittableRandom random = new SplittableRandom(seed);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = table.scramble[table.rank(random.nextDouble())];
        }
        return out;
    }

    /**
     * The per-key-count constants of the Zipfian draw: the normalisation constant and the scramble permutation,
     * which do not depend on the stream seed (every thread of a benchmark must agree on which keys are hot). The
     * last table is cached because computing it for a million keys costs tens of milliseconds and every
     * benchmark thread asks for the same one.
     */
    private static final class ZipfTable {
        final int keys;
        final int[] scramble;
        final double zetaN;
        final double alpha;
        final double eta;
        final double secondThreshold;

        ZipfTable(int keys) {
            this.keys = keys;
            this.scramble = scramble(keys, SCRAMBLE_SEED);
            this.zetaN = zeta(keys, ZIPF_THETA);
            double zeta2 = zeta(Math.min(keys, 2), ZIPF_THETA);
            this.alpha = 1.0 / (1.0 - ZIPF_THETA);
            this.eta = keys < 2 ? 0 : (1.0 - Math.pow(2.0 / keys, 1.0 - ZIPF_THETA)) / (1.0 - zeta2 / zetaN);
            this.secondThreshold = 1.0 + Math.pow(0.5, ZIPF_THETA);
        }

        /** Maps a uniform {@code u} in [0, 1) to a popularity rank in [0, keys) (Gray et al.). */
        int rank(double u) {
            double uz = u * zetaN;
            if (uz < 1.0 || keys == 1) {
                return 0;
            }
            if (uz < secondThreshold) {
                return 1;
            }
            return (int) Math.min(keys - 1L, (long) (keys * Math.pow(eta * u - eta + 1.0, alpha)));
        }
    }

    /** Seed of the rank-to-key permutation; fixed so that every run and thread agrees on the hot keys. */
    static final long SCRAMBLE_SEED = 0x5EED_5C8A_4B1EL;

    private static volatile ZipfTable lastZipfTable; // volatile: safe publication of the cached table

    private static ZipfTable zipfTable(int keys) {
        ZipfTable table = lastZipfTable;
        if (table == null || table.keys != keys) {
            table = new ZipfTable(keys);
            lastZipfTable = table;
        }
        return table;
    }

    /**
     * Returns the key index of popularity rank {@code rank} in the scrambled-Zipfian stream over {@code keys}
     * keys (rank 0 is the hottest). Useful to tests and reports that want to name the hot keys.
     *
     * @param keys the key count, at least 1
     * @param rank the rank, in [0, keys)
     * @return the key index
     */
    public static int zipfKeyOfRank(int keys, int rank) {
        requirePositive(keys, "keys");
        if (rank < 0 || rank >= keys) {
            throw new IllegalArgumentException("rank must be in [0, " + keys + "), was " + rank);
        }
        return zipfTable(keys).scramble[rank];
    }

    /** The generalised harmonic number: sum over i in [1, n] of 1 / i^theta. */
    static double zeta(int n, double theta) {
        double sum = 0;
        for (int i = 1; i <= n; i++) {
            sum += 1.0 / Math.pow(i, theta);
        }
        return sum;
    }

    /**
     * A permutation of {@code [0, keys)}: element {@code r} is the index with the {@code r}-th smallest seeded
     * FNV-1a hash. Packs (hash high bits, index) into one long so a primitive sort does the work.
     */
    static int[] scramble(int keys, long seed) {
        int indexBits = 32 - Integer.numberOfLeadingZeros(Math.max(1, keys - 1));
        long indexMask = (1L << indexBits) - 1;
        long[] tagged = new long[keys];
        for (int i = 0; i < keys; i++) {
            tagged[i] = ((fnv1a64(i, seed) >>> 1) & ~indexMask) | i; // >>> 1: sort as non-negative
        }
        Arrays.sort(tagged);
        int[] permutation = new int[keys];
        for (int r = 0; r < keys; r++) {
            permutation[r] = (int) (tagged[r] & indexMask);
        }
        return permutation;
    }

    /** FNV-1a over the 8 bytes of the seed followed by the 4 bytes of the value. */
    static long fnv1a64(int value, long seed) {
        long hash = 0xCBF29CE484222325L;
        for (int shift = 0; shift < 64; shift += 8) {
            hash ^= (seed >>> shift) & 0xFF;
            hash *= 0x100000001B3L;
        }
        for (int shift = 0; shift < 32; shift += 8) {
            hash ^= (value >>> shift) & 0xFF;
            hash *= 0x100000001B3L;
        }
        return hash;
    }

    private static void requirePositive(int value, String name) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, was " + value);
        }
    }

    private static void requireNonNegative(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must not be negative, was " + n);
        }
    }
}
