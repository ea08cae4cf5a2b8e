package dev.syncmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A {@link RaceDetectingMap} call in which user code throws (a key's {@code hashCode}/{@code equals}, a function) must
 * leave its state word idle: otherwise every later call from another thread would be reported as a race.
 */
class RaceDetectingMapExceptionSafetyTest {

    @Test
    void aCallWhoseUserCodeThrowsLeavesNoRegistrationBehind() throws Exception {
        ThrowingKey key = ThrowingKey.named("k");
        List<Consumer<Map<Object, Object>>> calls = List.of(
            m -> m.get(key), m -> m.containsKey(key), m -> m.put(key, 2), m -> m.remove(key),
            m -> m.putIfAbsent(key, 2), m -> m.compute(key, (k, v) -> 2), m -> m.merge(key, 2, (a, b) -> 3),
            m -> m.putAll(Map.of(key, 2)), m -> m.keySet().contains(key), m -> m.keySet().remove(key),
            m -> m.entrySet().iterator().next().hashCode());
        for (Consumer<Map<Object, Object>> call : calls) {
            Map<Object, Object> map = RaceDetectingMap.of(new HashMap<>());
            map.put(key, 1);
            key.armHashCode(1, () -> new StackOverflowError("injected"));
            assertThrows(StackOverflowError.class, () -> call.accept(map));
            key.reset();
            CompletableFuture<Object> other = CompletableFuture.supplyAsync(() -> {
                map.put("other", 1); // a leaked registration makes this a "race"
                return map.get(key);
            }, r -> new Thread(r).start());
            assertEquals(1, other.get(ExceptionSafety.BOUND_SECONDS, TimeUnit.SECONDS));
        }
        Map<Object, Object> map = RaceDetectingMap.of(new HashMap<>());
        map.put("a", 1);
        assertThrows(IllegalStateException.class, () -> map.replaceAll((k, v) -> {
            throw new IllegalStateException("injected");
        }));
        assertEquals(1, CompletableFuture.supplyAsync(() -> map.put("a", 2), r -> new Thread(r).start())
            .get(ExceptionSafety.BOUND_SECONDS, TimeUnit.SECONDS));
    }
}
