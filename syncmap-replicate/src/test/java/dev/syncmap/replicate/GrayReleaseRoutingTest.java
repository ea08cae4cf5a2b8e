package dev.syncmap.replicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import dev.syncmap.VersionedMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which keys a gray-release candidate is tried on, and resolvers chosen by class name in configuration. */
class GrayReleaseRoutingTest {

    static final int KEYS = 20_000;

    @ParameterizedTest
    @ValueSource(ints = {1, 5, 10, 25, 50, 90})
    void aHashShareTakesItsPercentageOfKeys(int percent) {
        KeyShare share = KeyShare.hashPercent(percent);
        int strings = 0;
        int ints = 0;
        for (int i = 0; i < KEYS; i++) {
            strings += share.test("user:" + i) ? 1 : 0;
            ints += share.test(i) ? 1 : 0;
        }
        assertEquals(percent / 100.0, strings / (double) KEYS, 0.015, "string keys");
        assertEquals(percent / 100.0, ints / (double) KEYS, 0.015, "integer keys");
    }

    @Test
    void hashSharesAreStableAndNested() {
        KeyShare ten = KeyShare.hashPercent(10);
        KeyShare tenAgain = KeyShare.hashPercent(10);
        KeyShare twenty = KeyShare.hashPercent(20);
        for (int i = 0; i < KEYS; i++) {
            String k = "k" + i;
            assertEquals(ten.test(k), tenAgain.test(k), "the same keys on every node and run");
            assertTrue(!ten.test(k) || twenty.test(k), "widening a share keeps the keys already on trial");
            assertFalse(KeyShare.hashPercent(0).test(k));
            assertTrue(KeyShare.hashPercent(100).test(k));
        }
    }

    @Test
    void aPrefixShareTakesExactlyItsPrefixes() {
        KeyShare share = KeyShare.prefixes(List.of("user:", "cart:"));
        assertTrue(share.test("user:1"));
        assertTrue(share.test("cart:"));
        assertFalse(share.test("users:1"));
        assertFalse(share.test("item:user:1"));
        assertFalse(share.test(42));
    }

    /** Through a configured replicator: the candidate is tried on exactly the keys of its hash share. */
    @Test
    void theConfiguredCandidateIsTriedOnItsHashShare() throws Exception {
        ReplicationConfig c = ReplicationConfigTest.yaml(String.join("\n",
            "origin: node-a",
            "grayRelease:",
            "  candidate: " + FirstWriterWinsResolver.class.getName(),
            "  share: {hashPercent: 30}",
            ""));
        assertInstanceOf(FirstWriterWinsResolver.class, c.resolverPolicy().candidate());
        VersionedMap<String, String> map = new VersionedMap<>();
        ConcurrentHashMap<String, String> replica = new ConcurrentHashMap<>();
        MapReplicaSink<String, String> sink = new MapReplicaSink<>("r", replica);
        try (Replicator<String, String> rep = c.builder(c.source(map), List.of(sink), null).build()) {
            rep.start();
            assertTrue(rep.awaitCaughtUp(Duration.ofSeconds(5)));
            for (int i = 0; i < 1_000; i++) {
                map.put("k" + i, "a");
            }
            assertTrue(rep.awaitCaughtUp(Duration.ofSeconds(5)));
            for (int i = 0; i < 1_000; i++) {
                map.put("k" + i, "b");
            }
            assertTrue(rep.awaitCaughtUp(Duration.ofSeconds(5)));
        }
        KeyShare share = KeyShare.hashPercent(30);
        long inShare = 0;
        for (int i = 0; i < 1_000; i++) {
            inShare += share.test("k" + i) ? 1 : 0;
        }
        assertEquals(2 * inShare, sink.stats().grayTrials(), "creates and updates of the keys in the share");
        assertEquals(inShare, sink.stats().grayDisagreements(), "the updates, where first-writer-wins differs");
        assertEquals("b", replica.get("k1"), "the active resolver's decisions are the ones applied");
    }

    @Test
    void aCustomResolverIsLoadedByClassName() {
        ReplicationConfig c = ReplicationConfigTest.yaml("resolver: " + FirstWriterWinsResolver.class.getName());
        assertInstanceOf(FirstWriterWinsResolver.class, c.resolverPolicy().active());
        assertEquals("last-writer-wins", ReplicationConfig.defaults().resolverPolicy().active().name());
        for (String builtIn : ReplicationConfig.BUILT_IN_RESOLVERS) {
            assertEquals(builtIn, ReplicationConfigTest.yaml("resolver: " + builtIn).resolverPolicy().active()
                .name());
        }
    }

    @Test
    void aBadResolverClassIsRefusedNamingFieldAndClass() {
        ReplicationConfigTest.refused("resolver: dev.syncmap.replicate.NoSuchResolver", "resolver",
            "dev.syncmap.replicate.NoSuchResolver", "cannot be loaded");
        String notOne = FirstWriterWinsResolver.NotAResolver.class.getName();
        ReplicationConfigTest.refused("resolver: " + notOne, "resolver", notOne, "does not implement");
        String needsArg = FirstWriterWinsResolver.NeedsArgument.class.getName();
        ReplicationConfigTest.refused("grayRelease: {candidate: " + needsArg + ", share: {hashPercent: 1}}",
            "grayRelease.candidate", needsArg, "no-argument constructor");
        assertThrows(ConfigException.class, () -> ReplicationConfigTest.yaml("resolver: String"));
    }
}
