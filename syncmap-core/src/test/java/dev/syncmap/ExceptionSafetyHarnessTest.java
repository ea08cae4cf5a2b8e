package dev.syncmap;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/** The exception-safety oracle must notice a map that leaks its lock: the deliberately broken control. */
class ExceptionSafetyHarnessTest {

    /** Takes its lock, then hashes the key outside the try/finally: a throwing key leaks the lock. */
    @SuppressWarnings("serial") // never serialized
    private static final class LockLeakingMap extends ConcurrentHashMap<Object, Object> {
        private final transient ReentrantLock lock = new ReentrantLock();

        @Override
        public Object put(Object key, Object value) {
            lock.lock();
            int ignored = key.hashCode(); // the defect under test: user code between lock() and try
            try {
                return super.put(key, value);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public Object get(Object key) {
            lock.lock();
            try {
                return super.get(key);
            } finally {
                lock.unlock();
            }
        }
    }

    @Test
    void theOracleCatchesAMapThatLeaksItsLockOnAThrowingKey() {
        LockLeakingMap broken = new LockLeakingMap();
        ThrowingKey key = ThrowingKey.named("k").armHashCode(1, () -> new IllegalStateException("injected"));
        assertThrows(IllegalStateException.class, () -> broken.put(key, 1));
        AssertionError e = assertThrows(AssertionError.class,
            () -> ExceptionSafety.assertIntact(broken, Map.of(), List.of(key), "control"));
        assertTrue(e.getMessage().contains("did not complete"), e.getMessage());
    }
}
