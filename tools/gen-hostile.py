#!/usr/bin/env python3
"""Write hostile documents for gloss into a directory, deterministically.

    tools/gen-hostile.py DIR            every document, the 32 MB and 100 MB lines too
    tools/gen-hostile.py --small DIR    only those small enough to commit (tests/data/hostile)

Each document is meant to break a reader that trusts its input: bytes that
are not UTF-8, terminal escape sequences of every family, controls, bidi
overrides, absurd grapheme clusters, huge lines, odd line ends.  Every one
holds the word "needle" at least twice when it holds words at all, so a test
can search it and press n.  The same arguments always give the same bytes:
random content comes from a seeded generator, never from the clock.

tests/screen/test_hostile.py imports this file (DOCS, SMALL, BIG, generate)
and checks that the copies under tests/data/hostile match it.
"""
import os
import random
import sys

ESC = "\x1b"
BEL = "\x07"
ST = ESC + "\\"
# base64 of the words that must never reach a clipboard
CLIP = "UFdORUQtQ0xJUEJPQVJE"  # PWNED-CLIPBOARD
CLIP_C1 = "UFdORUQtQzEtQ0xJUA=="  # PWNED-C1-CLIP
CLIP_DCS = "UFdORUQtUEFTU1RIUk9VR0g="  # PWNED-PASSTHROUGH


def u(s):
    return s.encode("utf-8")


def invalid_utf8():
    b = bytearray()
    b += b"Invalid UTF-8 sampler\n"
    b += b"needle: lone continuation bytes [\x80] [\xbf] [\x80\x80\x80] [\xbf\xbf] [\x9f\xa0]\n"
    b += b"truncated two-byte at the end of a line: \xc3\n"
    b += b"truncated three-byte at the end of a line: \xe2\x82\n"
    b += b"truncated four-byte at the end of a line: \xf0\x9f\x98\n"
    b += b"truncated in the middle: [\xe2\x82] [\xf0\x9f] [\xf0] [\xe0\xa0] x\n"
    b += (b"overlongs: slash [\xc0\xaf] [\xe0\x80\xaf] [\xf0\x80\x80\xaf] [\xf8\x80\x80\x80\xaf] "
          b"[\xc1\xbf] NUL [\xc0\x80] [\xe0\x80\x80] [\xf0\x80\x80\x80]\n")
    b += (b"surrogates: [\xed\xa0\x80] [\xed\xad\xbf] [\xed\xae\x80] [\xed\xbf\xbf] "
          b"CESU pair [\xed\xa0\xbd\xed\xb8\x80]\n")
    b += (b"above U+10FFFF: [\xf4\x90\x80\x80] [\xf5\x80\x80\x80] [\xf7\xbf\xbf\xbf] "
          b"[\xf8\x88\x80\x80\x80] [\xfc\x84\x80\x80\x80\x80]\n")
    b += b"FE and FF: [\xfe] [\xff] [\xfe\xff] [\xff\xfe] [\xfe\xfe\xff\xff]\n"
    b += b"a start byte then ASCII: [\xe2A] [\xf0AB] [\xc3 ] [\xe2\x82z]\n"
    b += b"every byte 80..FF alone:"
    for c in range(0x80, 0x100):
        b += b" " + bytes([c])
    b += b"\n"
    b += b"noncharacters (valid): [\xef\xbf\xbe] [\xef\xbf\xbf] [\xf4\x8f\xbf\xbf] [\xef\xb7\x90]\n"
    b += b"needle among valid text: caf\xc3\xa9 \xe2\x82\xac 5 \xc3( \xa9 \xe2\x28\xa1 end.\n"
    b += b"The file ends in a truncated sequence: \xe2\x82"
    return bytes(b)


def nul_bytes():
    b = bytearray()
    b += b"NUL bytes\n"
    b += b"needle\x00after a NUL and \x00\x00\x00 three in a row.\n"
    b += b"\x00 a line that starts with NUL\n"
    b += b"a line that ends with NUL\x00\n"
    b += b"a line of NULs: " + b"\x00" * 300 + b"\n"
    b += b"NUL between letters: a\x00b\x00c\x00d and a NUL in a word: nee\x00dle. needle again.\n"
    b += b"\x00\n\x00\x00\n"
    b += b"the last NUL is the last byte\x00"
    return bytes(b)


def csi():
    s = "CSI title " + ESC + "[2J" + ESC + "[H still the title\n"
    s += "clear screen: " + ESC + "[2J" + ESC + "[3J" + ESC + "[H needle after the clear\n"
    s += ("cursor moves: " + ESC + "[10;10HX " + ESC + "[5A " + ESC + "[3B " + ESC + "[20C " +
          ESC + "[D " + ESC + "[999;999H " + ESC + "7 " + ESC + "8 " + ESC + "M " + ESC + "D " +
          ESC + "E " + ESC + "[s " + ESC + "[u " + ESC + "[1G\n")
    s += ("SGR: " + ESC + "[31;1;5;7mred bold blink reverse" + ESC + "[0m " + ESC +
          "[38;2;255;0;0mtruecolor" + ESC + "[m " + ESC + "[8mconcealed " + ESC + "[4:3mcurly\n")
    s += ("modes: " + ESC + "[?1049l leave the alternate screen " + ESC + "[?47l " + ESC +
          "[?25l hide the cursor " + ESC + "[?1000h mouse " + ESC + "[?2004h paste " + ESC +
          "[4h insert " + ESC + "[?7l no wrap " + ESC + "[1;3r region " + ESC + "[r " + ESC +
          "[?6h origin " + ESC + "[?5h reverse video\n")
    s += "resets: " + ESC + "c full reset " + ESC + "[!p soft reset " + ESC + "[?3h 132 columns\n"
    s += "alignment test: " + ESC + "#8 fills the screen with E; double height " + ESC + "#3\n"
    s += ("reports: " + ESC + "[6n " + ESC + "[c " + ESC + "[>c " + ESC + "[21t " + ESC + "[18t " +
          ESC + "[14t " + ESC + "[?u " + ESC + "[5n queries\n")
    s += ("window ops: " + ESC + "[8;5;5t resize " + ESC + "[2t iconify " + ESC + "[3;0;0t move " +
          ESC + "[22;0t push title\n")
    s += ("erase and edit: " + ESC + "[K " + ESC + "[1K " + ESC + "[2K " + ESC + "[J " + ESC +
          "[1J " + ESC + "[10X " + ESC + "[5P " + ESC + "[5@ " + ESC + "[5L " + ESC + "[5M " + ESC +
          "[5S " + ESC + "[5T\n")
    s += ("charsets: " + ESC + "(0lqqk" + ESC + "(B " + ESC + ")0\x0eshift out\x0f shift in " + ESC +
          "N " + ESC + "O " + ESC + "%G\n")
    s += "keypad: " + ESC + "= " + ESC + "> and C0: bell\x07 backspace\x08 vt\x0b ff\x0c so\x0e si\x0f\n"
    s += ("bare and broken: " + ESC + " " + ESC + ESC + " " + ESC + "[ " + ESC + "[999999999999999999999m " +
          ESC + "[;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;H " + ESC + "[?\n")
    s += "a long CSI: " + ESC + "[" + "1;" * 2000 + "m needle at its end\n"
    s += "the line ends in a lone escape " + ESC + "\n"
    s += "and the file ends inside a CSI " + ESC + "[2"
    return u(s)


def osc():
    s = "OSC title " + ESC + "]0;PWNED-TITLE-0" + BEL + " here\n"
    s += "window title with ST: " + ESC + "]2;PWNED-TITLE-2" + ST + " and icon " + ESC + "]1;PWNED-ICON" + BEL + "\n"
    s += ("clipboard: " + ESC + "]52;c;" + CLIP + BEL + " primary " + ESC + "]52;p;" + CLIP + ST +
          " select " + ESC + "]52;s0;" + CLIP + BEL + " needle\n")
    s += "clipboard query: " + ESC + "]52;c;?" + BEL + " and clear " + ESC + "]52;c;!" + BEL + "\n"
    s += ("hyperlinks: " + ESC + "]8;;https://evil.example/" + ST + "click me" + ESC + "]8;;" + ST +
          " and " + ESC + "]8;id=x;file:///etc/passwd" + BEL + "passwd" + ESC + "]8;;" + BEL + "\n")
    s += ("palette: " + ESC + "]4;1;rgb:ff/00/00" + BEL + " " + ESC + "]10;#ff0000" + BEL + " " + ESC +
          "]11;?" + BEL + " " + ESC + "]104" + BEL + " " + ESC + "]12;red" + BEL + "\n")
    s += "cwd: " + ESC + "]7;file:///tmp/pwned" + BEL + " and " + ESC + "]633;P;Cwd=/pwned" + BEL + "\n"
    s += ("notify: " + ESC + "]9;PWNED-NOTIFY" + BEL + " " + ESC + "]777;notify;PWNED;body" + BEL +
          " " + ESC + "]99;;PWNED" + ST + "\n")
    s += "iTerm file: " + ESC + "]1337;File=name=cHduZWQ=;inline=1:AAAA" + BEL + " needle here\n"
    s += "unterminated title " + ESC + "]2;PWNED-UNTERMINATED and the text after it\n"
    s += "more text that a terminal would swallow into that title.\n"
    s += "the file ends inside an OSC " + ESC + "]0;PWNED-AT-EOF"
    return u(s)


def dcs():
    s = "DCS title " + ESC + "P$q\"p" + ST + " here\n"
    s += ("tmux passthrough: " + ESC + "Ptmux;" + ESC + ESC + "]0;PWNED-PASSTHROUGH" + BEL + ST +
          " needle\n")
    s += ("tmux passthrough of OSC 52: " + ESC + "Ptmux;" + ESC + ESC + "]52;c;" + CLIP_DCS + BEL +
          ST + "\n")
    s += "sixel: " + ESC + "Pq#0;2;0;0;0#1;2;100;100;0#1~~@@vv@@~~@@~~$-" + ST + "\n"
    s += "DECRQSS: " + ESC + "P$qm" + ST + " DECUDK: " + ESC + "P0|23/68656c6c6f" + ST + "\n"
    s += ("APC (kitty graphics): " + ESC + "_Gf=100,a=T;AAAA" + ST + " PM: " + ESC + "^private" + ST +
          " SOS: " + ESC + "Xstring" + ST + "\n")
    s += "screen's title: " + ESC + "kPWNED-SCREEN-TITLE" + ST + "\n"
    s += "unterminated DCS " + ESC + "Pq then needle and text a terminal would swallow\n"
    s += "the end.\n"
    return u(s)


def c1():
    b = bytearray()
    b += u("C1 controls title \u009b2J here\n")
    b += b"as UTF-8:"
    for c in range(0x80, 0xA0):
        b += b" " + u(chr(c))
    b += b"\n"
    b += b"as single bytes:"
    for c in range(0x80, 0xA0):
        b += b" " + bytes([c])
    b += b"\n"
    b += u("8-bit CSI clear: \u009b2J\u009bH needle") + b" and bytes \x9b2J\x9bH\n"
    b += u("8-bit OSC title: \u009d0;PWNED-C1-TITLE\u009c") + b" and bytes \x9d0;PWNED-C1-TITLE\x9c\n"
    b += u("8-bit OSC 52: \u009d52;c;" + CLIP_C1 + "\u0007") + b" and bytes \x9d52;c;" + CLIP_C1.encode() + b"\x07\n"
    b += u("8-bit DCS: \u0090tmux;\u001b\u001b]0;PWNED-C1-DCS\u0007\u009c") + b" and bytes \x90q\x9c\n"
    b += u("next line U+0085 inside\u0085this line, needle again.\n")
    b += u("8-bit APC \u009fhidden\u009c and PM \u009ehidden\u009c\n")
    return bytes(b)


def bidi():
    s = "Bidi title \u202eevil\u202c here\n"
    s += "Hebrew: \u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd needle, Arabic: \u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645.\n"
    s += "mixed: abc \u05e2\u05d1\u05e8\u05d9\u05ea 123 def \u0627\u0644\u0639\u0631\u0628\u064a\u0629 456.\n"
    s += ("Trojan source: if (access_level != \"user\u202e \u2066// Check if admin\u2069 \u2066\") {\n")
    names = [("LRE", 0x202A), ("RLE", 0x202B), ("PDF", 0x202C), ("LRO", 0x202D), ("RLO", 0x202E),
             ("LRI", 0x2066), ("RLI", 0x2067), ("FSI", 0x2068), ("PDI", 0x2069), ("LRM", 0x200E),
             ("RLM", 0x200F), ("ALM", 0x061C)]
    s += "every control:" + "".join(" %s[%s]" % (n, chr(c)) for n, c in names) + "\n"
    s += "line separator\u2028inside and paragraph separator\u2029inside\n"
    s += "unbalanced: " + "\u202e" * 200 + "needle reversed two hundred times\n"
    s += "isolates never closed: " + "\u2067" * 100 + "\u05d0\u05d1\u05d2 abc\n"
    s += "Arabic with marks: \u0628\u0650\u0633\u0652\u0645\u0650 \u0627\u0644\u0644\u0651\u0670\u0647\u0650\n"
    s += "the last line is plain.\n"
    return u(s)


def combining():
    marks = [chr(c) for c in range(0x300, 0x370)]
    s = "Combining title a" + "\u0301" * 300 + " end\n"
    s += "needle: one base with 500 acute accents a" + "\u0301" * 500 + " after\n"
    zal = "".join(ch + "".join(marks[(i * 7 + k) % len(marks)] for k in range(200))
                  for i, ch in enumerate("zalgo"))
    s += "zalgo: " + zal + " text\n"
    s += "\u0301\u0302 this line starts with marks\n"
    s += ("marks after a tab:\t\u0301\u0301 after a control \x01\u0301 after a letter X"
          "\u0301 after a space \u0301\n")
    s += "after a wide character \u4e2d" + "\u0301" * 300 + " after\n"
    s += "a run of 2000 marks with no base: " + "\u0308" * 2000 + "\n"
    s += "Hangul jamo: \u1100\u1161\u11a8 " + "\u1100" * 50 + "\u1161" * 50 + "\u11a8" * 50 + "\n"
    s += "variation selectors: a" + "\ufe0f" * 300 + " and CGJ: b" + "\u034f" * 100 + "\n"
    s += "joiners: c" + "\u200d" * 300 + "d and non-joiners e" + "\u200c" * 300 + "f\n"
    s += "enclosing: 1\u20dd\u20de\u20df\u20e0 and Devanagari \u0915\u094d\u0937\u093f needle.\n"
    s += "the end.\n"
    return u(s)


def emoji():
    s = "Emoji title \U0001F469\u200d\U0001F469\u200d\U0001F467 here\n"
    s += ("sequences: \U0001F468\u200d\U0001F469\u200d\U0001F467\u200d\U0001F466 "
          "\U0001F3F3\ufe0f\u200d\U0001F308 \U0001F9D1\U0001F3FD\u200d\U0001F680 "
          "\U0001F469\U0001F3FF\u200d\u2764\ufe0f\u200d\U0001F48B\u200d\U0001F468\U0001F3FB "
          "\U0001F3F4\u200d\u2620\ufe0f \U0001F3F3\ufe0f\u200d\u26a7\ufe0f needle\n")
    s += "flags: \U0001F1FA\U0001F1F8\U0001F1EC\U0001F1E7\U0001F1EB\U0001F1F7\U0001F1EF\U0001F1F5 end\n"
    s += "odd regional indicators: \U0001F1FA\U0001F1F8\U0001F1EC and a run of 101: "
    s += "".join(chr(0x1F1E6 + (i % 26)) for i in range(101)) + "\n"
    s += "a lone indicator at the end of the line \U0001F1FA\n"
    s += "England: \U0001F3F4\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F and tags alone \U000E0041\U000E0042\n"
    s += "keycaps: 1\ufe0f\u20e3 #\ufe0f\u20e3 *\u20e3 and text style \u2764\ufe0e vs \u2764\ufe0f\n"
    s += "skin tones alone: \U0001F3FB\U0001F3FC\U0001F3FD and on one hand \u270B" + "\U0001F3FD" * 50 + "\n"
    s += "a chain of 200: \U0001F469" + "\u200d\U0001F469" * 200 + " after\n"
    s += "a joiner at the line end \U0001F469\u200d\n"
    s += "\u200d\U0001F469 and a line that starts with a joiner, needle.\n"
    return u(s)


def binary():
    rnd = random.Random(0x676c6f73)
    head = bytearray(64)
    head[0:16] = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8
    head[16:24] = b"\x02\x00\x3e\x00\x01\x00\x00\x00"
    head[24:32] = (0x401000).to_bytes(8, "little")
    head[32:40] = (64).to_bytes(8, "little")
    head[52:64] = b"\x40\x00\x38\x00\x01\x00\x40\x00\x00\x00\x00\x00"
    body = bytes(rnd.getrandbits(8) for _ in range(64 * 1024))
    mid = len(body) // 2
    return bytes(head) + body[:mid] + b" needle " + body[mid:] + b" needle\x00\x00"


def line_ends():
    b = b"Line ends title\r\n"
    b += b"a CRLF line with a needle\r\n"
    b += b"lone\rCR\rinside\rone line\n"
    b += b"CR CR LF\r\r\n"
    b += b"LF CR\n\rstarts with CR\n"
    b += b"\r\n\r\n"
    b += b"only CRs" + b"\r" * 1000 + b"\n"
    b += b"mixed\r\nends\n\rand\r\r\n\nneedle again\r\n"
    b += b"the last line ends in a lone CR\r"
    return b


def tabs():
    s = "\tTabs\ttitle\t\n"
    s += "\t\t\tleading tabs then a needle\n"
    s += "trailing tabs\t\t\t\n"
    s += "\t".join("abcdefghijklmnopqrstuvwxyz") + "\n"
    s += "\t" * 500 + "\n"
    s += "\u4e2d\t\u6587\t\u5b57\t wide then tabs\n"
    s += "e\u0301\tcombining then a tab, \t\u0301 a mark after a tab\n"
    s += "x" * 77 + "\tat a wrap point of 80\n"
    s += "x" * 79 + "\t" + "y" * 7 + "\tat the last column\n"
    s += "tab\x1b[2J\tescape\x00between\x7ftabs\n"
    s += "\t \t \t \tneedle\t.\n"
    return u(s)


def bad_name():
    # Blank, so that the title falls back to the file name.
    return b"  \n\t\n   \n"


BAD_NAME = "name-" + ESC + "]0;PWNED-NAME" + BEL + ESC + "[2J.txt"

# name -> function giving the bytes; small enough to commit
SMALL = {
    "invalid-utf8.txt": invalid_utf8,
    "nul.txt": nul_bytes,
    "csi.txt": csi,
    "osc.txt": osc,
    "dcs.txt": dcs,
    "c1.txt": c1,
    "bidi.txt": bidi,
    "combining.txt": combining,
    "emoji.txt": emoji,
    "binary.bin": binary,
    "empty.txt": lambda: b"",
    "empty-lines.txt": lambda: b"\n" * 5000,
    "line-ends.txt": line_ends,
    "tabs.txt": tabs,
}
# Generated only: a name holding escapes does not belong in git.
NAMED = {BAD_NAME: bad_name}

NOBREAK_SIZE = 32 << 20
WORDS_SIZE = 100 << 20


def _write_nobreak(path):
    """32 MB of letters with no break opportunity, no line end at all."""
    rnd = random.Random(32)
    block = bytearray(rnd.choice(b"abcdefghijklmnopqrstuvwxyz") for _ in range(1 << 20))
    block[1000:1006] = b"needle"
    block[5000:5006] = b"needle"
    with open(path, "wb") as f:
        f.write(b"Nobreak")
        left = NOBREAK_SIZE - 7
        while left > 0:
            n = min(left, len(block))
            f.write(block[:n])
            left -= n


def _write_words(path):
    """100 MB of words, one line: sentences, but no line end until the last byte."""
    rnd = random.Random(100)
    vocab = ["the", "harbour", "master", "said", "fire", "quay", "witness", "report",
             "according", "to", "officials", "on", "Tuesday", "night", "and", "a", "needle"]
    words = []
    size = 0
    while size < (1 << 20):
        w = rnd.choice(vocab)
        if rnd.random() < 0.08:
            w += "."
        words.append(w)
        size += len(w) + 1
    block = (" ".join(words) + " ").encode()
    with open(path, "wb") as f:
        f.write(b"Words ")
        left = WORDS_SIZE - 6 - 1
        while left > 0:
            n = min(left, len(block))
            f.write(block[:n])
            left -= n
        f.write(b"\n")


BIG = {
    "long-nobreak.txt": _write_nobreak,
    "long-words.txt": _write_words,
}


def generate(dirname, small_only=False, big=True):
    """Write the documents into dirname; returns their paths by name."""
    os.makedirs(dirname, exist_ok=True)
    out = {}
    docs = dict(SMALL)
    if not small_only:
        docs.update(NAMED)
    for name, fn in docs.items():
        path = os.path.join(dirname, name)
        with open(path, "wb") as f:
            f.write(fn())
        out[name] = path
    if big and not small_only:
        for name, fn in BIG.items():
            path = os.path.join(dirname, name)
            fn(path)
            out[name] = path
    return out


def main(argv):
    args = [a for a in argv if a != "--small"]
    if len(args) != 1 or args[0].startswith("-"):
        sys.stderr.write("usage: gen-hostile.py [--small] DIR\n")
        return 2
    generate(args[0], small_only="--small" in argv)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
