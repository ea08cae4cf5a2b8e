/**
 * A verification kit for any {@link java.util.concurrent.ConcurrentMap}: the tools syncmap uses on its own maps,
 * usable on a user's map in a few lines each.
 *
 * <ul>
 *   <li>{@link dev.syncmap.testkit.MapContract}: Guava testlib's {@code ConcurrentMapTestSuiteBuilder}, the whole
 *       {@code Map}/{@code ConcurrentMap} contract (about 1,700 cases), run as JUnit 5 dynamic tests;</li>
 *   <li>{@link dev.syncmap.testkit.AbstractMapLincheckTest}: Lincheck linearizability checks (model checking and
 *       stress) of the single-key operations against a {@link java.util.HashMap} specification;</li>
 *   <li>{@link dev.syncmap.testkit.MapStress}: multi-threaded stress with exact oracles (final sums, one winner
 *       per key, function invoked at most once per call, views that never throw
 *       {@link java.util.ConcurrentModificationException});</li>
 *   <li>{@link dev.syncmap.testkit.FaultInjection}: fault injection (keys whose {@code hashCode}/{@code equals}
 *       throw, throwing or recursive mapping functions, failing {@code putAll} sources, {@code Error}s inside a
 *       map's critical sections, failing watch listeners and executors) with an oracle that checks, from other
 *       threads and with bounded waits, that no lock leaked and the content, views, snapshot and feed agree with a
 *       reference model;</li>
 *   <li>{@link dev.syncmap.testkit.JUnit3Suites}: runs any JUnit 3 {@code TestSuite} tree on the JUnit Platform
 *       without the vintage engine.</li>
 * </ul>
 *
 * Each tool reports how much it ran (contract cases, Lincheck scenarios, stress operations) through
 * {@link dev.syncmap.testkit.VerificationLog}.
 */
package dev.syncmap.testkit;
