package dev.syncmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Comparator;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every map is written as one {@link SerializedMap}, read back working, and a corrupt form is refused by name. */
class SerializedMapTest {

    static Stream<Arguments> maps() {
        return Stream.of(
            Arguments.of("LockedMap", (Supplier<ConcurrentMap<String, Integer>>) () -> new LockedMap<>(true)),
            Arguments.of("StripedMap", (Supplier<ConcurrentMap<String, Integer>>) () -> new StripedMap<>(8, 4)),
            Arguments.of("ReadDirtyMap", (Supplier<ConcurrentMap<String, Integer>>) ReadDirtyMap::new),
            Arguments.of("CopyOnWriteMap", (Supplier<ConcurrentMap<String, Integer>>) CopyOnWriteMap::new),
            Arguments.of("VersionedMap", (Supplier<ConcurrentMap<String, Integer>>) VersionedMap::new));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("maps")
    void roundTripKeepsTheMappingsTheTypeAndAWorkingMap(String name, Supplier<ConcurrentMap<String, Integer>> factory)
            throws Exception {
        ConcurrentMap<String, Integer> map = factory.get();
        for (int i = 0; i < 100; i++) {
            map.put("k" + i, i);
        }
        Object read = roundTrip(map);
        assertEquals(map.getClass(), read.getClass());
        @SuppressWarnings("unchecked")
        ConcurrentMap<String, Integer> copy = (ConcurrentMap<String, Integer>) read;
        assertEquals(map, copy);
        copy.put("new", -1);
        copy.remove("k0");
        assertEquals(100, copy.size());
        assertEquals(-1, copy.get("new"));
    }

    @Test
    void settingsSurvive() throws Exception {
        assertTrue(((LockedMap<?, ?>) roundTrip(new LockedMap<>(true))).isFair());
        VersionedMap<String, Integer> v = VersionedMap.<String, Integer>builder()
            .comparator(Comparator.reverseOrder()).build();
        v.put("a", 1);
        v.put("b", 2);
        @SuppressWarnings("unchecked")
        VersionedMap<String, Integer> w = (VersionedMap<String, Integer>) roundTrip(v);
        assertEquals(v.revision(), w.revision());
        assertEquals("b", w.snapshot().sorted().firstKey());
    }

    static Stream<Arguments> corruptForms() {
        Object[] ok = {"k", "v"};
        return Stream.of(
            Arguments.of(new SerializedMap(null, new long[0], null, ok), "no kind"),
            Arguments.of(new SerializedMap(SerializedMap.Kind.READ_DIRTY, null, null, ok), "no kind or settings"),
            Arguments.of(new SerializedMap(SerializedMap.Kind.READ_DIRTY, new long[0], null, null), "key/value array"),
            Arguments.of(new SerializedMap(SerializedMap.Kind.READ_DIRTY, new long[0], null, new Object[] {"k"}),
                "key/value array"),
            Arguments.of(new SerializedMap(SerializedMap.Kind.COPY_ON_WRITE, new long[0], null,
                new Object[] {null, "v"}), "a null key"),
            Arguments.of(new SerializedMap(SerializedMap.Kind.LOCKED, new long[0], null, new Object[] {"k", null}),
                "a null value"),
            Arguments.of(new SerializedMap(SerializedMap.Kind.LOCKED, new long[0], null, ok), "0 settings"),
            Arguments.of(new SerializedMap(SerializedMap.Kind.LOCKED, new long[] {7}, null, ok), "fairness flag 7"),
            Arguments.of(new SerializedMap(SerializedMap.Kind.STRIPED, new long[] {0}, null, ok), "stripe count 0"),
            Arguments.of(new SerializedMap(SerializedMap.Kind.STRIPED, new long[] {3}, null, ok), "stripe count 3"),
            Arguments.of(new SerializedMap(SerializedMap.Kind.VERSIONED, new long[] {10, 10, -1}, null, ok),
                "revision -1"),
            Arguments.of(new SerializedMap(SerializedMap.Kind.VERSIONED, new long[] {10, 10}, null, ok),
                "2 settings"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("corruptForms")
    void aCorruptFormIsRefusedNamingTheProblem(SerializedMap form, String problem) {
        InvalidObjectException e = assertThrows(InvalidObjectException.class, () -> roundTrip(form));
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }

    private static Object roundTrip(Object o) throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return in.readObject();
        }
    }
}
