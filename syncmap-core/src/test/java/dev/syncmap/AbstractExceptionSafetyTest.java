package dev.syncmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syncmap.internal.FaultHooks;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Exception safety of one map type (STYLE.md point 13): a key whose {@code hashCode} or {@code equals} throws at any
 * point of any operation, a mapping function that throws, and an {@link Error} injected at the map's allocation
 * sites, each leave every lock released, no half-written state, and {@code size()}, iteration and snapshots equal
 * to a reference model that applied the calls that succeeded (checked by {@link ExceptionSafety}).
 */
abstract class AbstractExceptionSafetyTest {

    /** The hash code shared by the stored key and the colliding query keys, so that {@code equals} is called. */
    static final int SHARED_HASH = 7;

    private final Supplier<? extends ConcurrentMap<Object, Object>> factory;
    private final PartialPutAll partialPutAll;

    /**
     * @param factory makes a new, empty map of the type under test
     * @param partialPutAll what the map's {@code putAll} leaves when a key throws midway (documented in its Javadoc)
     */
    AbstractExceptionSafetyTest(Supplier<? extends ConcurrentMap<Object, Object>> factory,
                                PartialPutAll partialPutAll) {
        this.factory = factory;
        this.partialPutAll = partialPutAll;
    }

    /** A new, empty map of the type under test. */
    ConcurrentMap<Object, Object> newMap() {
        return factory.get();
    }

    /** A new, empty map in which the injection tests' calls reach their site predictably (e.g. one stripe). */
    ConcurrentMap<Object, Object> newMapForInjection() {
        return newMap();
    }

    /** What a {@code putAll} that fails midway leaves. */
    enum PartialPutAll {
        /** Nothing: the argument is checked and hashed before anything is written. */
        NOTHING,
        /** The argument's mappings before the failing one, in the argument's iteration order. */
        PREFIX,
        /** Some of the argument's mappings (each fully written or not at all), none of them the failing key's. */
        SOME
    }


    /**
     * Fills a map: sixteen keys, among them the stored key {@code s} (hash {@link #SHARED_HASH}). Subclasses add
     * the structural states that matter to them (a promotion, a deleted entry, ...), applied to map and model alike.
     */
    void setUp(Map<Object, Object> map, ThrowingKey stored) {
        for (int i = 0; i < 15; i++) {
            map.put(ThrowingKey.named("filler" + i), i);
        }
        map.put(stored, "s-value");
    }

    /* ---------------- Keys that throw ---------------- */

    /** Which key is armed: the one stored in the map, or the one passed to the call. */
    enum Armed { STORED, QUERY }

    /** Which of the key's methods throws. */
    enum Method { HASH_CODE, EQUALS }

    /** The single-key calls swept, by name; {@code k} is the query key. */
    static List<Map.Entry<String, java.util.function.Function<Object, ExceptionSafety.MapCall>>> singleKeyCalls() {
        Map<String, java.util.function.Function<Object, ExceptionSafety.MapCall>> calls = new LinkedHashMap<>();
        calls.put("get", k -> m -> m.get(k));
        calls.put("getOrDefault", k -> m -> m.getOrDefault(k, "default"));
        calls.put("containsKey", k -> m -> m.containsKey(k));
        calls.put("put", k -> m -> m.put(k, "new"));
        calls.put("putIfAbsent", k -> m -> m.putIfAbsent(k, "new"));
        calls.put("remove", k -> m -> m.remove(k));
        calls.put("remove(k, v)", k -> m -> m.remove(k, "s-value"));
        calls.put("replace", k -> m -> m.replace(k, "new"));
        calls.put("replace(k, old, new)", k -> m -> m.replace(k, "s-value", "new"));
        calls.put("compute", k -> m -> m.compute(k, (key, v) -> v == null ? "computed" : v + "+"));
        calls.put("compute to null", k -> m -> m.compute(k, (key, v) -> null));
        calls.put("computeIfAbsent", k -> m -> m.computeIfAbsent(k, key -> "computed"));
        calls.put("computeIfPresent", k -> m -> m.computeIfPresent(k, (key, v) -> v + "+"));
        calls.put("computeIfPresent to null", k -> m -> m.computeIfPresent(k, (key, v) -> null));
        calls.put("merge", k -> m -> m.merge(k, "merged", (a, b) -> a + "+" + b));
        calls.put("merge to null", k -> m -> m.merge(k, "merged", (a, b) -> null));
        calls.put("putAll of one", k -> m -> {
            m.putAll(Map.of(k, "new"));
            return null;
        });
        return new ArrayList<>(calls.entrySet());
    }

    static Stream<Arguments> keySweeps() {
        List<Arguments> out = new ArrayList<>();
        for (var call : singleKeyCalls()) {
            for (boolean present : new boolean[] {true, false}) {
                for (Armed armed : Armed.values()) {
                    for (Method method : Method.values()) {
                        out.add(Arguments.of(call.getKey(), present, armed, method));
                    }
                }
            }
        }
        return out.stream();
    }

    /**
     * The sweep: for each single-key call, on a present key (equal to the stored one) and an absent one (colliding
     * with it), with the stored or the query key's {@code hashCode} or {@code equals} throwing on its 1st, 2nd, ...
     * call, alternately a {@link RuntimeException} and a {@link StackOverflowError}.
     */
    @ParameterizedTest(name = "{0}, present={1}, {2}.{3} throws")
    @MethodSource("keySweeps")
    void everyOperationSurvivesAKeyThatThrows(String name, boolean present, Armed armed, Method method) {
        ThrowingKey stored = ThrowingKey.hashed("s", SHARED_HASH);
        ThrowingKey query = ThrowingKey.hashed(present ? "s" : "t", SHARED_HASH);
        ExceptionSafety.MapCall call = singleKeyCalls().stream().filter(c -> c.getKey().equals(name))
            .findFirst().orElseThrow().getValue().apply(query);
        Supplier<Throwable> failure = name.length() % 2 == 0
            ? () -> new IllegalStateException("injected by " + method) : () -> new StackOverflowError("injected");
        ExceptionSafety.Arming arming = method == Method.HASH_CODE
            ? (k, n) -> k.armHashCode(n, failure) : (k, n) -> k.armEquals(n, failure);
        ThrowingKey target = armed == Armed.STORED ? stored : query;
        // 0 when the map never calls that method of that key in this call (e.g. the stored key's hashCode)
        ExceptionSafety.sweep(this::newMap, m -> setUp(m, stored), target, arming, call, List.of(query));
    }

    /* ---------------- Mapping functions that throw ---------------- */

    static Stream<Arguments> throwingFunctions() {
        List<Arguments> out = new ArrayList<>();
        for (String name : List.of("compute", "computeIfAbsent", "computeIfPresent", "merge", "replaceAll")) {
            for (boolean present : new boolean[] {true, false}) {
                out.add(Arguments.of(name, present, "RuntimeException"));
                out.add(Arguments.of(name, present, "StackOverflowError"));
                out.add(Arguments.of(name, present, "OutOfMemoryError"));
            }
        }
        return out.stream();
    }

    /** A mapping function that throws leaves the map exactly as it was, and no lock or computation mark behind. */
    @ParameterizedTest(name = "{0}, present={1}, {2}")
    @MethodSource("throwingFunctions")
    void aMappingFunctionThatThrowsLeavesTheMapAsItWas(String name, boolean present, String kind) {
        ThrowingKey stored = ThrowingKey.hashed("s", SHARED_HASH);
        ThrowingKey key = present ? ThrowingKey.hashed("s", SHARED_HASH) : ThrowingKey.named("absent");
        Throwable failure = switch (kind) {
            case "RuntimeException" -> new IllegalArgumentException("injected");
            case "StackOverflowError" -> new StackOverflowError("injected");
            default -> new OutOfMemoryError("injected");
        };
        Runnable thrower = () -> {
            if (failure instanceof RuntimeException r) {
                throw r;
            }
            throw (Error) failure;
        };
        ConcurrentMap<Object, Object> map = newMap();
        setUp(map, stored);
        Map<Object, Object> model = new HashMap<>(map);
        ExceptionSafety.MapCall call = switch (name) {
            case "compute" -> m -> m.compute(key, (k, v) -> throwFrom(thrower));
            case "computeIfAbsent" -> m -> m.computeIfAbsent(key, k -> throwFrom(thrower));
            case "computeIfPresent" -> m -> m.computeIfPresent(key, (k, v) -> throwFrom(thrower));
            case "merge" -> m -> m.merge(key, "v", (a, b) -> throwFrom(thrower));
            default -> m -> {
                m.replaceAll((k, v) -> throwFrom(thrower));
                return null;
            };
        };
        boolean runsFunction = switch (name) {
            case "compute", "replaceAll" -> true;
            case "computeIfAbsent" -> !present;
            default -> present;
        };
        if (runsFunction) {
            Throwable thrown = assertThrows(Throwable.class, () -> call.apply(map));
            assertSame(failure, thrown);
        } else {
            call.apply(map);
            call.apply(model);
        }
        ExceptionSafety.assertIntact(map, model, List.of(key), name + "'s function threw " + kind);
    }

    private static Object throwFrom(Runnable thrower) {
        thrower.run();
        throw new AssertionError("unreachable");
    }

    /* ---------------- Views ---------------- */

    /** An entry's write-through setValue whose put throws must not show a value the map never stored. */
    @Test
    void entrySetValueWhosePutThrowsKeepsTheEntrysOldValue() {
        ThrowingKey key = ThrowingKey.named("k");
        ConcurrentMap<Object, Object> map = newMap();
        map.put(key, "old");
        Map.Entry<Object, Object> entry = map.entrySet().iterator().next();
        key.armHashCode(1, () -> new IllegalStateException("injected"));
        assertThrows(IllegalStateException.class, () -> entry.setValue("new"));
        key.reset();
        assertEquals("old", entry.getValue(), "the entry shows a value its map never stored");
        ExceptionSafety.assertIntact(map, Map.of(key, "old"), List.of(), "entry.setValue threw");
    }

    /* ---------------- putAll with a key that throws midway ---------------- */

    /**
     * A {@code putAll} whose third key's {@code hashCode} (or {@code equals}) throws, at each point where the map
     * calls it, leaves what {@link #partialPutAll()} says; the map stays usable and consistent.
     */
    @ParameterizedTest(name = "{0} throws")
    @MethodSource("methods")
    void putAllWithAKeyThatThrowsMidwayLeavesWhatItsContractSays(Method method) {
        ThrowingKey stored = ThrowingKey.hashed("s", SHARED_HASH);
        ThrowingKey bad = ThrowingKey.hashed("s", SHARED_HASH); // equal to the stored key: its equals is called
        Map<Object, Object> argument = new LinkedHashMap<>();
        for (int i = 0; i < 6; i++) {
            argument.put(i == 2 ? bad : ThrowingKey.named("added" + i), "added" + i);
        }
        for (int n = 1; ; n++) {
            ConcurrentMap<Object, Object> map = newMap();
            setUp(map, stored);
            Map<Object, Object> before = new HashMap<>(map);
            bad.reset();
            if (method == Method.HASH_CODE) {
                bad.armHashCode(n, () -> new IllegalStateException("injected"));
            } else {
                bad.armEquals(n, () -> new IllegalStateException("injected"));
                stored.armEquals(n, () -> new IllegalStateException("injected"));
            }
            Throwable thrown = null;
            try {
                map.putAll(argument);
            } catch (IllegalStateException e) {
                thrown = e;
            } finally {
                bad.disarm();
                stored.disarm();
            }
            if (thrown == null) {
                Map<Object, Object> model = new HashMap<>(before);
                model.putAll(argument);
                ExceptionSafety.assertIntact(map, model, argument.keySet(), "putAll completed");
                return;
            }
            Map<Object, Object> model = new HashMap<>(before);
            List<Object> written = new ArrayList<>();
            for (Map.Entry<Object, Object> e : argument.entrySet()) {
                if (e.getKey() != bad && e.getValue().equals(map.get(e.getKey()))) {
                    model.put(e.getKey(), e.getValue());
                    written.add(e.getKey());
                }
            }
            List<Object> prefix = new ArrayList<>(argument.keySet()).subList(0, 2);
            switch (partialPutAll) {
                case NOTHING -> assertEquals(List.of(), written, "a failed putAll wrote nothing");
                case PREFIX -> assertTrue(written.isEmpty() || written.equals(prefix),
                    "a failed putAll leaves nothing or the prefix before the failing key; it left " + written);
                case SOME -> { }
            }
            assertEquals("s-value", map.get(stored), "the failing key's mapping is unchanged");
            ExceptionSafety.assertIntact(map, model, argument.keySet(), "putAll threw on call " + n);
        }
    }

    static Stream<Method> methods() {
        return Stream.of(Method.values());
    }

    /* ---------------- Injected Errors ---------------- */

    /**
     * Injects an {@link OutOfMemoryError} at {@code site} during {@code call} (on this thread only, once), checks that
     * the call throws it and changed nothing, then checks the map from another thread.
     *
     * @param prepare fills the map (and, applied to a {@code HashMap}, the model) so that {@code call} reaches the site
     */
    void assertInjectedErrorChangesNothing(FaultHooks.Site site, Consumer<Map<Object, Object>> prepare,
                                           ExceptionSafety.MapCall call) {
        ConcurrentMap<Object, Object> map = newMapForInjection();
        prepare.accept(map);
        Map<Object, Object> model = new HashMap<>();
        prepare.accept(model);
        OutOfMemoryError injected = new OutOfMemoryError("injected at " + site);
        try (ExceptionSafety.Injection injection = ExceptionSafety.injectOnce(site, injected)) {
            Throwable thrown = assertThrows(Throwable.class, () -> call.apply(map),
                "the call should have reached " + site);
            assertSame(injected, thrown);
            assertTrue(injection.fired());
        }
        ExceptionSafety.assertIntact(map, model, List.of(), "after an OutOfMemoryError at " + site);
    }

    /** Fills a map with {@code n} keys {@code "key0"...}. */
    static Consumer<Map<Object, Object>> keys(int n) {
        return m -> {
            for (int i = 0; i < n; i++) {
                m.put("key" + i, i);
            }
        };
    }
}
