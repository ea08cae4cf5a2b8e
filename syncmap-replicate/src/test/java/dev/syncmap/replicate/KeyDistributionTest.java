package dev.syncmap.replicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;

import dev.syncmap.copy.Codecs;
import dev.syncmap.replicate.KeyDistribution.SizeBucket;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.junit.jupiter.api.Test;

/** The key prefix × value size counter. */
class KeyDistributionTest {

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    static <V> Envelope<String, V> change(String key, V value) {
        return Envelope.change("o", 1, 1, key, value, true);
    }

    @Test
    void sizesFallIntoTheirBuckets() {
        assertEquals(SizeBucket.LT_64B, SizeBucket.of(0));
        assertEquals(SizeBucket.LT_64B, SizeBucket.of(63));
        assertEquals(SizeBucket.LT_256B, SizeBucket.of(64));
        assertEquals(SizeBucket.LT_1KB, SizeBucket.of(1023));
        assertEquals(SizeBucket.LT_4KB, SizeBucket.of(1024));
        assertEquals(SizeBucket.LT_24KB, SizeBucket.of(24 * 1024 - 1));
        assertEquals(SizeBucket.LT_64KB, SizeBucket.of(24 * 1024));
        assertEquals(SizeBucket.LT_64KB, SizeBucket.of(64 * 1024 - 1));
        assertEquals(SizeBucket.GE_64KB, SizeBucket.of(64 * 1024));
        assertEquals(SizeBucket.GE_64KB, SizeBucket.of(Long.MAX_VALUE));
        assertEquals(SizeBucket.UNKNOWN, SizeBucket.of(-1));
    }

    @Test
    void changesAreCountedByPrefixAndSizeAndPassUnchanged() {
        KeyDistribution<String, Object> kd = new KeyDistribution<>(registry, "r");
        Envelope<String, Object> e = change("user:1", "x".repeat(40)); // 80 bytes as UTF-16
        assertSame(e, kd.apply(e), "an observer never changes a change");
        kd.apply(change("user:2", "x".repeat(31)));
        kd.apply(change("user:3", new byte[30_000]));
        kd.apply(change("user:4", null));
        kd.apply(change("cart:1", ByteBuffer.allocate(100_000)));
        kd.apply(change("noprefix", 7L));
        kd.apply(change("cart:2", new Object()));
        assertEquals(1, kd.count("user:", SizeBucket.LT_256B));
        assertEquals(1, kd.count("user:", SizeBucket.LT_64B));
        assertEquals(1, kd.count("user:", SizeBucket.LT_64KB));
        assertEquals(1, kd.count("user:", SizeBucket.REMOVAL));
        assertEquals(1, kd.count("cart:", SizeBucket.GE_64KB));
        assertEquals(1, kd.count("cart:", SizeBucket.UNKNOWN));
        assertEquals(1, kd.count(KeyDistribution.NO_PREFIX, SizeBucket.LT_64B));
        assertEquals(1.0, registry.get(KeyDistribution.METER).tags("replicator", "r", "prefix", "user:", "size",
            "lt64KB").counter().count());
        assertEquals(2, kd.prefixes());
    }

    @Test
    void distinctPrefixesAreCapped() {
        KeyDistribution<String, String> kd = new KeyDistribution<>(registry, "r", '/', 3,
            ValueSizeEstimator.defaults());
        for (int i = 0; i < 100; i++) {
            kd.apply(change("p" + i + "/k", "v"));
        }
        kd.apply(change("p0/again", "v"));
        kd.apply(change("x".repeat(KeyDistribution.MAX_PREFIX_LENGTH) + "/late", "v"));
        assertEquals(3, kd.prefixes());
        assertEquals(2, kd.count("p0/", SizeBucket.LT_64B));
        assertEquals(97, kd.count(KeyDistribution.OTHER, SizeBucket.LT_64B));
        assertEquals(1, kd.count(KeyDistribution.NO_PREFIX, SizeBucket.LT_64B), "a delimiter too far in");
        assertEquals(5, registry.find(KeyDistribution.METER).counters().size(), "3 prefixes + other + none");
    }

    @Test
    void aCodecMeasuresWhatTheDefaultCannot() throws java.io.IOException {
        record Point(int x, int y) {}
        ValueSizeEstimator<String> viaCodec = ValueSizeEstimator.withCodec(Codecs.STRING);
        assertEquals(8, viaCodec.estimate("abcd"), "the default first: 4 chars × 2");
        ValueSizeEstimator<String> encoded = v -> ValueSizeEstimator.encodedLength(Codecs.STRING, v);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        Codecs.STRING.write("abcd", new java.io.DataOutputStream(bytes));
        assertEquals(bytes.size(), encoded.estimate("abcd"), "the codec's encoded length");
        assertEquals(ValueSizeEstimator.UNKNOWN, ValueSizeEstimator.defaults().estimate(new Point(1, 2)));
    }

    @Test
    void aFailingEstimatorIsCountedAndTheChangeGoesOn() {
        KeyDistribution<String, String> kd = new KeyDistribution<>(registry, "r", ':', 10, v -> {
            throw new IllegalStateException("cannot measure " + v);
        });
        Envelope<String, String> e = change("a:1", "v");
        assertSame(e, kd.apply(e));
        kd.apply(change("a:2", "v"));
        assertEquals(2, kd.count("a:", SizeBucket.UNKNOWN));
        assertEquals(2.0, registry.get(KeyDistribution.METER + ".estimator.failures").counter().count());
    }

    @Test
    void badSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new KeyDistribution<String, String>(registry, "r", ':', 0,
            ValueSizeEstimator.defaults()));
    }
}
