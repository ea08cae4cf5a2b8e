package dev.syncmap.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

import com.sun.management.GarbageCollectionNotificationInfo;

/**
 * Records the garbage collector's stop-the-world pauses while it is open, on {@link System#nanoTime()}'s time
 * line, so that slow requests can be told apart: those that overlapped a pause and those that waited on the
 * map itself ({@link TailAttribution}).
 *
 * <h2>Implementation notes</h2>
 * The JVM's {@link GarbageCollectionNotificationInfo GC notifications} give each collection's start and end in
 * milliseconds since the JVM started. Added to the JVM's start time ({@code RuntimeMXBean.getStartTime()}, wall
 * clock) they are wall-clock times, moved onto the nano time line with one pair of readings taken when the
 * recorder opens ({@code currentTimeMillis}, {@code nanoTime}). (Not with {@code RuntimeMXBean.getUptime()}: its
 * zero is not the collector's; measured here, 100 to 270 ms apart.) Both clocks tick in whole milliseconds, so a
 * pause's place is known to about a millisecond (a wall-clock step during a run would shift it), and
 * {@link Pause#overlaps} widens it by {@link #ALIGNMENT_NS} on both sides. A collection whose action names a concurrent cycle ({@code "end of GC cycle"}, G1's and ZGC's
 * concurrent work) is not a pause and is not recorded; every other action ({@code "end of minor GC"},
 * {@code "end of major GC"}, {@code "end of GC pause"}) is. Notifications arrive on the JMX notification thread
 * after the pause, late on a loaded machine: {@link #close()} waits until the beans' collection counts and the
 * notifications received agree.
 *
 * <p>Thread-safety: the listener appends to the list under the list's monitor; {@link #pauses()} copies under it.
 */
public final class GcPauses implements AutoCloseable {

    /** How far a pause's position may be off, after alignment: the millisecond of the clocks it is aligned with. */
    public static final long ALIGNMENT_NS = 1_000_000;

    /**
     * One stop-the-world pause.
     *
     * @param startNs start, on the {@link System#nanoTime()} time line
     * @param endNs end, on the same time line
     * @param collector the collector's name (for example {@code "G1 Young Generation"})
     */
    public record Pause(long startNs, long endNs, String collector) {

        /**
         * Tells whether {@code [fromNs, toNs]} overlaps this pause, widened by {@link #ALIGNMENT_NS} on each side.
         *
         * @param fromNs the interval's start
         * @param toNs the interval's end
         * @return true if they overlap
         */
        public boolean overlaps(long fromNs, long toNs) {
            return fromNs <= endNs + ALIGNMENT_NS && toNs >= startNs - ALIGNMENT_NS;
        }

        /** @return the pause's length in nanoseconds */
        public long lengthNs() {
            return endNs - startNs;
        }
    }

    /** How long {@link #close()} waits at most for the notifications of collections that have happened. */
    private static final long NOTIFICATION_WAIT_NS = 5_000_000_000L;

    private final long nanoAtOpen;
    private final long wallMsAtOpen;
    private final long jvmStartWallMs;
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final NotificationListener listener = this::onNotification;
    /** Guarded by itself: the listener appends on the JMX notification thread. */
    private final List<Pause> pauses = new ArrayList<>();
    /** Collections counted by the beans when the recorder opened; set once by open(), read by close(). */
    private volatile long collectionsAtOpen;
    /** Notifications received (of any collection, pauses or not); guarded by {@code pauses}. */
    private long notified;

    private GcPauses() {
        this.jvmStartWallMs = ManagementFactory.getRuntimeMXBean().getStartTime();
        this.wallMsAtOpen = System.currentTimeMillis();
        this.nanoAtOpen = System.nanoTime();
    }

    /**
     * Starts recording.
     *
     * @return the recorder; close it to stop
     */
    public static GcPauses open() {
        GcPauses p = new GcPauses();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener(p.listener, null, null);
                p.emitters.add(emitter);
            }
        }
        p.collectionsAtOpen = collections(); // after the listeners: every collection counted from here notifies
        return p;
    }

    private void onNotification(Notification n, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
            return;
        }
        GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from(
            (CompositeData) n.getUserData());
        long start = toNanos(info.getGcInfo().getStartTime());
        long end = toNanos(info.getGcInfo().getEndTime());
        synchronized (pauses) {
            notified++;
            if (!info.getGcAction().contains("cycle")) { // a concurrent cycle is not a pause
                pauses.add(new Pause(start, Math.max(start, end), info.getGcName()));
            }
        }
    }

    /** A collection's time (ms since the JVM started, as {@code GcInfo} gives it) on the nano time line. */
    private long toNanos(long sinceJvmStartMs) {
        return nanoAtOpen + (jvmStartWallMs + sinceJvmStartMs - wallMsAtOpen) * 1_000_000;
    }

    private long notifiedSoFar() {
        synchronized (pauses) {
            return notified;
        }
    }

    /**
     * Returns the pauses recorded so far, in the order their notifications arrived.
     *
     * @return a copy
     */
    public List<Pause> pauses() {
        synchronized (pauses) {
            return List.copyOf(pauses);
        }
    }

    private static long collections() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionCount());
        }
        return n;
    }

    /**
     * Waits (at most 5 s) until the notification of every collection counted since the recorder opened has
     * arrived (they are sent asynchronously, after the pause, and a loaded machine delays them), then stops
     * recording.
     */
    @Override
    public void close() {
        long expected = collections() - collectionsAtOpen;
        long deadline = System.nanoTime() + NOTIFICATION_WAIT_NS;
        while (notifiedSoFar() < expected && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (NotificationEmitter emitter : emitters) {
            try {
                emitter.removeNotificationListener(listener);
            } catch (ListenerNotFoundException e) {
                throw new IllegalStateException("GC listener already removed from " + emitter, e);
            }
        }
    }
}
