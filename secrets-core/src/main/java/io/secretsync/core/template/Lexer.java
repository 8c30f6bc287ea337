package io.secretsync.core.template;

import java.util.ArrayList;
import java.util.List;

/** Go text/template's lexer: text, delimiters with trim markers, comments and action tokens. */
final class Lexer {

  enum Type {
    TEXT, LEFT_DELIM, RIGHT_DELIM, SPACE, IDENTIFIER, FIELD, VARIABLE, DOT, STRING, RAW_STRING, CHAR_CONSTANT,
    NUMBER, BOOL, NIL, PIPE, LEFT_PAREN, RIGHT_PAREN, DECLARE, ASSIGN, CHAR,
    BLOCK, BREAK, CONTINUE, DEFINE, ELSE, END, IF, RANGE, TEMPLATE, WITH, EOF
  }

  record Token(Type type, int pos, String val) {}

  private final String input;
  private final String leftDelim;
  private final String rightDelim;
  private final List<Token> tokens = new ArrayList<>();
  private int pos;
  private int start;
  private int parenDepth;

  private Lexer(String input, String leftDelim, String rightDelim) {
    this.input = input;
    this.leftDelim = leftDelim;
    this.rightDelim = rightDelim;
  }

  static List<Token> lex(String input, String leftDelim, String rightDelim) {
    Lexer l = new Lexer(input, leftDelim, rightDelim);
    l.run();
    return l.tokens;
  }

  private void run() {
    while (true) {
      if (!lexText()) {
        tokens.add(new Token(Type.EOF, pos, ""));
        return;
      }
      lexAction();
    }
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
  }

  private static boolean isAlphaNumeric(int c) {
    return c == '_' || Character.isLetter(c) || Character.isDigit(c);
  }

  /** Emits text up to the next left delimiter; false at the end of input. */
  private boolean lexText() {
    int x = input.indexOf(leftDelim, pos);
    if (x < 0) {
      if (pos < input.length()) {
        tokens.add(new Token(Type.TEXT, pos, input.substring(pos)));
      }
      pos = input.length();
      return false;
    }
    int end = x;
    if (hasLeftTrimMarker(x + leftDelim.length())) {
      while (end > pos && isSpace(input.charAt(end - 1))) {
        end--;
      }
    }
    if (end > pos) {
      tokens.add(new Token(Type.TEXT, pos, input.substring(pos, end)));
    }
    pos = x;
    return true;
  }

  private boolean hasLeftTrimMarker(int at) {
    return at + 1 < input.length() && input.charAt(at) == '-' && isSpace(input.charAt(at + 1));
  }

  private boolean hasRightTrimMarker(int at) {
    return at + 1 < input.length() && isSpace(input.charAt(at)) && input.charAt(at + 1) == '-'
        && input.startsWith(rightDelim, at + 2);
  }

  private int leftTrimLength(int at) {
    int i = at;
    while (i < input.length() && isSpace(input.charAt(i))) {
      i++;
    }
    return i - at;
  }

  private void lexAction() {
    int delimPos = pos;
    pos += leftDelim.length();
    boolean trim = hasLeftTrimMarker(pos);
    int after = trim ? 2 : 0;
    if (input.startsWith("/*", pos + after)) {
      pos += after + 2;
      int x = input.indexOf("*/", pos);
      if (x < 0) {
        throw new PositionedError(delimPos, "unclosed comment");
      }
      pos = x + 2;
      boolean rightTrim = hasRightTrimMarker(pos);
      if (!rightTrim && !input.startsWith(rightDelim, pos)) {
        throw new PositionedError(delimPos, "comment ends before closing delimiter");
      }
      pos += (rightTrim ? 2 : 0) + rightDelim.length();
      if (rightTrim) {
        pos += leftTrimLength(pos);
      }
      return;
    }
    tokens.add(new Token(Type.LEFT_DELIM, delimPos, leftDelim));
    pos += after;
    parenDepth = 0;
    insideAction(delimPos);
  }

  private void emit(Type type) {
    tokens.add(new Token(type, start, input.substring(start, pos)));
  }

  private void insideAction(int actionPos) {
    while (true) {
      start = pos;
      boolean rightTrim = hasRightTrimMarker(pos);
      if (rightTrim || input.startsWith(rightDelim, pos)) {
        if (parenDepth != 0) {
          throw new PositionedError(pos, "unclosed left paren");
        }
        if (rightTrim) {
          pos += 2;
        }
        tokens.add(new Token(Type.RIGHT_DELIM, pos, rightDelim));
        pos += rightDelim.length();
        if (rightTrim) {
          pos += leftTrimLength(pos);
        }
        return;
      }
      if (pos >= input.length()) {
        throw new PositionedError(actionPos, "unclosed action");
      }
      int r = input.codePointAt(pos);
      pos += Character.charCount(r);
      if (isSpace((char) r) && r < 0x80) {
        while (pos < input.length() && isSpace(input.charAt(pos)) && !hasRightTrimMarker(pos)) {
          pos++;
        }
        emit(Type.SPACE);
      } else if (r == '=') {
        emit(Type.ASSIGN);
      } else if (r == ':') {
        if (pos >= input.length() || input.charAt(pos) != '=') {
          throw new PositionedError(start, "expected :=");
        }
        pos++;
        emit(Type.DECLARE);
      } else if (r == '|') {
        emit(Type.PIPE);
      } else if (r == '"') {
        lexQuote();
      } else if (r == '`') {
        int x = input.indexOf('`', pos);
        if (x < 0) {
          throw new PositionedError(start, "unterminated raw quoted string");
        }
        pos = x + 1;
        emit(Type.RAW_STRING);
      } else if (r == '$') {
        lexFieldOrVariable(Type.VARIABLE);
      } else if (r == '\'') {
        lexChar();
      } else if (r == '.' && (pos >= input.length() || input.charAt(pos) < '0' || input.charAt(pos) > '9')) {
        lexFieldOrVariable(Type.FIELD);
      } else if (r == '.' || r == '+' || r == '-' || (r >= '0' && r <= '9')) {
        pos = start;
        lexNumber();
      } else if (isAlphaNumeric(r)) {
        pos = start;
        lexIdentifier();
      } else if (r == '(') {
        emit(Type.LEFT_PAREN);
        parenDepth++;
      } else if (r == ')') {
        emit(Type.RIGHT_PAREN);
        parenDepth--;
        if (parenDepth < 0) {
          throw new PositionedError(start, "unexpected right paren");
        }
      } else if (r < 0x80 && r >= 0x20 && r != 0x7f) {
        emit(Type.CHAR);
      } else {
        throw new PositionedError(start, String.format("unrecognized character in action: U+%04X", r));
      }
    }
  }

  private boolean atTerminator() {
    if (pos >= input.length()) {
      return true;
    }
    char r = input.charAt(pos);
    if (isSpace(r) || r == '.' || r == ',' || r == '|' || r == ':' || r == ')' || r == '(') {
      return true;
    }
    return input.startsWith(rightDelim, pos);
  }

  private PositionedError badCharacter() {
    int r = input.codePointAt(pos);
    return new PositionedError(pos, String.format("bad character U+%04X '%s'", r, new String(Character.toChars(r))));
  }

  private void lexIdentifier() {
    while (pos < input.length() && isAlphaNumeric(input.codePointAt(pos))) {
      pos += Character.charCount(input.codePointAt(pos));
    }
    if (!atTerminator()) {
      throw badCharacter();
    }
    String word = input.substring(start, pos);
    Type t = switch (word) {
      case "block" -> Type.BLOCK;
      case "break" -> Type.BREAK;
      case "continue" -> Type.CONTINUE;
      case "define" -> Type.DEFINE;
      case "else" -> Type.ELSE;
      case "end" -> Type.END;
      case "if" -> Type.IF;
      case "range" -> Type.RANGE;
      case "template" -> Type.TEMPLATE;
      case "with" -> Type.WITH;
      case "nil" -> Type.NIL;
      case "true", "false" -> Type.BOOL;
      default -> Type.IDENTIFIER;
    };
    emit(t);
  }

  private void lexFieldOrVariable(Type type) {
    if (atTerminator()) {
      emit(type == Type.VARIABLE ? Type.VARIABLE : Type.DOT);
      return;
    }
    while (pos < input.length() && isAlphaNumeric(input.codePointAt(pos))) {
      pos += Character.charCount(input.codePointAt(pos));
    }
    if (!atTerminator()) {
      throw badCharacter();
    }
    emit(type);
  }

  private void lexQuote() {
    while (true) {
      if (pos >= input.length() || input.charAt(pos) == '\n') {
        throw new PositionedError(start, "unterminated quoted string");
      }
      char c = input.charAt(pos++);
      if (c == '\\') {
        if (pos >= input.length() || input.charAt(pos) == '\n') {
          throw new PositionedError(start, "unterminated quoted string");
        }
        pos++;
      } else if (c == '"') {
        break;
      }
    }
    emit(Type.STRING);
  }

  private void lexChar() {
    while (true) {
      if (pos >= input.length() || input.charAt(pos) == '\n') {
        throw new PositionedError(start, "unterminated character constant");
      }
      char c = input.charAt(pos++);
      if (c == '\\') {
        if (pos >= input.length() || input.charAt(pos) == '\n') {
          throw new PositionedError(start, "unterminated character constant");
        }
        pos++;
      } else if (c == '\'') {
        break;
      }
    }
    emit(Type.CHAR_CONSTANT);
  }

  private void lexNumber() {
    if (pos < input.length() && (input.charAt(pos) == '+' || input.charAt(pos) == '-')) {
      pos++;
    }
    String digits = "0123456789_";
    if (input.startsWith("0", pos) && pos + 1 < input.length()) {
      char b = Character.toLowerCase(input.charAt(pos + 1));
      if (b == 'x') {
        pos += 2;
        digits = "0123456789abcdefABCDEF_";
      } else if (b == 'o') {
        pos += 2;
        digits = "01234567_";
      } else if (b == 'b') {
        pos += 2;
        digits = "01_";
      }
    }
    accept(digits);
    if (pos < input.length() && input.charAt(pos) == '.') {
      pos++;
      accept(digits);
    }
    if (digits.length() == 11 || digits.length() == 23) {
      String exp = digits.length() == 11 ? "eE" : "pP";
      if (pos < input.length() && exp.indexOf(input.charAt(pos)) >= 0) {
        pos++;
        if (pos < input.length() && (input.charAt(pos) == '+' || input.charAt(pos) == '-')) {
          pos++;
        }
        accept("0123456789_");
      }
    }
    if (pos < input.length() && input.charAt(pos) == 'i') {
      pos++;
    }
    if (pos < input.length() && isAlphaNumeric(input.codePointAt(pos))) {
      pos++;
      throw new PositionedError(start, "bad number syntax: " + quoteForError(input.substring(start, pos)));
    }
    emit(Type.NUMBER);
  }

  private void accept(String valid) {
    while (pos < input.length() && valid.indexOf(input.charAt(pos)) >= 0) {
      pos++;
    }
  }

  static String quoteForError(String s) {
    return GoStrings.quote(s.length() > 40 ? s.substring(0, 40) + "..." : s);
  }
}
