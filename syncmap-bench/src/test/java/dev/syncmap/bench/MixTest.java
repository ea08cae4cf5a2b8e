package dev.syncmap.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MixTest {

    @ParameterizedTest
    @CsvSource({"97:3,97,3", "100:0,100,0", "0:100,0,100", "' 50 : 50 ',50,50"})
    void parsesValidMixes(String text, int reads, int writes) {
        Mix m = Mix.parse(text);
        assertEquals(reads, m.reads());
        assertEquals(writes, m.writes());
        assertEquals(reads + ":" + writes, m.toString());
        assertEquals(reads / 100.0, m.readFraction(), 1e-12);
    }

    @ParameterizedTest
    @ValueSource(strings = {"97-3", "97", "abc", "97:3:0", "", ":3", "-3:103", "97.5:2.5"})
    void rejectsMixesThatDoNotParse(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Mix.parse(text));
        assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"97:4", "50:49", "100:100", "0:0"})
    void rejectsMixesThatDoNotSumTo100(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Mix.parse(text));
        assertTrue(e.getMessage().contains("sum to 100"), e.getMessage());
    }
}
