package dev.syncmap.redis;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Where a {@link RedisSink} puts things in Redis, and how versions are written (the package documentation shows
 * it from a reader's side):
 *
 * <pre>
 *   &lt;keyPrefix&gt;&lt;key&gt;             the value, a plain string (TTL = the entry's expiry)
 *   &lt;metaPrefix&gt;v:&lt;key&gt;          its version "&lt;revision:19&gt;:&lt;stamp:19&gt;:&lt;origin&gt;"; alone (no value key) it is
 *                                a tombstone, expiring after the grace
 *   &lt;metaPrefix&gt;epoch            "&lt;epoch id&gt; &lt;keyPrefix&gt;": who writes here, since when
 * </pre>
 *
 * <p>The two prefixes are disjoint (neither starts with the other), so no map key can make a value key that is
 * also a version key or the epoch marker. Revisions and stamps are zero-padded to 19 digits (any non-negative
 * {@code long}), so comparing them as strings of equal length compares them exactly.
 *
 * <p>Immutable and thread-safe.
 */
final class RedisLayout {

    /** Digits of a zero-padded revision or stamp: enough for {@link Long#MAX_VALUE}. */
    static final int DIGITS = 19;

    final String keyPrefix;
    final String metaPrefix;
    private final byte[] valuePrefixBytes;
    private final byte[] versionPrefixBytes;
    final byte[] epochKey;

    RedisLayout(String keyPrefix, String metaPrefix) {
        if (keyPrefix.isEmpty() || metaPrefix.isEmpty()) {
            throw new IllegalArgumentException("key pattern collision: the key prefix and the meta prefix must not"
                + " be empty (an empty prefix overlaps every key), got keyPrefix '" + keyPrefix + "', metaPrefix '"
                + metaPrefix + "'");
        }
        if (keyPrefix.startsWith(metaPrefix) || metaPrefix.startsWith(keyPrefix)) {
            throw new IllegalArgumentException("key pattern collision: value keys '" + keyPrefix + "*' and version"
                + " keys '" + metaPrefix + "v:*' overlap (one prefix starts with the other); choose disjoint prefixes");
        }
        this.keyPrefix = keyPrefix;
        this.metaPrefix = metaPrefix;
        this.valuePrefixBytes = keyPrefix.getBytes(StandardCharsets.UTF_8);
        this.versionPrefixBytes = (metaPrefix + "v:").getBytes(StandardCharsets.UTF_8);
        this.epochKey = (metaPrefix + "epoch").getBytes(StandardCharsets.UTF_8);
    }

    byte[] valueKey(byte[] encodedKey) {
        return RedisBytes.concat(valuePrefixBytes, encodedKey);
    }

    byte[] versionKey(byte[] encodedKey) {
        return RedisBytes.concat(versionPrefixBytes, encodedKey);
    }

    /** The encoded map key of a version key. */
    byte[] keyOfVersionKey(byte[] versionKey) {
        return Arrays.copyOfRange(versionKey, versionPrefixBytes.length, versionKey.length);
    }

    /** The encoded map key of a value key. */
    byte[] keyOfValueKey(byte[] valueKey) {
        return Arrays.copyOfRange(valueKey, valuePrefixBytes.length, valueKey.length);
    }

    /** SCAN pattern of every version key. */
    String versionPattern() {
        return RedisBytes.globEscape(metaPrefix + "v:") + "*";
    }

    /** SCAN pattern of every value key. */
    String valuePattern() {
        return RedisBytes.globEscape(keyPrefix) + "*";
    }

    /** The epoch marker's content for an epoch id. */
    String marker(String epochId) {
        return epochId + " " + keyPrefix;
    }

    /** The key prefix a marker names (what the sink that wrote it writes under). */
    static String prefixOfMarker(String marker) {
        int sp = marker.indexOf(' ');
        return sp < 0 ? "" : marker.substring(sp + 1);
    }

    /**
     * Formats a version as text.
     *
     * @param revision the origin revision, not negative
     * @param stamp the HLC stamp, not negative
     * @param origin the origin
     * @return "&lt;revision:19&gt;:&lt;stamp:19&gt;:&lt;origin&gt;"
     */
    static String version(long revision, long stamp, String origin) {
        return new String(versionBytes(revision, stamp, origin), StandardCharsets.UTF_8);
    }

    /**
     * Formats a version as the bytes stored (ASCII digits, then the origin's UTF-8).
     *
     * @param revision the origin revision, not negative
     * @param stamp the HLC stamp, not negative
     * @param origin the origin
     * @return the version's bytes
     */
    static byte[] versionBytes(long revision, long stamp, String origin) {
        if (revision < 0 || stamp < 0) {
            throw new IllegalArgumentException("revision and stamp must not be negative, got " + revision + ", "
                + stamp);
        }
        byte[] o = origin.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[2 * DIGITS + 2 + o.length];
        digits(out, 0, revision);
        out[DIGITS] = ':';
        digits(out, DIGITS + 1, stamp);
        out[2 * DIGITS + 1] = ':';
        System.arraycopy(o, 0, out, 2 * DIGITS + 2, o.length);
        return out;
    }

    private static void digits(byte[] out, int at, long v) {
        long rest = v;
        for (int i = at + DIGITS - 1; i >= at; i--) {
            out[i] = (byte) ('0' + rest % 10);
            rest /= 10;
        }
    }

    /** The revision of a stored version. */
    static long revisionOf(String version) {
        return Long.parseLong(version.substring(0, DIGITS));
    }

    /** The stamp of a stored version. */
    static long stampOf(String version) {
        return Long.parseLong(version.substring(DIGITS + 1, 2 * DIGITS + 1));
    }

    /** The origin of a stored version. */
    static String originOf(String version) {
        return version.substring(2 * DIGITS + 2);
    }
}
