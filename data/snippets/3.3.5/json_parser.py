# caption: 递归下降 JSON 解析器与序列化器（含 \uXXXX 代理对、数字语法、嵌套深度上限），与 json 模块对拍随机值并确认非法输入全部报错
# point: json序列化和反序列化
# timeout: 20
import json
import math
import random

WS = " \t\n\r"
DIGITS = frozenset("0123456789")    # not str.isdigit(): that also accepts '٣' and '²'
ESC = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n",
       "r": "\r", "t": "\t"}
MAX_DEPTH = 200          # Python frames: keep well under the recursion limit


class JSONError(ValueError):
    pass


class Parser:
    def __init__(self, text):
        self.s, self.i, self.depth = text, 0, 0

    def fail(self, msg):
        raise JSONError("%s at offset %d" % (msg, self.i))

    def ws(self):
        while self.i < len(self.s) and self.s[self.i] in WS:
            self.i += 1

    def peek(self):
        return self.s[self.i] if self.i < len(self.s) else ""

    def expect(self, word):
        if not self.s.startswith(word, self.i):
            self.fail("expected %r" % word)
        self.i += len(word)

    def document(self):
        self.ws()
        v = self.value()
        self.ws()
        if self.i != len(self.s):
            self.fail("trailing data")
        return v

    def value(self):
        c = self.peek()
        if c == "{":
            return self.container(self.obj)
        if c == "[":
            return self.container(self.arr)
        if c == '"':
            return self.string()
        if c == "-" or c in DIGITS:
            return self.number()
        for word, v in (("true", True), ("false", False), ("null", None)):
            if c == word[0]:
                self.expect(word)
                return v
        self.fail("unexpected %r" % c if c else "unexpected end")

    def container(self, fn):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.fail("nesting too deep")
        v = fn()
        self.depth -= 1
        return v

    def obj(self):
        self.i += 1
        out = {}
        self.ws()
        if self.peek() == "}":
            self.i += 1
            return out
        while True:
            self.ws()
            if self.peek() != '"':
                self.fail("object key must be a string")
            k = self.string()
            self.ws()
            self.expect(":")
            self.ws()
            out[k] = self.value()          # duplicate keys: last one wins
            self.ws()
            c = self.peek()
            self.i += 1
            if c == "}":
                return out
            if c != ",":
                self.i -= 1
                self.fail("expected ',' or '}'")

    def arr(self):
        self.i += 1
        out = []
        self.ws()
        if self.peek() == "]":
            self.i += 1
            return out
        while True:
            self.ws()
            out.append(self.value())
            self.ws()
            c = self.peek()
            self.i += 1
            if c == "]":
                return out
            if c != ",":
                self.i -= 1
                self.fail("expected ',' or ']'")

    def hex4(self):
        h = self.s[self.i:self.i + 4]
        if len(h) != 4 or any(ch not in "0123456789abcdefABCDEF" for ch in h):
            self.fail("bad \\u escape")
        self.i += 4
        return int(h, 16)

    def string(self):
        self.i += 1
        out = []
        while True:
            if self.i >= len(self.s):
                self.fail("unterminated string")
            c = self.s[self.i]
            self.i += 1
            if c == '"':
                return "".join(out)
            if c < " ":
                self.fail("raw control character in string")
            if c != "\\":
                out.append(c)
                continue
            e = self.peek()
            self.i += 1
            if e in ESC:
                out.append(ESC[e])
            elif e == "u":
                cp = self.hex4()
                if 0xD800 <= cp <= 0xDBFF:            # high surrogate
                    if self.s[self.i:self.i + 2] != "\\u":
                        self.fail("lone high surrogate")
                    self.i += 2
                    lo = self.hex4()
                    if not 0xDC00 <= lo <= 0xDFFF:
                        self.fail("bad low surrogate")
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
                elif 0xDC00 <= cp <= 0xDFFF:
                    self.fail("lone low surrogate")
                out.append(chr(cp))
            else:
                self.fail("bad escape")

    def number(self):
        start = self.i
        if self.peek() == "-":
            self.i += 1
        if self.peek() == "0":
            self.i += 1                                # no leading zeros
        elif self.peek() in DIGITS:
            while self.peek() in DIGITS:
                self.i += 1
        else:
            self.fail("digit expected")
        is_float = False
        if self.peek() == ".":
            is_float = True
            self.i += 1
            if self.peek() not in DIGITS:
                self.fail("digit expected after '.'")
            while self.peek() in DIGITS:
                self.i += 1
        if self.peek() in ("e", "E"):
            is_float = True
            self.i += 1
            if self.peek() in ("+", "-"):
                self.i += 1
            if self.peek() not in DIGITS:
                self.fail("digit expected in exponent")
            while self.peek() in DIGITS:
                self.i += 1
        text = self.s[start:self.i]
        return float(text) if is_float else int(text)


def loads(text):
    return Parser(text).document()


def dump_str(s, ascii_only):
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch in "\n\r\t\b\f":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t",
                        "\b": "\\b", "\f": "\\f"}[ch])
        elif o < 0x20 or (ascii_only and o > 0x7E):
            if o >= 0x10000:                           # split into surrogates
                v = o - 0x10000
                out.append("\\u%04x\\u%04x" % (0xD800 | v >> 10, 0xDC00 | v & 0x3FF))
            else:
                out.append("\\u%04x" % o)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def dumps(v, ascii_only=True):
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ValueError("NaN/Infinity are not JSON")
        return repr(v)
    if isinstance(v, str):
        return dump_str(v, ascii_only)
    if isinstance(v, list):
        return "[" + ",".join(dumps(x, ascii_only) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ",".join(dump_str(k, ascii_only) + ":" + dumps(x, ascii_only)
                              for k, x in v.items()) + "}"
    raise TypeError(type(v))


# ------------------------------------------------------------------ checks
rng = random.Random(8259)
ALPHABET = ['a', 'Z', '7', ' ', '"', '\\', '/', '\n', '\t', '\x01', '\x1f', '\x7f',
            'é', '中', '€', '\u2028', '😀', '𝄞', '\U0010FFFF']


def gen(depth=0):
    r = rng.random()
    if depth > 4 or r < 0.45:
        return rng.choice([
            None, True, False,
            rng.randint(-10**20, 10**20),
            rng.uniform(-1e6, 1e6), rng.random() * 10 ** rng.randint(-300, 300),
            "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 8)))])
    if r < 0.7:
        return [gen(depth + 1) for _ in range(rng.randint(0, 4))]
    return {"".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 5))): gen(depth + 1)
            for _ in range(rng.randint(0, 4))}


for n in range(3000):
    v = gen()
    for ascii_only in (True, False):
        mine = dumps(v, ascii_only)
        ref = json.dumps(v, ensure_ascii=ascii_only, separators=(",", ":"))
        assert mine == ref, (mine, ref)
        assert loads(mine) == json.loads(ref) == v
    pretty = json.dumps(v, indent=rng.choice([None, 2, "\t"]), ensure_ascii=n % 2 == 0)
    assert loads(pretty) == json.loads(pretty)
print("3000 random values: dumps() == json.dumps(), loads() == json.loads()")

assert loads('"\\ud83d\\ude00"') == "😀" == json.loads('"\\ud83d\\ude00"')
assert dumps("😀") == '"\\ud83d\\ude00"' and dumps("😀", False) == '"😀"'
assert loads('{"a":1,"a":2}') == {"a": 2}
assert isinstance(loads("10"), int) and isinstance(loads("1e1"), float)
print('surrogate pair: "\\ud83d\\ude00" <-> U+1F600; duplicate key -> last wins')

invalid = ["", " ", "{", "}", "[", "[1,]", '{"a":1,}', "[1 2]", '{"a" 1}', "{1:2}",
           "01", "-01", "1.", ".5", "-", "+1", "1e", "1e+", "0x10", "tru", "nul",
           "'x'", '"abc', '"\\x"', '"\\u12"', '"\\u12G4"', '"a\nb"', '"tab\there"',
           "1 2", "[1]]", "[" * 600,
           "\u0663", "1\u00b2"]                 # Arabic-Indic 3, superscript 2
for text in invalid:
    for fn in (loads, json.loads):
        try:
            fn(text)
        except (JSONError, json.JSONDecodeError, RecursionError):
            continue
        raise AssertionError("%s accepted %r" % (fn.__module__, text))
print("%d invalid documents rejected by both parsers" % len(invalid))

# valid but too deep: a parser must bound recursion (cJSON's limit is 1000)
deep = "[" * 600 + "]" * 600
assert len(json.dumps(json.loads(deep))) == 1200
try:
    loads(deep)
    raise AssertionError("depth limit not enforced")
except JSONError as e:
    print("600 nested arrays: json.loads ok, mine stops at %d: %s" % (MAX_DEPTH, e))

# where Python's json is more lenient than RFC 8259
for text in ("NaN", "-Infinity", '"\\ud800"'):
    json.loads(text)
    try:
        loads(text)
        raise AssertionError(text)
    except JSONError as e:
        print("json.loads accepts %-11s mine rejects: %s" % (text, e))
