/**
 * A replication sink into Redis for readers outside the JVM: {@link dev.syncmap.redis.RedisSink}.
 *
 * <p><b>Layout</b> (for a sink with key prefix {@code users:}; the meta prefix defaults to
 * {@code syncmap-meta:users:}):
 * <pre>
 *   users:&lt;key&gt;                       the value: plain UTF-8 for strings, decimal text for longs and ints,
 *                                     the codec's bytes otherwise; a TTL where the entry expires
 *   syncmap-meta:users:v:&lt;key&gt;        its version, "&lt;revision:19&gt;:&lt;stamp:19&gt;:&lt;origin&gt;"; present without a
 *                                     value key it is a tombstone (expires after the grace)
 *   syncmap-meta:users:epoch          "&lt;epoch id&gt; users:": loss detection and ownership of the prefix
 * </pre>
 * A reader needs only {@code GET users:<key>} (or {@code SCAN MATCH users:*}); {@code docs/replication.md} shows
 * it with {@code redis-cli} and Python.
 *
 * <p><b>Client: Jedis.</b> Both well-kept Java clients were measured on this project's machine (2 cores,
 * embedded redis-server 7.0.15, 300k pipelined {@code SET}s of 100-byte values over 100k keys in batches of 500,
 * three rounds, the same run): Jedis 8.0.2 224k–327k/s, Lettuce 7.7.0 106k–204k/s. The sink writes from one thread
 * with one connection and synchronous, pipelined round trips, which is Jedis's model exactly; Lettuce's
 * asynchronous, Netty-based design buys nothing here and costs an event-loop hop per flush (and 10 more jars).
 */
package dev.syncmap.redis;
