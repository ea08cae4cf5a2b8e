package dev.syncmap.replicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;

class MapReplicaSinkTest {

    long now = 1_000;
    final ConcurrentHashMap<String, String> replica = new ConcurrentHashMap<>();
    final List<Outcome> conflicts = new ArrayList<>();
    final MapReplicaSink<String, String> sink = new MapReplicaSink<>("r", replica,
        ResolverPolicy.of(Resolvers.lastWriterWins()), (k, s, i, r, o) -> conflicts.add(o), Duration.ofSeconds(10),
        () -> now);

    static Envelope<String, String> put(String origin, long rev, long stamp, String k, String v) {
        return Envelope.change(origin, rev, stamp, k, v, true);
    }

    @Test
    void aReplayedOrOlderChangeOfTheSameOriginIsADuplicate() {
        sink.write(List.of(put("a", 2, 20, "k", "new")));
        sink.write(List.of(put("a", 1, 10, "k", "old"), put("a", 2, 20, "k", "new")));
        assertEquals(Map.of("k", "new"), replica);
        assertEquals(2, sink.stats().count(Outcome.DUPLICATE));
        assertEquals(1, sink.stats().count(Outcome.APPLIED));
    }

    @Test
    void aTombstoneKeepsAnOlderWriteFromBringingTheKeyBack() {
        sink.write(List.of(put("a", 1, 10, "k", "v"), put("a", 2, 30, "k", null)));
        sink.write(List.of(put("b", 7, 20, "k", "late"))); // another origin, older stamp
        assertTrue(replica.isEmpty());
        assertEquals(Outcome.LOST, conflicts.get(0));
        sink.write(List.of(put("b", 8, 40, "k", "newer")));
        assertEquals(Map.of("k", "newer"), replica);
        assertEquals(List.of(Outcome.LOST, Outcome.WON), conflicts);
    }

    @Test
    void tombstonesAreForgottenAfterTheGrace() {
        sink.write(List.of(put("a", 1, 10, "k", "v"), put("a", 2, 30, "k", null)));
        assertTrue(sink.versionOf("k").isTombstone());
        now += 10_001;
        sink.onIdle();
        assertNull(sink.versionOf("k"));
    }

    @Test
    void anAnchorRemovesWhatTheSourceNoLongerHas() {
        sink.write(List.of(put("a", 1, 10, "gone", "x"), put("a", 2, 11, "kept", "y"), put("b", 1, 12, "other", "z")));
        sink.write(List.of(new Envelope<>(Envelope.Kind.ANCHOR_START, "a", 9, 50, null, null, true, Envelope.NO_EXPIRY),
            new Envelope<>(Envelope.Kind.CHANGE, "a", 9, 50, "kept", "y2", false, Envelope.NO_EXPIRY),
            new Envelope<>(Envelope.Kind.ANCHOR_END, "a", 9, 50, null, null, true, Envelope.NO_EXPIRY)));
        // "gone" was removed at the source while the pipeline was not looking; another origin's key stays
        assertEquals(Map.of("kept", "y2", "other", "z"), replica);
    }

    @Test
    void anAnchorEndWithoutItsStartIsRefused() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> sink.write(List.of(
            new Envelope<>(Envelope.Kind.ANCHOR_END, "a", 9, 50, null, null, true, Envelope.NO_EXPIRY))));
        assertTrue(e.getMessage().contains("without its start"), e.getMessage());
    }

    @Test
    void anEntryExpiresWhenItsTtlPasses() {
        sink.write(List.of(put("a", 1, 10, "k", "v").withExpiry(now + 500), put("a", 2, 11, "p", "forever")));
        assertEquals(Map.of("k", "v", "p", "forever"), replica);
        now += 499;
        sink.onIdle();
        assertEquals(2, replica.size());
        now += 1;
        sink.onIdle();
        assertEquals(Map.of("p", "forever"), replica);
        assertEquals(1, sink.stats().expired());
        // an older write cannot bring it back: the expired entry left a tombstone of its version
        sink.write(List.of(put("b", 1, 5, "k", "older")));
        assertEquals(Map.of("p", "forever"), replica);
    }

    @Test
    void aChangeThatArrivesExpiredIsNotShown() {
        sink.write(List.of(put("a", 1, 10, "k", "v").withExpiry(now - 1)));
        assertTrue(replica.isEmpty());
    }

    @Test
    void aThrowingConflictListenerIsCountedAndReplicationGoesOn() {
        MapReplicaSink<String, String> s = new MapReplicaSink<>("r", replica,
            ResolverPolicy.of(Resolvers.lastWriterWins()), (k, st, i, r, o) -> {
                throw new IllegalStateException("listener bug");
            }, Duration.ofSeconds(10), () -> now);
        s.write(List.of(put("a", 1, 10, "k", "v"), put("b", 1, 20, "k", "w"), put("a", 2, 30, "j", "x")));
        assertEquals(Map.of("k", "w", "j", "x"), replica);
        assertEquals(1, s.stats().listenerFailures());
    }

    @Test
    void aGrayReleaseCountsDisagreementsAndPromotionSwitchesDecisions() {
        ConflictResolver<String, String> lww = Resolvers.lastWriterWins();
        ConflictResolver<String, String> firstWins = Resolvers.putIfAbsent();
        sink.setResolverPolicy(ResolverPolicy.of(lww).withCandidate(firstWins, KeyShare.prefixes(List.of("user:"))));
        sink.write(List.of(put("a", 1, 10, "user:1", "a"), put("b", 1, 20, "user:1", "b"),
            put("a", 2, 11, "temp:1", "a"), put("b", 2, 21, "temp:1", "b")));
        assertEquals("b", replica.get("user:1")); // the active resolver decides
        assertEquals(2, sink.stats().grayTrials()); // only user:* keys
        assertEquals(1, sink.stats().grayDisagreements()); // put-if-absent would have kept "a"
        sink.setResolverPolicy(sink.resolverPolicy().promote());
        sink.write(List.of(put("c", 1, 30, "user:1", "c")));
        assertEquals("b", replica.get("user:1")); // now put-if-absent decides: the live value stays
        assertThrows(IllegalStateException.class, () -> sink.resolverPolicy().promote());
    }

    @Test
    void hashShareTriesTheCandidateOnAboutThatShareOfKeys() {
        KeyShare share = KeyShare.hashPercent(25);
        int in = 0;
        for (int i = 0; i < 10_000; i++) {
            if (share.test("key-" + i)) {
                in++;
            }
        }
        assertTrue(in > 2_200 && in < 2_800, "25% by hash, got " + in + " of 10,000");
        assertEquals(share.test("key-7"), KeyShare.hashPercent(25).test("key-7"), "the same keys every time");
        assertThrows(IllegalArgumentException.class, () -> KeyShare.hashPercent(101));
        assertThrows(IllegalArgumentException.class, () -> KeyShare.prefixes(List.of()));
    }

    @Test
    void badNamesAndArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new MapReplicaSink<>("a b", replica));
        assertThrows(IllegalArgumentException.class, () -> new MapReplicaSink<>("r", replica,
            ResolverPolicy.of(Resolvers.lastWriterWins()), null, Duration.ZERO, () -> 0L));
        assertThrows(IllegalArgumentException.class, () -> new ResolverPolicy<>(Resolvers.<String, String>passThrough(),
            Resolvers.passThrough(), null));
    }
}
