/**
 * syncmap's maps, snapshots, change feed and copy tools. Depends on {@code java.base} only.
 *
 * <p>Exports the API and nothing else:
 * <ul>
 *   <li>{@code dev.syncmap}: the maps ({@code LockedMap}, {@code StripedMap}, {@code ReadDirtyMap},
 *       {@code CopyOnWriteMap}, {@code VersionedMap}, {@code RaceDetectingMap}), {@code Snapshot}, {@code Change},
 *       the change feed and watches;</li>
 *   <li>{@code dev.syncmap.copy}: exact, failure-atomic and chunked copies, and the binary snapshot format.</li>
 * </ul>
 * {@code dev.syncmap.internal} is implementation support and is not exported: code on the module path cannot
 * compile against it, and no exported type extends, returns or accepts one of its types. The one exception is a
 * qualified export to the verification kit ({@code dev.syncmap.testkit}, an automatic module), which injects
 * errors through the test hook {@code FaultHooks}; the hook does nothing unless the JVM is started with
 * {@code -Dsyncmap.faultHooks=true}. The kit's jar need not be present: the qualified export then names nothing.
 */
@SuppressWarnings("module") // the qualified export's target is an automatic module that javac does not see here
module dev.syncmap {
    exports dev.syncmap;
    exports dev.syncmap.copy;
    exports dev.syncmap.internal to dev.syncmap.testkit;
}
