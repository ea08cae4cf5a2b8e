package dev.syncmap.internal;

import java.util.Objects;

/**
 * A test hook: named places inside the maps where the JVM could throw an {@link Error} of its own (an
 * {@link OutOfMemoryError} while a table, a version chain or the change log grows), at which a test can make one
 * happen. The fault-injection kit of {@code syncmap-testkit} uses it to check that such an error leaves every lock
 * released and the map either intact or reporting that it is not.
 *
 * <h2>Implementation notes</h2>
 * A map calls it as {@code if (FaultHooks.ENABLED) FaultHooks.reach(Site.X);}. {@link #ENABLED} is a
 * {@code static final} read once from the system property {@code syncmap.faultHooks} when this class initializes:
 * in a JVM started without {@code -Dsyncmap.faultHooks=true} the JIT folds the branch away and the hook costs
 * nothing. When enabled, a hook is one volatile read of the installed {@link Injector} (null when none).
 */
public final class FaultHooks {

    /** Whether the hooks are live in this JVM ({@code -Dsyncmap.faultHooks=true}); fixed at class init. */
    public static final boolean ENABLED = Boolean.getBoolean("syncmap.faultHooks");

    /** The places where an error can be injected. */
    public enum Site {
        /** A hash table is about to be replaced by a larger one (allocation of the new table). */
        TABLE_GROWTH,
        /** A node or version record is about to be allocated for a write. */
        NODE_ALLOCATION,
        /** A change is about to be appended to a change log (which may grow its storage). */
        LOG_APPEND,
        /** An immutable table or snapshot copy is about to be built (copy-on-write maps, promotions). */
        COPY_BUILD,
        /** A watch is about to read the change log to deliver a batch of changes. */
        FEED_READ
    }

    /** Decides, at each site reached, whether to throw; it may throw any {@link Throwable} that is unchecked. */
    @FunctionalInterface
    public interface Injector {
        /**
         * Called when a map reaches {@code site} (on the map's calling thread, possibly with its locks held).
         *
         * @param site the place reached
         */
        void reach(Site site);
    }

    private static volatile Injector injector;

    private FaultHooks() {}

    /**
     * Installs {@code hook} for every map in this JVM until {@link #clear()}.
     *
     * @param hook the injector
     * @throws IllegalStateException if the JVM was not started with {@code -Dsyncmap.faultHooks=true}
     */
    public static void install(Injector hook) {
        Objects.requireNonNull(hook, "hook");
        if (!ENABLED) {
            throw new IllegalStateException(
                "fault hooks are off in this JVM: start it with -Dsyncmap.faultHooks=true");
        }
        injector = hook;
    }

    /** Removes the installed injector, if any. */
    public static void clear() {
        injector = null;
    }

    /**
     * Called by a map at {@code site}; runs the installed injector, if any. Guard every call with
     * {@code if (FaultHooks.ENABLED)}.
     *
     * @param site the place reached
     */
    public static void reach(Site site) {
        Injector hook = injector;
        if (hook != null) {
            hook.reach(site);
        }
    }
}
