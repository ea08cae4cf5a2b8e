package dev.syncmap.testkit;

import dev.syncmap.Change;
import dev.syncmap.Snapshottable;
import dev.syncmap.VersionedMap;
import dev.syncmap.Watch;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One map under test for one injected fault: the map, its reference model, the keys used, the feed followers,
 * and the oracle that judges the map after the fault. See {@link FaultInjection} for the checks it makes.
 *
 * <p>Everything the round does to the map runs on the check's lanes (the faulting call on the actor lane, the
 * oracle's calls on the oracle lane), each with a bounded wait; the round itself runs on the test's thread and
 * only touches the model and the keys.
 */
final class FaultRound {

    /** How a call that threw the injected fault may have left the map. */
    enum Effect {
        /** Not at all: the content is as before the call. */
        NONE,
        /** Entirely or not at all. */
        NONE_OR_ALL,
        /** Each key the call writes has its value from before or after the call; no other key changed. */
        PER_KEY
    }

    /** A model call whose result is not comparable with the map's (e.g. {@code snapshot()}). */
    static final Object UNCHECKED = new Object();

    /** The hash code every key with an id below {@link #COLLIDING} reports: one bin, one stripe, one lock. */
    static final int COLLIDING_HASH = 0x5EED_0001;
    /** Ids 0 to 2 collide; 0 and 1 are preloaded, 2 is not. */
    static final int COLLIDING = 3;
    /** Keys loaded into every map before its fault: two colliding, four spread. */
    private static final int[] PRELOADED = {0, 1, 4, 5, 6, 7};
    /** The key the oracle writes last, to see that every watch still delivers. */
    private static final int PROBE = 999;
    /** The key written after the first check when a round asks for a freshly amended map. */
    static final int AMEND = 11;
    private static final int LIVENESS_VALUE = 7;

    private final FaultInjection.Subject subject;
    private final FaultInjection.CheckEnv env;
    final Map<FaultKey, Integer> map;
    private final VersionedMap<FaultKey, Integer> versioned;
    /** The content the map must have: every successful call applied, in order. */
    private Map<FaultKey, Integer> model = new HashMap<>();
    /** Canonical (never armed by a trap on another thread) instance of every key this round has used, by id. */
    private final Map<Integer, FaultKey> keys = new TreeMap<>();
    private final List<FeedRecorder> followers = new ArrayList<>();
    private final List<Fault> faults = new ArrayList<>();
    /** Set when the map declared itself broken after an Error in a critical section (accepted, ends the round). */
    private String reportedBroken;

    /** A fresh map, preloaded; {@code round} > 0 preloads more keys. */
    FaultRound(FaultInjection.Subject subject, FaultInjection.CheckEnv env, int round) {
        this(subject, env, round, false);
    }

    /**
     * A fresh map, preloaded, checked once (which iterates it: a map that promotes or caches on iteration has then
     * done so); if {@code amend}, one more key is then written, so that such a map has a fresh write-side
     * structure (ReadDirtyMap's dirty map) when the fault comes.
     */
    @SuppressWarnings("unchecked")
    FaultRound(FaultInjection.Subject subject, FaultInjection.CheckEnv env, int round, boolean amend) {
        this.subject = subject;
        this.env = env;
        this.map = Objects.requireNonNull(subject.create(env.executor), "the map factory returned null");
        this.versioned = map instanceof VersionedMap<?, ?> v ? (VersionedMap<FaultKey, Integer>) v : null;
        List<FaultKey> load = new ArrayList<>();
        for (int id : PRELOADED) {
            load.add(key(id));
        }
        for (int i = 0; i < 5 * round; i++) {
            load.add(key(20 + i));
        }
        oracle("preloading " + load.size() + " keys", () -> {
            for (FaultKey k : load) {
                env.oracle.step("put(" + k + ")");
                map.put(k, MapOp.preloaded(k));
            }
            return null;
        });
        for (FaultKey k : load) {
            model.put(k, MapOp.preloaded(k));
        }
        if (versioned != null) {
            follow("watch from revision 0", 0);
        }
        // The whole oracle once before any fault: a baseline, and it warms the caches a map keeps (snapshots).
        check("before any fault");
        if (amend) {
            FaultKey extra = key(AMEND);
            oracle("put(" + extra + ") after the first check", () -> map.put(extra, MapOp.preloaded(extra)));
            model.put(extra, MapOp.preloaded(extra));
        }
    }

    /* ---------------- Keys and followers ---------------- */

    /** The canonical key of {@code id}, created on first use; ids below {@link #COLLIDING} share a hash code. */
    FaultKey key(int id) {
        return keys.computeIfAbsent(id, i -> i < COLLIDING ? FaultKey.colliding(i, COLLIDING_HASH) : FaultKey.of(i));
    }

    boolean versioned() {
        return versioned != null;
    }

    boolean snapshottable() {
        return map instanceof Snapshottable<?, ?>;
    }

    /** Starts a watch that records the feed after {@code after}. */
    FeedRecorder follow(String name, long after) {
        FeedRecorder f = new FeedRecorder(name, after);
        Watch w = (Watch) oracle("watch(" + after + ")", () -> versioned.watch(after, f));
        f.attach(w);
        followers.add(f);
        return f;
    }

    /** Subscribes a recorder to {@code publisher(after)}. */
    FeedRecorder subscribe(String name, long after) {
        FeedRecorder f = new FeedRecorder(name, after);
        oracle("publisher(" + after + ").subscribe", () -> {
            versioned.publisher(after).subscribe(f);
            return null;
        });
        followers.add(f);
        return f;
    }

    long revision() {
        return (Long) oracle("revision()", versioned::revision);
    }

    /** Waits, bounded, until every open watch has delivered the current revision. */
    void awaitFollowersIdle() {
        long r = revision();
        awaitUntil(() -> followers.stream().allMatch(f -> f.reached() >= r || f.threw() != null
                || (f.watch() != null && !f.watch().isOpen())));
    }

    /** Polls {@code done} until it holds or the check's timeout passes; tells which. */
    boolean awaitUntil(BooleanSupplier done) {
        long deadline = System.nanoTime() + subject.timeout().toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting on " + subject.name(), e);
            }
        }
        return true;
    }

    /* ---------------- The faulting call ---------------- */

    /** Runs the faulting call on the actor lane; a hang fails the check. */
    Lane.Result act(String call, Callable<?> action) {
        try {
            return env.actor.call(call, subject.timeout(), action);
        } catch (Lane.Hang h) {
            env.abandonLanes();
            throw fail("the faulting call " + h.operation + " did not complete within " + h.waited
                    + ": it deadlocked, or waits on a lock it leaked");
        }
    }

    /**
     * Judges a call made while {@code fault} was armed, updates the model, then runs the whole oracle.
     *
     * @param call the call, for reports
     * @param r what it did
     * @param fault the fault armed for it
     * @param ifThrown how the map may be left when the call threw the fault; null: it must not throw it (the map
     *     must absorb the fault, e.g. a failing executor after the write has committed)
     * @param mayAbsorb whether the call may return normally although the fault fired (faults off the caller's
     *     path: listeners, executors, deliveries); if false, returning normally means the map swallowed it
     * @param modelCall the same call on a model; returns its result, or {@link #UNCHECKED}
     */
    void judge(String call, Lane.Result r, Fault fault, Effect ifThrown, boolean mayAbsorb,
            Function<Map<FaultKey, Integer>, Object> modelCall) {
        faults.add(fault);
        env.injected.add(fault);
        Map<FaultKey, Integer> after = new HashMap<>(model);
        Object expected = modelCall.apply(after);
        if (r.thrown() == null) {
            if (fault.fired() && !mayAbsorb) {
                throw fail(call + " returned normally although " + fault + " was thrown into it: the map swallowed it");
            }
            if (expected != UNCHECKED && !Objects.equals(r.value(), expected)) {
                throw fail(call + " returned " + r.value() + " where the reference model returned " + expected
                        + " (fault " + fault + (fault.fired() ? "" : ", armed but not reached") + ")");
            }
            settle(call, fault, Effect.NONE, after, after);
        } else if (!fault.isCauseOf(r.thrown())) {
            throw fail(call + " threw " + r.thrown() + (fault.fired() ? " instead of the injected " + fault
                    : " although the armed fault (" + fault + ") never fired"), r.thrown());
        } else if (ifThrown == null) {
            throw fail(call + " threw the injected " + fault + " back at its caller after the write had committed:"
                    + " the map must contain this fault (it belongs to the watches, not to the writer)", r.thrown());
        } else {
            settle(call, fault, ifThrown, model, after);
        }
    }

    /**
     * Judges a call with no injected fault of its own (a recursive update, a source with duplicate keys):
     * {@code ifThrown} null means it must return normally.
     */
    void verify(String call, Lane.Result r, Effect ifThrown, Function<Map<FaultKey, Integer>, Object> modelCall) {
        Map<FaultKey, Integer> after = new HashMap<>(model);
        Object expected = modelCall.apply(after);
        if (r.thrown() == null) {
            if (expected != UNCHECKED && !Objects.equals(r.value(), expected)) {
                throw fail(call + " returned " + r.value() + " where the reference model returned " + expected);
            }
            settle(call, null, Effect.NONE, after, after);
        } else if (ifThrown == null) {
            throw fail(call + " threw " + r.thrown(), r.thrown());
        } else {
            settle(call, null, ifThrown, model, after);
        }
    }

    /** Applies a call that succeeded inside the faulting call (a recursive put that was allowed) to the model. */
    void applied(Function<Map<FaultKey, Integer>, Object> call) {
        call.apply(model);
    }

    /** Records a call that succeeded without any fault. */
    void succeeded(String call, Lane.Result r, Function<Map<FaultKey, Integer>, Object> modelCall) {
        Object expected = modelCall.apply(model);
        if (r.thrown() != null) {
            throw fail(call + " threw " + r.thrown() + " although no fault was injected", r.thrown());
        }
        if (expected != UNCHECKED && !Objects.equals(r.value(), expected)) {
            throw fail(call + " returned " + r.value() + " where the reference model returned " + expected);
        }
    }

    /** Reads the content, accepts it if {@code effect} allows it, adopts it as the model, runs the oracle. */
    private void settle(String call, Fault fault, Effect effect, Map<FaultKey, Integer> before,
            Map<FaultKey, Integer> after) {
        boolean fired = fault != null && fault.fired();
        @SuppressWarnings("unchecked")
        Map<FaultKey, Integer> actual = (Map<FaultKey, Integer>) oracle("reading every key", this::readAll);
        if (actual == null) {
            return; // reported itself broken, accepted
        }
        String wrong = disagreement(effect, before, after, actual);
        if (wrong != null) {
            throw fail("after " + call + (fired ? " threw " + fault : "") + ", " + wrong);
        }
        model = actual;
        check("after " + call + (fired ? " failed with " + fault : ""));
    }

    private String disagreement(Effect effect, Map<FaultKey, Integer> before, Map<FaultKey, Integer> after,
            Map<FaultKey, Integer> actual) {
        switch (effect) {
            case NONE:
                return actual.equals(before) ? null : "the content differs from the model, which did not apply the"
                        + " failed call (it must not take effect): " + diff(actual, before);
            case NONE_OR_ALL:
                return actual.equals(before) || actual.equals(after) ? null
                        : "the call took effect in part: against not applying it, " + diff(actual, before)
                        + "; against applying it, " + diff(actual, after);
            default:
                Set<FaultKey> all = new HashSet<>(keys.values());
                for (FaultKey k : all) {
                    Integer v = actual.get(k);
                    if (!Objects.equals(v, before.get(k)) && !Objects.equals(v, after.get(k))) {
                        return "key " + k + " maps to " + v + ", neither its value before the call (" + before.get(k)
                                + ") nor after it (" + after.get(k) + ")";
                    }
                }
                return null;
        }
    }

    private static String diff(Map<FaultKey, Integer> actual, Map<FaultKey, Integer> expected) {
        Set<FaultKey> all = new HashSet<>(actual.keySet());
        all.addAll(expected.keySet());
        return all.stream()
                .filter(k -> !Objects.equals(actual.get(k), expected.get(k)))
                .sorted()
                .map(k -> k + " is " + actual.get(k) + ", expected " + expected.get(k))
                .collect(Collectors.joining(", ", "[", "]"));
    }

    /* ---------------- The oracle ---------------- */

    /** The whole oracle, from the oracle lane: views, then a write to every key, views again, feed, watches. */
    private void check(String when) {
        if (reportedBroken != null) {
            return;
        }
        List<String> problems = new ArrayList<>();
        problems.addAll(asList(oracle("reading the views", this::views)));
        if (reportedBroken == null) {
            oracle("writing every key", this::writeEveryKey);
        }
        if (reportedBroken == null) {
            problems.addAll(asList(oracle("reading every key and the views after writing every key", () -> {
                List<String> found = views();
                Map<FaultKey, Integer> actual = readAll();
                if (!actual.equals(model)) {
                    found.add("after a put, compute and remove of every key and a put of its value back, the"
                            + " content differs from the model: " + diff(actual, model));
                }
                return found;
            })));
        }
        if (versioned != null && reportedBroken == null) {
            problems.addAll(followersDeliver());
            problems.addAll(asList(oracle("changesSince(0)", this::feed)));
        }
        for (Throwable t : env.executor.escaped()) {
            if (env.injected.stream().noneMatch(f -> f.isCauseOf(t))) {
                problems.add("a delivery task let " + t + " escape onto the executor's thread");
            }
        }
        if (!problems.isEmpty()) {
            throw fail(when + ": " + String.join("; ", problems));
        }
    }

    @SuppressWarnings("unchecked")
    private static List<String> asList(Object problems) {
        return problems == null ? List.of() : (List<String>) problems;
    }

    /** On the oracle lane: the value of every key used, by {@code get}. */
    private Map<FaultKey, Integer> readAll() {
        Map<FaultKey, Integer> actual = new HashMap<>();
        for (FaultKey k : keys.values()) {
            env.oracle.step("get(" + k + ")");
            Integer v = map.get(k);
            if (v != null) {
                actual.put(k, v);
            }
        }
        return actual;
    }

    /** On the oracle lane: size, the three views and the snapshot against the model. */
    private List<String> views() {
        List<String> found = new ArrayList<>();
        env.oracle.step("size()");
        int size = map.size();
        if (size != model.size()) {
            found.add("size() is " + size + " but the content has " + model.size() + " keys " + new TreeMap<>(model));
        }
        env.oracle.step("iterating entrySet()");
        List<Map.Entry<FaultKey, Integer>> entries = new ArrayList<>();
        for (Map.Entry<FaultKey, Integer> e : map.entrySet()) {
            entries.add(Map.entry(e.getKey(), e.getValue()));
        }
        compare("entrySet()", entries, found);
        env.oracle.step("iterating keySet()");
        List<FaultKey> keyList = new ArrayList<>(map.keySet());
        if (keyList.size() != model.size() || !new HashSet<>(keyList).equals(model.keySet())) {
            found.add("keySet() iterates " + sorted(keyList) + ", the content's keys are " + sorted(model.keySet()));
        }
        env.oracle.step("iterating values()");
        List<Integer> values = new ArrayList<>(map.values());
        if (!sorted(values).equals(sorted(model.values()))) {
            found.add("values() iterates " + sorted(values) + ", the content's values are " + sorted(model.values()));
        }
        if (map instanceof Snapshottable<?, ?> s) {
            env.oracle.step("snapshot()");
            @SuppressWarnings("unchecked")
            Map<FaultKey, Integer> snap = (Map<FaultKey, Integer>) s.snapshot();
            env.oracle.step("iterating snapshot()");
            List<Map.Entry<FaultKey, Integer>> snapEntries = new ArrayList<>();
            for (Map.Entry<FaultKey, Integer> e : snap.entrySet()) {
                snapEntries.add(Map.entry(e.getKey(), e.getValue()));
            }
            compare("snapshot()", snapEntries, found);
            if (snap.size() != model.size()) {
                found.add("snapshot().size() is " + snap.size() + ", the content has " + model.size() + " keys");
            }
        }
        return found;
    }

    private void compare(String view, List<Map.Entry<FaultKey, Integer>> entries, List<String> found) {
        Map<FaultKey, Integer> seen = new HashMap<>();
        for (Map.Entry<FaultKey, Integer> e : entries) {
            if (seen.put(e.getKey(), e.getValue()) != null) {
                found.add(view + " shows key " + e.getKey() + " twice");
            }
        }
        if (!seen.equals(model)) {
            found.add(view + " differs from the content: " + diff(seen, model));
        }
    }

    private static <T extends Comparable<? super T>> List<T> sorted(Collection<T> items) {
        return items.stream().sorted().collect(Collectors.toList());
    }

    /** On the oracle lane: a put, a compute and a remove of every key, then its value put back. */
    private Object writeEveryKey() {
        List<String> found = new ArrayList<>();
        for (FaultKey k : List.copyOf(keys.values())) {
            Integer was = model.get(k);
            env.oracle.step("put(" + k + ", " + LIVENESS_VALUE + ")");
            Integer old = map.put(k, LIVENESS_VALUE);
            if (!Objects.equals(old, was)) {
                found.add("put(" + k + ") returned " + old + ", expected " + was);
            }
            env.oracle.step("compute(" + k + ")");
            map.compute(k, (key, v) -> v == null ? -1 : v + 1);
            env.oracle.step("remove(" + k + ")");
            Integer removed = map.remove(k);
            if (!Objects.equals(removed, LIVENESS_VALUE + 1)) {
                found.add("remove(" + k + ") returned " + removed + ", expected " + (LIVENESS_VALUE + 1));
            }
            if (was != null) {
                env.oracle.step("put(" + k + ", " + was + ") back");
                map.put(k, was);
            }
        }
        if (!found.isEmpty()) {
            throw new AssertionError(String.join("; ", found));
        }
        return null;
    }

    /** On the oracle lane: the feed from the start is gap-free, duplicate-free and replays to the content. */
    private List<String> feed() {
        List<String> found = new ArrayList<>();
        long revision = versioned.revision();
        List<Change<FaultKey, Integer>> feed = versioned.changesSince(0);
        Map<FaultKey, Integer> replay = new HashMap<>();
        Set<FaultKey> inRevision = new HashSet<>();
        long last = 0;
        for (Change<FaultKey, Integer> c : feed) {
            if (c.revision() < last) {
                found.add("the feed goes back from revision " + last + " to " + c.revision());
            } else if (c.revision() > last) {
                if (c.revision() != last + 1) {
                    found.add("the feed has a gap: revisions " + (last + 1) + " to " + (c.revision() - 1) + " are missing");
                }
                last = c.revision();
                inRevision.clear();
            }
            if (!inRevision.add(c.key())) {
                found.add("revision " + c.revision() + " changes key " + c.key() + " twice");
            }
            if (!Objects.equals(replay.get(c.key()), c.oldValue())) {
                found.add("change " + c + " has old value " + c.oldValue() + " but the feed before it leaves "
                        + replay.get(c.key()));
            }
            if (c.isRemoval()) {
                replay.remove(c.key());
            } else {
                replay.put(c.key(), c.newValue());
            }
        }
        if (last != revision) {
            found.add("the feed ends at revision " + last + " but revision() is " + revision);
        }
        if (!replay.equals(model)) {
            found.add("replaying the feed onto an empty map gives a different content: " + diff(replay, model));
        }
        for (FeedRecorder f : followers) {
            List<Change<FaultKey, Integer>> got = f.received();
            List<Change<FaultKey, Integer>> due = feed.stream().filter(c -> c.revision() > f.after)
                    .collect(Collectors.toList());
            if (got.size() > due.size() || !due.subList(0, got.size()).equals(got)) {
                found.add(f + " received changes that are not the feed's, in order, without gap or duplicate: "
                        + got + " against " + due);
            }
        }
        return found;
    }

    /** Writes the probe key and waits until every follower has it, or was closed with its failure reported. */
    private List<String> followersDeliver() {
        FaultKey probe = key(PROBE);
        oracle("put(" + probe + ") to see that every watch still delivers", () -> map.put(probe, 1));
        long r = revision();
        oracle("remove(" + probe + ")", () -> map.remove(probe));
        boolean settled = awaitUntil(() -> followers.stream().allMatch(f -> f.reached() >= r || finished(f)));
        List<String> found = new ArrayList<>();
        for (FeedRecorder f : followers) {
            Watch w = f.watch();
            Fault threw = f.threw();
            if (threw != null && w != null && (w.isOpen() || w.failure() != threw.thrown())) {
                found.add(f + "'s listener threw " + threw + "; the watch must be closed with it as failure(), but"
                        + " isOpen() is " + w.isOpen() + " and failure() is " + w.failure());
            } else if (w != null && !w.isOpen() && w.failure() == null) {
                found.add(f + " was closed with no failure() reported, although nobody closed it");
            } else if (!settled && f.reached() < r && !finished(f)) {
                found.add(f + " is open but did not deliver revision " + r + " within " + subject.timeout().toMillis()
                        + " ms" + faultClause() + " (a lost wake-up, or its delivery is stuck)");
            }
        }
        return found;
    }

    /** Whether a follower has legitimately stopped: a watch closed with a failure, or a subscriber that threw. */
    private static boolean finished(FeedRecorder f) {
        Watch w = f.watch();
        return w != null ? !w.isOpen() && w.failure() != null : f.threw() != null || f.onError() != null;
    }

    /**
     * Runs an oracle step on the oracle lane. An exception it throws fails the check, except the
     * {@link IllegalStateException} of a map that declares itself broken after an Error injected through
     * {@code FaultHooks} in a critical section (then the round ends, accepted, and this returns null).
     */
    private Object oracle(String operation, Callable<?> step) {
        Lane.Result r;
        try {
            r = env.oracle.call(operation, subject.timeout(), step);
        } catch (Lane.Hang h) {
            env.abandonLanes();
            throw hung(h);
        }
        Throwable t = r.thrown();
        if (t == null) {
            return r.value();
        }
        if (t instanceof AssertionError a) {
            throw fail(operation + faultClause() + ": " + a.getMessage());
        }
        Fault last = faults.isEmpty() ? null : faults.get(faults.size() - 1);
        if (last != null && last.viaHook && last.kind.isError() && t instanceof IllegalStateException
                && t.getMessage() != null && !t.getMessage().isBlank()) {
            reportedBroken = env.oracle.current() + " threw " + t;
            env.note(subject.name() + " declared itself broken after " + last + ": " + reportedBroken);
            return null;
        }
        throw fail("operation " + env.oracle.current() + " threw " + t + faultClause(), t);
    }

    private String faultClause() {
        return faults.isEmpty() ? "" : " after fault " + faults.get(faults.size() - 1);
    }

    private AssertionError hung(Lane.Hang h) {
        return fail("operation " + h.operation + " did not complete within " + h.waited
                + (faults.isEmpty() ? "" : " after fault " + faults.get(faults.size() - 1))
                + ": a lock was probably leaked");
    }

    AssertionError fail(String message) {
        return new AssertionError(subject.name() + ": " + message);
    }

    AssertionError fail(String message, Throwable cause) {
        return new AssertionError(subject.name() + ": " + message, cause);
    }
}
