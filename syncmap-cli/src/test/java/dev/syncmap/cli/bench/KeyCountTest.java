package dev.syncmap.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class KeyCountTest {

    @ParameterizedTest
    @CsvSource({"1000,1000", "1k,1000", "1K,1000", "100k,100000", "1m,1000000", "1M,1000000", "10m,10000000",
            "1500,1500", "' 2k ',2000"})
    void parses(String text, int expected) {
        assertEquals(expected, KeyCount.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "1.5k", "10q", "k", "", "101m", "99999999999999999999"})
    void rejects(String text) {
        assertThrows(IllegalArgumentException.class, () -> KeyCount.parse(text));
    }

    @ParameterizedTest
    @CsvSource({"1000,1k", "100000,100k", "1000000,1M", "1500,1500", "999,999", "2500000,2500k"})
    void formatsShort(int keys, String expected) {
        assertEquals(expected, KeyCount.format(keys));
    }
}
