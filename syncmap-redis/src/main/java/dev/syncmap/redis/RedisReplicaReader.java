package dev.syncmap.redis;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.syncmap.copy.Codec;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Reads a {@link RedisSink}'s replica back from Redis, as any reader would: {@code GET <keyPrefix><key>}, and
 * {@code SCAN} over the key prefix for everything. What it returns is what Redis holds now; while the sink writes,
 * a full read is not a consistent cut (pause the source to compare). One connection; not thread-safe.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public final class RedisReplicaReader<K, V> implements AutoCloseable {

    private final Jedis jedis;
    private final RedisLayout layout;
    private final Codec<K> keyCodec;
    private final Codec<V> valueCodec;

    RedisReplicaReader(Jedis jedis, RedisLayout layout, Codec<K> keyCodec, Codec<V> valueCodec) {
        this.jedis = jedis;
        this.layout = layout;
        this.keyCodec = keyCodec;
        this.valueCodec = valueCodec;
    }

    /**
     * Reads one key's value.
     *
     * @param key the key
     * @return its value, or null if Redis holds none (never written, removed, expired)
     * @throws IOException if the key cannot be encoded or the stored bytes cannot be decoded
     */
    public V get(K key) throws IOException {
        byte[] v = jedis.get(layout.valueKey(RedisBytes.encode(keyCodec, key)));
        return v == null ? null : RedisBytes.decode(valueCodec, v);
    }

    /**
     * Reads one key's stored version, {@code "<revision:19>:<stamp:19>:<origin>"} (a tombstone's too).
     *
     * @param key the key
     * @return the version, or null if none is stored
     * @throws IOException if the key cannot be encoded
     */
    public String versionOf(K key) throws IOException {
        byte[] v = jedis.get(layout.versionKey(RedisBytes.encode(keyCodec, key)));
        return v == null ? null : new String(v, StandardCharsets.UTF_8);
    }

    /**
     * Reads every entry under the key prefix (SCAN, then MGET per page).
     *
     * @return the entries, a new map
     * @throws IOException if stored bytes cannot be decoded
     */
    public Map<K, V> readAll() throws IOException {
        Map<K, V> out = new HashMap<>();
        ScanParams params = new ScanParams().match(layout.valuePattern()).count(1000);
        byte[] cursor = ScanParams.SCAN_POINTER_START_BINARY;
        ScanResult<byte[]> page;
        do {
            page = jedis.scan(cursor, params);
            List<byte[]> keys = page.getResult();
            if (!keys.isEmpty()) {
                List<byte[]> values = jedis.mget(keys.toArray(new byte[0][]));
                for (int i = 0; i < keys.size(); i++) {
                    if (values.get(i) != null) {
                        out.put(RedisBytes.decode(keyCodec, layout.keyOfValueKey(keys.get(i))),
                            RedisBytes.decode(valueCodec, values.get(i)));
                    }
                }
            }
            cursor = page.getCursorAsBytes();
        } while (!page.isCompleteIteration());
        return out;
    }

    @Override
    public void close() {
        jedis.close();
    }
}
