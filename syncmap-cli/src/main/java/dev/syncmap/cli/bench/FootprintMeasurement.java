package dev.syncmap.cli.bench;

/**
 * Retained heap per entry of one contender, from JOL's walk of the whole object graph (keys and values
 * included), minus the empty map. Immutable.
 *
 * @param map the contender
 * @param keys the number of entries measured
 * @param bytesPerEntry bytes per entry
 */
public record FootprintMeasurement(String map, int keys, double bytesPerEntry) {
}
