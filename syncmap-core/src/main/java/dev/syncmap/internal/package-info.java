/**
 * Implementation support shared by the maps of {@code dev.syncmap}. Not part of the public API: types here may
 * change in any release.
 */
package dev.syncmap.internal;
