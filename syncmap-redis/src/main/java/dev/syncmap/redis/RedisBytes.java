package dev.syncmap.redis;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import dev.syncmap.copy.Codec;
import dev.syncmap.copy.Codecs;

/**
 * Turns keys and values into the bytes Redis stores, readable outside the JVM where the codec allows: the
 * built-in {@link Codecs#STRING} as its plain UTF-8 bytes (no length prefix), {@link Codecs#LONG} and
 * {@link Codecs#INTEGER} as decimal text (so {@code INCR} and any language's parser read them), {@link Codecs#BYTES}
 * as is; any other codec as the bytes it writes to a {@code DataOutput}. Decoding is the inverse. Encoding is
 * strict: a string with an unpaired surrogate has no UTF-8 form and is refused, never replaced by '?'.
 *
 * <p>Stateless and thread-safe.
 */
final class RedisBytes {

    private RedisBytes() {}

    /**
     * Encodes a key or value.
     *
     * @param codec the codec
     * @param value the value, not null
     * @param <T> its type
     * @return the bytes Redis stores
     * @throws IOException if the codec cannot encode the value
     */
    static <T> byte[] encode(Codec<T> codec, T value) throws IOException {
        if (codec == Codecs.STRING) {
            String s = (String) value;
            if (!hasSurrogate(s)) {
                return s.getBytes(StandardCharsets.UTF_8); // nothing it could replace: the fast, exact path
            }
            ByteBuffer b = StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(s));
            return Arrays.copyOfRange(b.array(), b.arrayOffset() + b.position(), b.arrayOffset() + b.limit());
        }
        if (codec == Codecs.LONG || codec == Codecs.INTEGER) {
            return value.toString().getBytes(StandardCharsets.US_ASCII);
        }
        if (codec == Codecs.BYTES) {
            return (byte[]) value;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            codec.write(value, out);
        }
        return bytes.toByteArray();
    }

    /**
     * Decodes what {@link #encode} wrote.
     *
     * @param codec the codec
     * @param bytes the stored bytes
     * @param <T> the type
     * @return the value
     * @throws IOException if the bytes are not a value of this codec
     */
    @SuppressWarnings("unchecked") // the built-in codecs' types are known
    static <T> T decode(Codec<T> codec, byte[] bytes) throws IOException {
        if (codec == Codecs.STRING) {
            return (T) decodeUtf8(bytes);
        }
        if (codec == Codecs.LONG) {
            return (T) Long.valueOf(parse(bytes));
        }
        if (codec == Codecs.INTEGER) {
            return (T) Integer.valueOf(Math.toIntExact(parse(bytes)));
        }
        if (codec == Codecs.BYTES) {
            return (T) bytes;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            return codec.read(in);
        }
    }

    private static boolean hasSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isSurrogate(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    static String decodeUtf8(byte[] bytes) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    }

    private static long parse(byte[] bytes) throws IOException {
        try {
            return Long.parseLong(new String(bytes, StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            throw new IOException("not a decimal number: " + e.getMessage(), e);
        }
    }

    /** Concatenates a prefix and a suffix. */
    static byte[] concat(byte[] prefix, byte[] suffix) {
        byte[] out = Arrays.copyOf(prefix, prefix.length + suffix.length);
        System.arraycopy(suffix, 0, out, prefix.length, suffix.length);
        return out;
    }

    /** Escapes the glob characters of a SCAN MATCH pattern. */
    static String globEscape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 4);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }
}
