package io.throttlenet.adaptive.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Just enough JSON to pick a few numbers out of an error body, and no more.
 *
 * <p>A recursive-descent reader over the text that visits every character at most once (linear
 * time, memory linear in the body), nests at most {@value #MAX_DEPTH} levels (so the recursion
 * cannot exhaust the stack) and never throws: any syntax error makes the whole body "not JSON".
 * Text after the top-level value is ignored. Objects become maps (a repeated key keeps its first
 * value), arrays lists, strings strings, numbers {@link Num} (their text, read later by the field
 * that wants them), {@code true}/{@code false} booleans and {@code null} {@link #NULL}.
 */
final class Json {
  static final int MAX_DEPTH = 64;
  static final Object NULL = new Object();

  /** A JSON number, kept as written. */
  record Num(String text) {}

  private final String s;
  private int i;

  private Json(String s) {
    this.s = s;
  }

  /** The top-level value of {@code body}, or null if it is null or not JSON. */
  static Object parse(String body) {
    if (body == null) {
      return null;
    }
    Json p = new Json(body);
    return p.value(0);
  }

  /** The value at {@code path} (object keys) below {@code root}, or null. */
  static Object at(Object root, String... path) {
    Object o = root;
    for (String key : path) {
      if (!(o instanceof Map<?, ?> m)) {
        return null;
      }
      o = m.get(key);
    }
    return o;
  }

  /**
   * A JSON number's text as a non-negative decimal (sign, exponent and the rest rejected, as for
   * header values), or null.
   */
  static Values.Decimal decimal(Object value) {
    return value instanceof Num n ? Values.decimal(n.text()) : null;
  }

  private Object value(int depth) {
    skipSpace();
    if (i >= s.length() || depth > MAX_DEPTH) {
      return null;
    }
    char c = s.charAt(i);
    switch (c) {
      case '{':
        return object(depth);
      case '[':
        return array(depth);
      case '"':
        return string();
      case 't':
        return literal("true", Boolean.TRUE);
      case 'f':
        return literal("false", Boolean.FALSE);
      case 'n':
        return literal("null", NULL);
      default:
        return number();
    }
  }

  private Object object(int depth) {
    i++; // {
    Map<String, Object> map = new HashMap<>();
    skipSpace();
    if (i < s.length() && s.charAt(i) == '}') {
      i++;
      return map;
    }
    while (true) {
      skipSpace();
      if (i >= s.length() || s.charAt(i) != '"') {
        return null;
      }
      String key = string();
      skipSpace();
      if (key == null || i >= s.length() || s.charAt(i) != ':') {
        return null;
      }
      i++;
      Object v = value(depth + 1);
      if (v == null) {
        return null;
      }
      map.putIfAbsent(key, v);
      skipSpace();
      if (i < s.length() && s.charAt(i) == ',') {
        i++;
      } else if (i < s.length() && s.charAt(i) == '}') {
        i++;
        return map;
      } else {
        return null;
      }
    }
  }

  private Object array(int depth) {
    i++; // [
    List<Object> list = new ArrayList<>();
    skipSpace();
    if (i < s.length() && s.charAt(i) == ']') {
      i++;
      return list;
    }
    while (true) {
      Object v = value(depth + 1);
      if (v == null) {
        return null;
      }
      list.add(v);
      skipSpace();
      if (i < s.length() && s.charAt(i) == ',') {
        i++;
      } else if (i < s.length() && s.charAt(i) == ']') {
        i++;
        return list;
      } else {
        return null;
      }
    }
  }

  private String string() {
    i++; // opening quote
    StringBuilder b = new StringBuilder();
    while (i < s.length()) {
      char c = s.charAt(i++);
      if (c == '"') {
        return b.toString();
      }
      if (c != '\\') {
        b.append(c);
        continue;
      }
      if (i >= s.length()) {
        return null;
      }
      char e = s.charAt(i++);
      switch (e) {
        case '"', '\\', '/' -> b.append(e);
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'n' -> b.append('\n');
        case 'r' -> b.append('\r');
        case 't' -> b.append('\t');
        case 'u' -> {
          int code = hex4();
          if (code < 0) {
            return null;
          }
          b.append((char) code);
        }
        default -> {
          return null;
        }
      }
    }
    return null; // unterminated
  }

  private int hex4() {
    if (i + 4 > s.length()) {
      return -1;
    }
    int code = 0;
    for (int k = 0; k < 4; k++) {
      int d = Character.digit(s.charAt(i++), 16);
      if (d < 0) {
        return -1;
      }
      code = code * 16 + d;
    }
    return code;
  }

  private Object literal(String word, Object result) {
    if (s.startsWith(word, i)) {
      i += word.length();
      return result;
    }
    return null;
  }

  private Object number() {
    int start = i;
    while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
      i++;
    }
    return i == start ? null : new Num(s.substring(start, i));
  }

  private void skipSpace() {
    while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) {
      i++;
    }
  }
}
