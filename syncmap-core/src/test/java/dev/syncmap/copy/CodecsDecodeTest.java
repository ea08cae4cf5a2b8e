package dev.syncmap.copy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * {@link Codecs#decode}: a value stored on its own (a Kafka record, a Redis value) decoded through the per-thread
 * cursor: the same values as the stream path, strict about the bytes it is given, and safe when a codec throws
 * or decodes a nested value through the same method.
 */
class CodecsDecodeTest {

    private static <T> byte[] encode(Codec<T> codec, T value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            codec.write(value, out);
        }
        return bytes.toByteArray();
    }

    @Test
    void builtInsRoundTrip() throws IOException {
        for (String s : List.of("", "plain ascii", "caf\u00e9 \u6771\u4eac \ud83d\ude00", "x".repeat(10_000))) {
            assertEquals(s, Codecs.decode(Codecs.STRING, encode(Codecs.STRING, s)));
        }
        assertEquals(Long.MIN_VALUE, Codecs.decode(Codecs.LONG, encode(Codecs.LONG, Long.MIN_VALUE)));
        assertEquals(-7, Codecs.decode(Codecs.INTEGER, encode(Codecs.INTEGER, -7)));
        byte[] raw = {1, -2, 3};
        assertArrayEquals(raw, Codecs.decode(Codecs.BYTES, encode(Codecs.BYTES, raw)));
    }

    @Test
    void leftoverBytesAreRefusedWithTheirCount() throws IOException {
        byte[] bytes = encode(Codecs.STRING, "abc");
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 2);
        IOException e = assertThrows(IOException.class, () -> Codecs.decode(Codecs.STRING, longer));
        assertTrue(e.getMessage().contains("left 2 of 9 bytes unread"), e::getMessage);
        // a long read as a string: 8 bytes whose first 4 say "length 0", 4 left
        e = assertThrows(IOException.class, () -> Codecs.decode(Codecs.STRING, encode(Codecs.LONG, 5L)));
        assertTrue(e.getMessage().contains("left 4 of 8 bytes unread"), e::getMessage);
    }

    @Test
    void truncatedAndMalformedBytesAreRefused() throws IOException {
        byte[] bytes = encode(Codecs.STRING, "abcdef");
        EOFException eof = assertThrows(EOFException.class,
            () -> Codecs.decode(Codecs.STRING, Arrays.copyOf(bytes, 7)));
        assertTrue(eof.getMessage().contains("exceeds the 3 bytes left"), eof::getMessage);
        assertThrows(EOFException.class, () -> Codecs.decode(Codecs.STRING, new byte[] {0, 0}));
        byte[] negative = {-1, -1, -1, -1};
        assertTrue(assertThrows(IOException.class, () -> Codecs.decode(Codecs.STRING, negative)).getMessage()
            .contains("negative length"));
        byte[] malformed = {0, 0, 0, 2, (byte) 0xC3, (byte) 0x28}; // a lead byte without its continuation
        assertThrows(CharacterCodingException.class, () -> Codecs.decode(Codecs.STRING, malformed));
        assertThrows(NullPointerException.class, () -> Codecs.decode(Codecs.STRING, null));
        assertThrows(NullPointerException.class, () -> Codecs.decode(null, bytes));
    }

    @Test
    void aThrowingCodecLeavesTheThreadsInputUsable() throws IOException {
        Codec<String> throwing = Codec.of("test.throws", (v, out) -> { }, in -> {
            in.readByte();
            throw new IllegalStateException("codec bug");
        });
        assertThrows(IllegalStateException.class, () -> Codecs.decode(throwing, new byte[] {1, 2, 3}));
        Codec<String> overflowing = Codec.of("test.soe", (v, out) -> { }, in -> {
            throw new StackOverflowError("deep");
        });
        assertThrows(StackOverflowError.class, () -> Codecs.decode(overflowing, new byte[] {1}));
        // the next decode on this thread starts clean: right value, no leftover from the failed reads
        assertEquals("ok", Codecs.decode(Codecs.STRING, encode(Codecs.STRING, "ok")));
    }

    /** A pair whose second half is a nested value decoded through {@link Codecs#decode} inside the outer read. */
    record Pair(String first, String second) { }

    @Test
    void aNestedDecodeGetsItsOwnInput() throws IOException {
        Codec<Pair> pair = Codec.of("test.pair", (p, out) -> {
            Codecs.STRING.write(p.first(), out);
            byte[] inner = encode(Codecs.STRING, p.second());
            out.writeInt(inner.length);
            out.write(inner);
        }, in -> {
            String first = Codecs.STRING.read(in);
            byte[] inner = new byte[in.readInt()];
            in.readFully(inner);
            String second = Codecs.decode(Codecs.STRING, inner); // re-enters decode on the same thread
            return new Pair(first, second);
        });
        Pair p = new Pair("outer", "inner value");
        assertEquals(p, Codecs.decode(pair, encode(pair, p)));
    }

    @Test
    void stringsDecodeToEqualValuesEitherWay() throws IOException {
        // the in-place path (a record cursor) and the stream path give the same string, ASCII or not
        for (String s : List.of("ascii", "\u00fcber", "\u0000nul")) {
            byte[] bytes = encode(Codecs.STRING, s);
            String viaStream = Codecs.STRING.read(new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes)));
            String viaCursor = Codecs.decode(Codecs.STRING, bytes);
            assertEquals(viaStream, viaCursor);
            assertSame(String.class, viaCursor.getClass());
        }
    }
}
