package io.secretsync.testkit.vault;

import java.util.ArrayList;
import java.util.List;

/**
 * A parser for the part of HCL (version 1, the dialect Vault policies use) that policies need: items
 * {@code key "label" { ... }} and {@code key = value}, values being strings (with escapes), heredocs,
 * numbers, booleans, lists and objects, with {@code #}, {@code //} and {@code /* *}{@code /} comments.
 * Errors carry the position as HCL does: {@code At <line>:<column>: <message>}.
 */
final class Hcl {
  private Hcl() {}

  /** A value in the tree. */
  sealed interface Value permits Str, Num, Bool, ListValue, ObjectValue {
    Pos pos();
  }

  record Pos(int line, int column) {
    @Override
    public String toString() {
      return line + ":" + column;
    }
  }

  record Str(String value, Pos pos) implements Value {}

  record Num(String text, Pos pos) implements Value {}

  record Bool(boolean value, Pos pos) implements Value {}

  record ListValue(List<Value> items, Pos pos) implements Value {}

  record ObjectValue(List<Item> items, Pos pos) implements Value {}

  /** One item: {@code keys[0] keys[1].. = value} or {@code keys.. { object }}. */
  record Item(List<String> keys, Value value, Pos pos) {}

  /** A syntax error at a position. */
  static final class ParseException extends Exception {
    private static final long serialVersionUID = 1L;
    final Pos pos;

    ParseException(Pos pos, String message) {
      super("At " + pos + ": " + message);
      this.pos = pos;
    }
  }

  /** Parses a whole document into its top-level object. */
  static ObjectValue parse(String text) throws ParseException {
    Parser p = new Parser(new Lexer(text));
    return p.document();
  }

  // ---------------------------------------------------------------- lexer

  enum T {
    IDENT, STRING, HEREDOC, NUMBER, BOOL, LBRACE, RBRACE, LBRACK, RBRACK, COMMA, ASSIGN, EOF
  }

  record Token(T type, String text, Pos pos) {}

  static final class Lexer {
    private final String s;
    private int i;
    private int line = 1;
    private int col = 1;

    Lexer(String s) {
      this.s = s;
    }

    private char peek(int ahead) {
      int j = i + ahead;
      return j < s.length() ? s.charAt(j) : '\0';
    }

    private char advance() {
      char c = s.charAt(i++);
      if (c == '\n') {
        line++;
        col = 1;
      } else {
        col++;
      }
      return c;
    }

    private Pos pos() {
      return new Pos(line, col);
    }

    Token next() throws ParseException {
      skipSpaceAndComments();
      Pos start = pos();
      if (i >= s.length()) {
        return new Token(T.EOF, "", start);
      }
      char c = peek(0);
      switch (c) {
        case '{':
          advance();
          return new Token(T.LBRACE, "{", start);
        case '}':
          advance();
          return new Token(T.RBRACE, "}", start);
        case '[':
          advance();
          return new Token(T.LBRACK, "[", start);
        case ']':
          advance();
          return new Token(T.RBRACK, "]", start);
        case ',':
          advance();
          return new Token(T.COMMA, ",", start);
        case '=':
          advance();
          return new Token(T.ASSIGN, "=", start);
        case '"':
          return string(start);
        case '<':
          if (peek(1) == '<') {
            return heredoc(start);
          }
          throw new ParseException(start, "illegal char");
        default:
          break;
      }
      if (Character.isLetter(c) || c == '_') {
        StringBuilder b = new StringBuilder();
        while (i < s.length() && (Character.isLetterOrDigit(peek(0)) || peek(0) == '_'
            || peek(0) == '-' || peek(0) == '.')) {
          b.append(advance());
        }
        String word = b.toString();
        if (word.equals("true") || word.equals("false")) {
          return new Token(T.BOOL, word, start);
        }
        return new Token(T.IDENT, word, start);
      }
      if (Character.isDigit(c) || (c == '-' && Character.isDigit(peek(1)))) {
        StringBuilder b = new StringBuilder();
        b.append(advance());
        while (i < s.length() && (Character.isDigit(peek(0)) || peek(0) == '.'
            || peek(0) == 'e' || peek(0) == 'E' || peek(0) == 'x')) {
          b.append(advance());
        }
        return new Token(T.NUMBER, b.toString(), start);
      }
      throw new ParseException(start, "illegal char");
    }

    private void skipSpaceAndComments() throws ParseException {
      while (i < s.length()) {
        char c = peek(0);
        if (Character.isWhitespace(c)) {
          advance();
        } else if (c == '#' || (c == '/' && peek(1) == '/')) {
          while (i < s.length() && peek(0) != '\n') {
            advance();
          }
        } else if (c == '/' && peek(1) == '*') {
          Pos start = pos();
          advance();
          advance();
          while (true) {
            if (i >= s.length()) {
              throw new ParseException(start, "comment not terminated");
            }
            if (peek(0) == '*' && peek(1) == '/') {
              advance();
              advance();
              break;
            }
            advance();
          }
        } else if (c == '/') {
          throw new ParseException(pos(), "expected '/' for comment");
        } else {
          return;
        }
      }
    }

    private Token string(Pos start) throws ParseException {
      advance();
      StringBuilder b = new StringBuilder();
      while (true) {
        if (i >= s.length() || peek(0) == '\n') {
          throw new ParseException(start, "literal not terminated");
        }
        char c = advance();
        if (c == '"') {
          return new Token(T.STRING, b.toString(), start);
        }
        if (c == '\\') {
          if (i >= s.length()) {
            throw new ParseException(start, "literal not terminated");
          }
          Pos escapePos = pos();
          char e = advance();
          switch (e) {
            case 'n' -> b.append('\n');
            case 't' -> b.append('\t');
            case 'r' -> b.append('\r');
            case '"' -> b.append('"');
            case '\\' -> b.append('\\');
            case 'u' -> {
              if (i + 4 > s.length()) {
                throw new ParseException(escapePos, "illegal char escape");
              }
              String hex = s.substring(i, i + 4);
              try {
                b.append((char) Integer.parseInt(hex, 16));
              } catch (NumberFormatException ex) {
                throw new ParseException(escapePos, "illegal char escape");
              }
              for (int k = 0; k < 4; k++) {
                advance();
              }
            }
            default -> throw new ParseException(escapePos, "unknown escape sequence");
          }
        } else {
          b.append(c);
        }
      }
    }

    private Token heredoc(Pos start) throws ParseException {
      advance();
      advance();
      boolean indented = false;
      if (peek(0) == '-') {
        indented = true;
        advance();
      }
      StringBuilder marker = new StringBuilder();
      while (i < s.length() && (Character.isLetterOrDigit(peek(0)) || peek(0) == '_')) {
        marker.append(advance());
      }
      if (marker.length() == 0 || peek(0) != '\n') {
        throw new ParseException(start, "heredoc expected marker identifier and newline");
      }
      advance();
      List<String> lines = new ArrayList<>();
      while (true) {
        if (i >= s.length()) {
          throw new ParseException(start, "heredoc not terminated");
        }
        StringBuilder line = new StringBuilder();
        while (i < s.length() && peek(0) != '\n') {
          line.append(advance());
        }
        if (i < s.length()) {
          advance();
        }
        String l = line.toString();
        if ((indented ? l.strip() : l).equals(marker.toString())) {
          break;
        }
        lines.add(l);
      }
      StringBuilder b = new StringBuilder();
      for (String l : lines) {
        b.append(indented ? l.stripLeading() : l).append('\n');
      }
      return new Token(T.HEREDOC, b.toString(), start);
    }
  }

  // ---------------------------------------------------------------- parser

  static final class Parser {
    private final Lexer lexer;
    private Token tok;

    Parser(Lexer lexer) throws ParseException {
      this.lexer = lexer;
      this.tok = lexer.next();
    }

    private Token take() throws ParseException {
      Token t = tok;
      tok = lexer.next();
      return t;
    }

    ObjectValue document() throws ParseException {
      Pos start = tok.pos();
      List<Item> items = items(T.EOF);
      return new ObjectValue(items, start);
    }

    private List<Item> items(T end) throws ParseException {
      List<Item> items = new ArrayList<>();
      while (tok.type() != end) {
        if (tok.type() == T.EOF) {
          throw new ParseException(tok.pos(), "object expected closing RBRACE got: EOF");
        }
        items.add(item());
        if (tok.type() == T.COMMA) {
          take();
        }
      }
      return items;
    }

    private Item item() throws ParseException {
      Pos start = tok.pos();
      List<String> keys = new ArrayList<>();
      while (tok.type() == T.IDENT || tok.type() == T.STRING) {
        keys.add(take().text());
      }
      if (keys.isEmpty()) {
        throw new ParseException(tok.pos(), "expected: IDENT | STRING got: " + tok.type());
      }
      if (tok.type() == T.ASSIGN) {
        if (keys.size() > 1) {
          throw new ParseException(tok.pos(),
              "nested object expected: LBRACE got: ASSIGN");
        }
        take();
        return new Item(keys, value(), start);
      }
      if (tok.type() == T.LBRACE) {
        return new Item(keys, object(), start);
      }
      throw new ParseException(tok.pos(), "key '" + render(keys)
          + "' expected start of object ('{') or assignment ('=')");
    }

    private static String render(List<String> keys) {
      return String.join(" ", keys.stream().map(k -> '"' + k + '"').toList());
    }

    private ObjectValue object() throws ParseException {
      Pos start = take().pos();
      List<Item> items = items(T.RBRACE);
      take();
      return new ObjectValue(items, start);
    }

    private Value value() throws ParseException {
      Token t = tok;
      switch (t.type()) {
        case STRING:
        case HEREDOC:
          take();
          return new Str(t.text(), t.pos());
        case NUMBER:
          take();
          return new Num(t.text(), t.pos());
        case BOOL:
          take();
          return new Bool(t.text().equals("true"), t.pos());
        case LBRACK:
          return list();
        case LBRACE:
          return object();
        default:
          throw new ParseException(t.pos(), "Unknown token: " + t.pos() + " " + t.type() + " "
              + t.text());
      }
    }

    private ListValue list() throws ParseException {
      Pos start = take().pos();
      List<Value> items = new ArrayList<>();
      boolean needComma = false;
      while (true) {
        switch (tok.type()) {
          case RBRACK:
            take();
            return new ListValue(items, start);
          case COMMA:
            if (!needComma) {
              throw new ParseException(tok.pos(), "error parsing list, expected value, got: COMMA");
            }
            take();
            needComma = false;
            continue;
          case EOF:
            throw new ParseException(tok.pos(), "list expected closing RBRACK got: EOF");
          default:
            if (needComma) {
              throw new ParseException(tok.pos(),
                  "error parsing list, expected comma or list end, got: " + tok.type());
            }
            items.add(value());
            needComma = true;
        }
      }
    }
  }
}
