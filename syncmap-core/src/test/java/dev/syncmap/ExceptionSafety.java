package dev.syncmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.fail;

import dev.syncmap.internal.FaultHooks;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The oracle of the exception-safety tests: after user code (a key's {@code hashCode}/{@code equals}, a mapping
 * function) or an injected {@link Error} made a call fail, checks from <em>another</em> thread, with a bounded wait,
 * that no lock is held (every operation on every key completes), and that the content, {@code size()}, iteration
 * and snapshots all equal a reference model that applied only the calls that succeeded.
 */
final class ExceptionSafety {

    /** How long the other thread may take for all its checks before the map is declared stuck. */
    static final long BOUND_SECONDS = 5;

    /** Keys written and removed again by the oracle, enough to touch every stripe of a StripedMap. */
    private static final int PROBES = 256;

    private ExceptionSafety() {}

    /** A call on a map, applied to the map under test and (when it succeeded there) to the model. */
    @FunctionalInterface
    interface MapCall {
        Object apply(Map<Object, Object> map);
    }

    /**
     * Sweeps the failure point: for n = 1, 2, ... builds a fresh map and model with {@code setup}, arms
     * {@code armed} (through {@code arm}) to throw on its n-th call, runs {@code call}, and checks the result with
     * {@link #assertIntact}. A call that threw the injected failure must have changed nothing; one that completed
     * must have done what it does on a {@link HashMap}. Stops at the first n the call no longer reaches.
     *
     * @param factory makes the map under test
     * @param setup fills a map (applied to the map under test and to the model, with every key disarmed)
     * @param armed the key to arm
     * @param arm arms the key for the n-th call, e.g. {@code (k, n) -> k.armEquals(n, failure)}
     * @param call the call under test
     * @param touched further keys the oracle must be able to write, besides the model's
     * @return how many failure points were swept: 0 if the call never calls the armed method of the key
     */
    static int sweep(Supplier<? extends ConcurrentMap<Object, Object>> factory, Consumer<Map<Object, Object>> setup,
                     ThrowingKey armed, Arming arm, MapCall call, Collection<?> touched) {
        for (int n = 1; ; n++) {
            armed.reset();
            ConcurrentMap<Object, Object> map = factory.get();
            setup.accept(map);
            Map<Object, Object> model = new HashMap<>();
            setup.accept(model);
            arm.arm(armed, n);
            Object result;
            try {
                result = call.apply(map);
            } catch (RuntimeException | Error e) {
                armed.disarm();
                assertSame(armed.thrown(), e, "the call threw something other than the key's failure");
                assertIntact(map, model, touched, "after the key threw on call " + n);
                continue;
            }
            armed.disarm();
            boolean fired = armed.thrown() != null;
            assertEquals(call.apply(model), result, "the call's result, with the key's failure on call " + n);
            assertIntact(map, model, touched, "after the call completed with the key armed for call " + n);
            if (!fired) {
                return n - 1;
            }
        }
    }

    /** Arms a key to throw on its n-th call. */
    @FunctionalInterface
    interface Arming {
        void arm(ThrowingKey key, int n);
    }

    /**
     * Checks from another thread, within {@link #BOUND_SECONDS}, that {@code map} is usable and equals
     * {@code model}: size, iteration, snapshot and every key's value agree with the model; then that every key of
     * the model, every key in {@code touched} and {@value #PROBES} probe keys can be written and removed again
     * (which hangs if any lock or pending computation leaked), leaving the content as the model.
     */
    static void assertIntact(ConcurrentMap<Object, Object> map, Map<Object, Object> model, Collection<?> touched,
                             String when) {
        Set<Object> keys = new LinkedHashSet<>(model.keySet());
        keys.addAll(touched);
        for (int i = 0; i < PROBES; i++) {
            keys.add("probe-" + i);
        }
        CompletableFuture<Void> check = new CompletableFuture<>();
        Thread other = new Thread(() -> {
            try {
                assertContent(map, model, when);
                for (Object key : keys) {
                    Object was = map.get(key);
                    assertEquals(model.get(key), was, when + ": value of " + key);
                    map.put(key, "written by the oracle");
                    assertEquals("written by the oracle", map.get(key), when + ": a put of " + key + " was lost");
                    if (was == null) {
                        map.remove(key);
                    } else {
                        map.put(key, was);
                    }
                }
                assertContent(map, model, when + ", after writing every key");
                check.complete(null);
            } catch (Throwable t) {
                check.completeExceptionally(t);
            }
        }, "exception-safety oracle");
        other.setDaemon(true); // a thread stuck on a leaked lock must not keep the JVM alive
        other.start();
        try {
            check.get(BOUND_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            fail(when + ": operations from another thread did not complete within " + BOUND_SECONDS
                + " s (a lock or a pending computation leaked); the oracle thread is at "
                + List.of(other.getStackTrace()));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AssertionError a) {
                throw a;
            }
            throw new AssertionError(when + ": the map failed from another thread: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void assertContent(ConcurrentMap<Object, Object> map, Map<Object, Object> model, String when) {
        assertEquals(model.size(), map.size(), when + ": size()");
        List<Map.Entry<Object, Object>> iterated = new ArrayList<>(map.entrySet());
        assertEquals(model.size(), iterated.size(), when + ": entries iterated " + iterated);
        assertEquals(model, new HashMap<>(map), when + ": content by iteration");
        if (map instanceof Snapshottable<?, ?> s) {
            assertEquals(model, s.snapshot(), when + ": snapshot()");
            assertEquals(model.size(), s.snapshot().size(), when + ": snapshot().size()");
        }
    }

    /* ---------------- Injected Errors at the maps' allocation sites ---------------- */

    /**
     * Installs a {@link FaultHooks} injector that throws {@code error} the first time the current thread reaches
     * {@code site}, and never again; close it to remove it.
     */
    static Injection injectOnce(FaultHooks.Site site, Error error) {
        return new Injection(site, error);
    }

    /** An installed one-shot injector. */
    static final class Injection implements AutoCloseable {
        private final AtomicBoolean fired = new AtomicBoolean();

        private Injection(FaultHooks.Site site, Error error) {
            Thread target = Thread.currentThread();
            FaultHooks.install(reached -> {
                if (reached == site && Thread.currentThread() == target && fired.compareAndSet(false, true)) {
                    throw error;
                }
            });
        }

        /** Whether the error was thrown. */
        boolean fired() {
            return fired.get();
        }

        @Override
        public void close() {
            FaultHooks.clear();
        }
    }
}
