package dev.syncmap.replicate;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-reads a replicator's configuration file and applies, without a restart, what can change while it runs:
 * the resolver and the gray-release candidate ({@link ReplicationConfig#RELOADABLE}), through
 * {@link Replicator#setResolverPolicy}. So a candidate is <b>promoted</b> by a file that makes it the
 * {@code resolver} and has no {@code grayRelease}, and <b>dropped</b> by one that keeps the resolver and removes
 * the {@code grayRelease}; a new {@code grayRelease} starts a trial.
 *
 * <p>A reload is all or nothing: a file that is refused ({@link ConfigException}, naming the field) changes
 * nothing and the configuration in force stays. Fields that need a restart (batch size, ring size, transformers,
 * checkpoints, metrics...) are reported in the {@link Result} and logged, and not applied. The reserved sections
 * ({@code overload}, {@code spill}, {@code breaker}) are handed to the {@linkplain #onReload listeners}, whose
 * owners apply what they can.
 *
 * <p>Reload on demand ({@link #reload()}) or let the reloader {@linkplain #watch() watch} the file (a
 * {@link WatchService} on its directory; an atomic rename onto the file counts as a change; a reload follows
 * once the file has been quiet for the configured debounce). Each reload is counted in the meter
 * {@code syncmap.replication.config.reloads} with tag {@code result} = {@code applied}, {@code unchanged} or
 * {@code failed}. Thread-safe.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public final class ConfigReloader<K, V> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigReloader.class);

    private final Path file;
    private final Replicator<K, V> replicator;
    private final AtomicReference<ReplicationConfig> inForce;
    private final List<Consumer<ReplicationConfig>> listeners = new CopyOnWriteArrayList<>();
    private final Counter applied;
    private final Counter unchanged;
    private final Counter failed;
    private final AtomicReference<Throwable> lastFailure = new AtomicReference<>();
    /** Serializes reloads and guards the watch fields; private, so no caller can hold it. */
    private final Object lock = new Object();
    private volatile WatchService watcher;
    private volatile Thread watchThread;

    /**
     * What a reload did.
     *
     * @param policyChanged whether a new resolver policy was installed
     * @param policy the resolver policy in force after the reload
     * @param needRestart the fields that changed in the file but take effect only at the next start
     * @param sectionsChanged the reserved sections that changed (handed to the listeners)
     */
    public record Result(boolean policyChanged, ResolverPolicy<?, ?> policy, List<String> needRestart,
                         List<String> sectionsChanged) {
        /** Keeps immutable copies of the lists. */
        public Result {
            needRestart = List.copyOf(needRestart);
            sectionsChanged = List.copyOf(sectionsChanged);
        }
    }

    /**
     * A reloader for a running (or not yet started) replicator built from {@code inForce}.
     *
     * @param file the configuration file
     * @param inForce the configuration the replicator was built from
     * @param replicator the replicator
     */
    public ConfigReloader(Path file, ReplicationConfig inForce, Replicator<K, V> replicator) {
        this.file = Objects.requireNonNull(file, "file");
        this.inForce = new AtomicReference<>(Objects.requireNonNull(inForce, "inForce"));
        this.replicator = Objects.requireNonNull(replicator, "replicator");
        MeterRegistry r = replicator.meterRegistry();
        String name = "syncmap.replication.config.reloads";
        String desc = "configuration reloads, by result";
        applied = Counter.builder(name).description(desc).tags("replicator", inForce.name(), "result", "applied")
            .register(r);
        unchanged = Counter.builder(name).description(desc).tags("replicator", inForce.name(), "result",
            "unchanged").register(r);
        failed = Counter.builder(name).description(desc).tags("replicator", inForce.name(), "result", "failed")
            .register(r);
    }

    /**
     * Adds a listener called after each successful reload with the configuration then in force (the reserved
     * sections as read from the file), on the reloading thread.
     *
     * @param listener the listener
     * @return this reloader
     */
    public ConfigReloader<K, V> onReload(Consumer<ReplicationConfig> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * Returns the configuration in force: the one the replicator was built from, with the reloadable fields and
     * reserved sections of the last successful reload.
     *
     * @return the configuration
     */
    public ReplicationConfig current() {
        return inForce.get();
    }

    /**
     * Re-reads the file and applies what can change live.
     *
     * @return what changed
     * @throws IOException if the file cannot be read (nothing changes)
     * @throws ConfigException naming the file and the field if the new configuration is refused (nothing changes)
     */
    public Result reload() throws IOException {
        synchronized (lock) {
            return reloadLocked();
        }
    }

    private Result reloadLocked() throws IOException {
        ReplicationConfig next;
        try {
            next = ReplicationConfig.load(file);
        } catch (IOException | ConfigException e) {
            failed.increment();
            lastFailure.set(e);
            throw e;
        }
        ReplicationConfig old = inForce.get();
        List<String> diffs = old.differences(next);
        boolean policyChanged = diffs.stream().anyMatch(d -> d.equals("resolver") || d.startsWith("grayRelease"));
        List<String> sections = new ArrayList<>();
        List<String> restart = new ArrayList<>();
        for (String d : diffs) {
            if (d.equals("sections")) {
                for (String s : ReplicationConfig.RESERVED_SECTIONS) {
                    if (!old.section(s).equals(next.section(s))) {
                        sections.add(s);
                    }
                }
            } else if (!d.equals("resolver") && !d.startsWith("grayRelease")) {
                restart.add(d);
            }
        }
        ReplicationConfig now = new ReplicationConfig(old.name(), old.origin(), next.resolver(), next.grayRelease(),
            old.transformers(), old.batchSize(), old.ringSize(), old.coalesce(), old.idleInterval(),
            old.checkpoint(), old.retry(), old.maxClockSkew(), old.metrics(), old.reload(), next.sections());
        if (policyChanged) {
            ResolverPolicy<K, V> p = next.resolverPolicy();
            replicator.setResolverPolicy(p);
            LOG.info("replicator {}: configuration {} reloaded; resolver policy now {}{}", old.name(), file,
                describe(p), restart.isEmpty() ? "" : "; changed fields that need a restart: " + restart);
        } else if (!restart.isEmpty()) {
            LOG.warn("replicator {}: configuration {} reloaded; changed fields that need a restart (not applied):"
                + " {}", old.name(), file, restart);
        }
        inForce.set(now);
        if (diffs.isEmpty()) {
            unchanged.increment();
        } else {
            applied.increment();
        }
        for (Consumer<ReplicationConfig> l : listeners) {
            l.accept(now);
        }
        return new Result(policyChanged, replicator.resolverPolicy(), restart, sections);
    }

    private static String describe(ResolverPolicy<?, ?> p) {
        return p.candidate() == null ? p.active().name()
            : p.active().name() + " with candidate " + p.candidate().name() + " on " + p.share();
    }

    /**
     * Watches the file and reloads it when it changes, on a daemon thread, until {@link #close()}. A refused
     * file is logged (naming the field) and counted; the configuration in force stays.
     *
     * @return this reloader
     * @throws IOException if the directory cannot be watched
     * @throws IllegalStateException if already watching
     */
    public ConfigReloader<K, V> watch() throws IOException {
        synchronized (lock) {
            if (watchThread != null) {
                throw new IllegalStateException("already watching " + file);
            }
            Path dir = file.toAbsolutePath().getParent();
            if (dir == null) {
                throw new IOException("cannot watch " + file + ": it has no parent directory");
            }
            WatchService ws = FileSystems.getDefault().newWatchService();
            try {
                dir.register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
            } catch (IOException | RuntimeException e) {
                ws.close();
                throw e;
            }
            watcher = ws;
            Thread t = new Thread(() -> watchLoop(ws), "syncmap-replicate-" + inForce.get().name()
                + "-config-watch");
            t.setDaemon(true);
            watchThread = t;
            t.start();
            return this;
        }
    }

    private void watchLoop(WatchService ws) {
        Path name = file.getFileName();
        long debounceMillis = inForce.get().reload().debounce().toMillis();
        try {
            while (true) {
                WatchKey key = ws.take();
                boolean ours = mentions(key, name);
                // quiet period: absorb the further events of one save
                while (ours) {
                    WatchKey more = ws.poll(Math.max(1, debounceMillis), TimeUnit.MILLISECONDS);
                    if (more == null) {
                        break;
                    }
                    mentions(more, name);
                }
                if (ours) {
                    reloadLogged();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // close() stops the watch this way
        } catch (ClosedWatchServiceException e) {
            LOG.debug("watch of {} closed", file, e);
        }
    }

    private static boolean mentions(WatchKey key, Path name) {
        boolean hit = false;
        for (WatchEvent<?> ev : key.pollEvents()) {
            if (ev.kind() == StandardWatchEventKinds.OVERFLOW || name.equals(ev.context())) {
                hit = true;
            }
        }
        key.reset();
        return hit;
    }

    private void reloadLogged() {
        try {
            reload();
        } catch (IOException | ConfigException e) {
            LOG.error("replicator {}: reloading {} failed; the configuration in force stays: {}",
                inForce.get().name(), file, e.getMessage(), e);
        } catch (RuntimeException e) {
            failed.increment();
            lastFailure.set(e);
            LOG.error("replicator {}: reloading {} failed; the configuration in force stays", inForce.get().name(),
                file, e);
        }
    }

    /**
     * Returns how many reloads failed (the file could not be read or was refused).
     *
     * @return the count
     */
    public long failures() {
        return (long) failed.count();
    }

    /**
     * Returns how many reloads succeeded (with or without changes).
     *
     * @return the count
     */
    public long reloads() {
        return (long) (applied.count() + unchanged.count());
    }

    /**
     * Returns why the last failed reload failed, or null.
     *
     * @return the exception or null
     */
    public Throwable lastFailure() {
        return lastFailure.get();
    }

    /** Stops watching the file (if watching). The replicator is not stopped. */
    @Override
    public void close() {
        Thread t;
        WatchService ws;
        synchronized (lock) {
            t = watchThread;
            ws = watcher;
            watchThread = null;
            watcher = null;
        }
        if (t == null) {
            return;
        }
        t.interrupt();
        try {
            ws.close();
        } catch (IOException e) {
            LOG.warn("closing the watch of {} failed", file, e);
        }
        try {
            t.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
