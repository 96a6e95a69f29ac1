package io.throttlenet.adaptive.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A tolerant reader for RFC 9651 structured-field lists of items with parameters, as the IETF
 * {@code RateLimit} and {@code RateLimit-Policy} fields use them ({@code "burst";q=100;w=60,
 * "daily";q=1000;w=86400}).
 *
 * <p>Unlike RFC 9651, which rejects a whole field over one bad member, a malformed member is
 * skipped (up to the next comma outside a string) and the others are kept: one field read wrong
 * must not hide the others. Inner lists are skipped. One pass over the text: linear time.
 */
final class StructuredFields {
  private StructuredFields() {}

  /**
   * One list member: its bare item (a string's content, or a token or number as written) and its
   * parameters (values as written, strings unquoted; a bare key maps to {@code "?1"}).
   */
  record Item(String value, boolean isString, Map<String, String> params) {}

  /** The valid members of all {@code values}, in order (several field lines form one list). */
  static List<Item> list(List<String> values) {
    List<Item> out = new ArrayList<>();
    for (String v : values) {
      if (v != null) {
        new Reader(v).members(out);
      }
    }
    return out;
  }

  private static final class Reader {
    private final String s;
    private int i;

    Reader(String s) {
      this.s = s;
    }

    void members(List<Item> out) {
      while (true) {
        skipOws();
        if (i >= s.length()) {
          return;
        }
        Item item = item();
        skipOws();
        if (item != null && (i >= s.length() || s.charAt(i) == ',')) {
          out.add(item);
        } else {
          skipToComma();
        }
        if (i >= s.length()) {
          return;
        }
        i++; // the comma
      }
    }

    private Item item() {
      boolean isString = i < s.length() && s.charAt(i) == '"';
      String value = bareItem();
      if (value == null) {
        return null;
      }
      Map<String, String> params = new HashMap<>();
      while (i < s.length() && s.charAt(i) == ';') {
        i++;
        while (i < s.length() && s.charAt(i) == ' ') {
          i++;
        }
        String key = key();
        if (key == null) {
          return null;
        }
        String pv = "?1";
        if (i < s.length() && s.charAt(i) == '=') {
          i++;
          pv = bareItem();
          if (pv == null) {
            return null;
          }
        }
        params.putIfAbsent(key, pv);
      }
      return new Item(value, isString, params);
    }

    /** A string's content, or a token, number or other bare item as written; null if none. */
    private String bareItem() {
      if (i >= s.length()) {
        return null;
      }
      char c = s.charAt(i);
      if (c == '"') {
        return string();
      }
      if (c == '(') {
        return null; // inner list: not used by these fields
      }
      int start = i;
      while (i < s.length() && isItemChar(s.charAt(i))) {
        i++;
      }
      return i == start ? null : s.substring(start, i);
    }

    private static boolean isItemChar(char c) {
      // tchar, plus ':' and '/' (tokens), '?' (booleans), '@' (dates), '.' and '-' (numbers)
      return c > ' ' && c < 0x7f && c != ',' && c != ';' && c != '=' && c != '"' && c != '('
          && c != ')';
    }

    private String key() {
      int start = i;
      while (i < s.length()) {
        char c = s.charAt(i);
        boolean first = i == start;
        if ((c >= 'a' && c <= 'z') || c == '*'
            || (!first && (Values.isDigit(c) || c == '_' || c == '-' || c == '.'))) {
          i++;
        } else {
          break;
        }
      }
      return i == start ? null : s.substring(start, i);
    }

    private String string() {
      i++; // opening quote
      StringBuilder b = new StringBuilder();
      while (i < s.length()) {
        char c = s.charAt(i++);
        if (c == '"') {
          return b.toString();
        }
        if (c == '\\') {
          if (i >= s.length() || (s.charAt(i) != '"' && s.charAt(i) != '\\')) {
            return null;
          }
          c = s.charAt(i++);
        } else if (c < ' ' || c >= 0x7f) {
          return null;
        }
        b.append(c);
      }
      return null;
    }

    private void skipToComma() {
      boolean inString = false;
      while (i < s.length()) {
        char c = s.charAt(i);
        if (inString) {
          if (c == '\\') {
            i++;
          } else if (c == '"') {
            inString = false;
          }
        } else if (c == '"') {
          inString = true;
        } else if (c == ',') {
          return;
        }
        i++;
      }
    }

    private void skipOws() {
      while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
        i++;
      }
    }
  }
}
