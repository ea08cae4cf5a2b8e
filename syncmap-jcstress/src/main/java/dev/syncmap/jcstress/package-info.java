/**
 * jcstress tests for the memory-model-sensitive paths of syncmap's maps, the deliberately racy control that
 * proves the harness sees races, and {@link dev.syncmap.jcstress.JCStressGate}, which runs them from the build
 * and fails it on any forbidden outcome.
 *
 * <p>Adding a test is writing one annotated class here: {@code @JCStressTest}, {@code @State}, two
 * {@code @Actor}s (at most two: CI machines have two cores, and a test with more actors than CPUs cannot be
 * scheduled and fails the gate), an optional {@code @Arbiter}, and one {@code @Outcome} per possible result,
 * marking the ones the map must never produce {@code FORBIDDEN}. jcstress's annotation processor registers it;
 * the gate picks it up by itself.
 */
package dev.syncmap.jcstress;
