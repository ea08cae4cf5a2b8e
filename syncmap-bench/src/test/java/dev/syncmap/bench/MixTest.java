package dev.syncmap.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MixTest {

    @Test
    void parsesIntegerAndDecimalShares() {
        assertEquals(0.97, Mix.parse("97:3").readFraction(), 1e-12);
        assertEquals(0.973, Mix.parse("97.3:2.7").readFraction(), 1e-12);
        assertEquals(1.0, Mix.parse("100:0").readFraction());
        assertEquals(0.0, Mix.parse(" 0 : 100 ").readFraction());
        assertEquals(0.5, Mix.parse("1:1").readFraction());
        assertEquals("97:3", Mix.parse("97:3").toString());
        assertEquals("97.3:2.7", Mix.parse("97.3:2.7").toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "97", "97:3:1", "a:b", "0:0", "-1:2", "97;3", "NaN:1", "Infinity:1"})
    void rejectsWhatDoesNotParseNamingTheInput(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Mix.parse(text));
        assertTrue(e.getMessage().contains("mix") || e.getMessage().contains("share"), e.getMessage());
    }
}
