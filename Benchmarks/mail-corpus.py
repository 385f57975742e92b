#!/usr/bin/env python3
"""Deterministic mail-archive corpus for the search benchmark (mbox import + full-text queries).

usage:
    python3 Benchmarks/mail-corpus.py --messages 1000000 --lists 142 --seed 1 --out DIR [--jobs 2]
    Python 3.11 standard library only. 1M messages make 2.55 GB and cost about 220 CPU-seconds:
    3.6 to 4.7 minutes with the default --jobs 2 on a 2-core machine that was also compiling.

Writes
    DIR/mbox/<list-name>.mbox   one mboxo file per list: "From <sender> <asctime UTC>" separator
                                lines, LF line endings, a blank line between messages, messages
                                in date order (2000-01-01..2026-10-31, traffic growing), body
                                lines starting with "From " written as ">From ". Earlier *.mbox
                                files in DIR/mbox are removed first.
    DIR/queries.json            query sets and corpus statistics (below)

Same arguments give byte-identical output whatever --jobs is: every list has its own
random.Random stream derived from --seed, and --jobs only spreads lists over processes.
Progress goes to stderr every 50,000 messages, then a summary line.

queries.json
    one_word            200 distinct words: the corpus vocabulary minus its 100 most frequent
                        words (and minus forms with an apostrophe or a capital), drawn weighted by
                        corpus frequency -- common-but-not-top words, the hard case
    two_words           200 "w1 w2" strings, both words drawn the same way
    phrase              200 '"w1 w2"' or '"w1 w2 w3"' strings: consecutive words copied from
                        generated bodies (never across punctuation; the first word may be
                        capitalised in the text); stats.phrase_sources names the message of each
    filtered            200 {"q": word, "list": list-name}: a word restricted to one list's folder
                        (half the list's own topic words, half words seen in that list)
    most_frequent_word  the corpus's top word ("the")
    prefix              50 "abcd*" strings: the first 4-6 letters of mid-frequency words, then *
    accented            50 {"word": "café"-like form, "folded": its accent-free form}
    stats               messages, body_bytes (bodies as written, after the header block),
                        text_bytes (decoded text/plain), mbox_bytes, words, vocabulary_size,
                        top10 [[word, count]...], threads, mime mix, sloppy_dates,
                        malformed_expected with malformed_kinds and the malformed messages' ids,
                        per_list message counts
    Word counts cover body prose including quoted reply text (case as generated: "The" at a
    sentence start counts as "the"); headers, code lines, URLs, greetings, attribution lines
    and signatures are not counted.
"""

import argparse
import base64
import binascii
import bisect
import calendar
import html
import itertools
import json
import math
import multiprocessing
import os
import random
import sys
import time
import unicodedata
import urllib.parse
import operator
from collections import Counter

START = calendar.timegm((2000, 1, 1, 0, 0, 0))
END = calendar.timegm((2026, 10, 31, 23, 59, 59))
YEAR = 365.2425 * 86400
GROWTH = math.log(6.0) / ((END - START) / YEAR)   # the last year has ~6x the first year's traffic
VOCAB_SIZE = 60000
ZIPF_S = 1.05
TOPIC_SHARE = 0.07          # share of body words drawn from the list's own topic words
THREAD_START = 0.35
MALFORMED_RATE = 0.0005
PROGRESS_EVERY = 50000
LIST_HOST = "lists.example.org"

DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

FUNCTION_WORDS = """the to of and a in is it that I for you this be on with not as have are but if
or from at can we an by was do would will there so all what which one they my has no should use
me more just then some like any about only think your when also out up other get than how been
way need know could into them does because these now here its don't it's same new see why make
where want time work those were I'm us well first our doesn't two very much problem had still
who did even may used something too really thing might good without each many after both over
most however before since being another through while right between such own few case said sure
point able yes thanks already else using change example actually probably maybe less instead
again least far long never anything must let though enough rather until under every either
whether someone simply above below their his her she he him go look put take try seems done
fix add last next keep set find give back down off""".split()

CONTENT_WORDS = """python zope plone django twisted code file version release patch bug error server
module package function class object method test tests list string data user users support build
install documentation library source interface import path configuration database query index
catalog template renderer request response session cache memory thread process window system
default value type option argument exception unicode encoding format output input line page site
web mail message issue branch trunk commit merge review proposal feature performance security api
docs url browser client windows linux debian compiler parser syntax variable tuple dictionary
iterator generator decorator garbage collection reference buffer socket stream binary text header
widget schema field form view layer adapter utility component event registry product folder
workflow permission role zodb transaction storage backup migration upgrade script shell command
directory checkout repository ticket tracker archive subject reply kernel driver network protocol
config plugin theme skin content editor search result results events logging logger handler
callback signal timeout deadlock lock queue worker pool scheduler benchmark profile optimizer
bytecode interpreter runtime platform framework release candidate beta alpha maintainer mirror
download upload mailing conference sprint meeting tutorial slides funding license copyright
trademark contributor committer developer developers volunteer foundation board vote election
pylons turbogears numpy scipy matplotlib sqlalchemy pygame jython pypy cython docutils sphinx
setuptools distutils mailman ubuntu gnome kde mozilla apache postgresql mysql sqlite samba gentoo
fedora freebsd openbsd perl ruby php haskell ocaml erlang tcl emacs vim grok buildout pyramid
flask tornado celery gevent kivy trac subversion mercurial bazaar git xen qemu openstack ansible
nginx lighttpd squid postfix exim dovecot spamassassin openssl gnupg tor wine gimp inkscape
blender libreoffice xorg wayland systemd grub alsa pulseaudio gstreamer ffmpeg vlc""".split()

PROJECTS = """python zope plone django twisted pylons turbogears numpy scipy matplotlib sqlalchemy
pygame jython pypy cython docutils sphinx setuptools distutils mailman debian ubuntu gnome kde
mozilla apache postgresql mysql sqlite samba gentoo fedora freebsd openbsd perl ruby php haskell
ocaml erlang tcl emacs vim grok zodb buildout pyramid flask tornado celery gevent kivy trac
subversion mercurial bazaar git xen qemu openstack ansible nginx lighttpd squid postfix exim
dovecot spamassassin openssl gnupg tor wine gimp inkscape blender libreoffice xorg wayland
systemd grub alsa pulseaudio gstreamer ffmpeg vlc""".split()

LIST_SUFFIXES = [("dev", 10), ("users", 10), ("announce", 6), ("list", 4), ("checkins", 3),
                 ("docs", 3), ("i18n", 2), ("general", 2), ("devel", 4), ("help", 3), ("bugs", 3),
                 ("commits", 3), ("web", 1), ("es", 1), ("fr", 1), ("de", 1), ("ja", 1),
                 ("tutor", 1), ("ideas", 1), ("sig", 1), ("packaging", 1), ("security", 1),
                 ("testing", 1), ("translators", 1), ("discuss", 2), ("cvs", 1), ("core", 1),
                 ("admin", 1)]

ONSETS = ("", "", "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "qu", "r", "s", "t",
          "v", "w", "z", "bl", "br", "ch", "cl", "cr", "dr", "fl", "fr", "gl", "gr", "pl", "pr",
          "sc", "sh", "sk", "sl", "sm", "sn", "sp", "st", "str", "th", "tr", "tw", "wh")
VOWELS = ("a", "e", "i", "o", "u", "a", "e", "i", "o", "ou", "ea", "ee", "oo", "ai", "io", "y")
CODAS = ("", "", "", "n", "r", "l", "s", "t", "m", "nd", "nt", "rt", "st", "ck", "ng", "x", "ct",
         "ll", "ss", "rk", "mp", "sh", "th", "p", "g", "d")
SUFFIXES = ("", "", "", "", "er", "ing", "ed", "ion", "ate", "ize", "able", "ment", "or", "ive",
            "ly", "al", "ogy", "ware", "log", "ity", "ism", "ist", "ous", "ness", "less", "ful",
            "ics", "ure", "ant", "ent", "age", "s", "s")
# Latin-1 accents, and a few letters outside Latin-1 (those words never go into Latin-1 bodies)
ACCENTS_L1 = {"a": "àáâäå", "e": "éèêë", "i": "íïî", "o": "óôöø", "u": "üúû", "n": "ñ", "c": "ç",
              "y": "ý"}
ACCENTS_OTHER = {"s": "šş", "z": "žź", "l": "ł", "c": "čć", "e": "ěę", "o": "ő", "n": "ńň",
                 "r": "ř", "g": "ğ"}
FOLD_EXTRA = {"ł": "l", "ø": "o", "ß": "ss", "ı": "i", "Ł": "L", "Ø": "O"}

FIRST_ASCII = """John Michael David Chris Paul Mark James Robert Peter Thomas Daniel Martin Andrew
Richard Steve Tim Jim Guido Barry Fred Jeremy Tres Jens Lennart Philipp Hanno Wichert Alexander
Maurits Sidnei Alan Greg Raymond Nick Antoine Victor Brett Georg Benjamin Alex Sarah Laura Anna
Maria Emily Jessica Julia Elena Karen Susan Lisa Kate Jane Tom Matt Ben Sam Joe Dan Eric Kevin
Brian Jason Ryan Adam Jon Ian Simon Jan Lars Hans Ole Marc Luca Marco Paolo Stefan Florian Tobias
Kai Erik Igor Dmitry Sergey Ivan Yuki Kenji Hiroshi Wei Li Chen Raj Amit Priya Carlos Diego Pablo
Juan Luis Miguel Rachel Claire Sophie Emma Olivia Hannah Laurence Jacob Jeff Ken Larry Doug Gary""".split()
FIRST_ACCENT = """José François Jürgen Søren Åsa Inés Zoë Renée André Andrés Jérôme Hervé Björn
Jörg Günther Frédéric Sébastien Raphaël Noël Joaquín Ramón Íñigo Hélène Cécile Mónica Sofía
Łukasz Tomáš Jiří Gökhan Ştefan Mikuláš Dvořáček""".split()
LAST_ASCII = """Smith Jones Brown Miller Davis Wilson Taylor Anderson Thomas Jackson White Harris
Martin Thompson Lee Walker Young Allen King Wright Scott Green Baker Adams Nelson Hill Campbell
Mitchell Roberts Carter Phillips Evans Turner Torres Parker Collins Edwards Stewart Morris Murphy
Cook Rogers Morgan Peterson Cooper Reed Bailey Bell Kelly Howard Ward Cox Richardson Wood Watson
Brooks Bennett Gray Hughes Price Myers Long Foster Sanders Ross Powell Sullivan Russell Jenkins
Perry Butler Barnes Fisher Henderson Coleman Simmons Patterson Jordan Reynolds Hamilton Graham Kim
Wallace Griffin West Cole Hayes Gibson Bryant Ellis Stevens Murray Ford Marshall Owens Harrison
Kennedy Wells Woods Olson Webb Tucker Freeman Burns Henry Snyder Simpson Crawford Porter Mason
Shaw Gordon Wagner Hunter Hicks Dixon Hunt Palmer Robertson Black Holmes Stone Meyer Boyd Mills
Warren Fox Rose Rice Schmidt Patel Ferguson Nichols Ryan Weaver Daniels Stephens Gardner Payne
Dunn Pierce Arnold Tran Spencer Peters Hawkins Grant Hansen Hart Elliott Knight Bradley Rossum
Warsaw Lauder Hylton Fulton Pelletier Richter Becker Hoffmann Schulz Koch Bauer Wolf Neumann
Nowak Kowalczyk Larsen Nielsen Jensen Eriksson Lindqvist Rossi Russo Ferrari Bianchi Romano
Tanaka Suzuki Watanabe Ito Wang Zhang Liu Singh Kumar Sharma Ivanov Petrov Novak Horvat""".split()
LAST_ACCENT = """García Müller Jørgensen Gonçalves Pérez Rodríguez Martínez Sánchez Gómez Díaz
Hernández Schäfer Köhler Krüger Groß Lefèvre Bérubé Østergaard Ødegaard Åberg Nuñez Muñoz Peña
Ibáñez Löwis Çelik Öztürk Wałęsa Dvořák Wiśniewski Šimek Štěpánek Yılmaz""".split()

DOMAINS = ["example.org", "example.com", "example.net", "example.es", "example.de",
           "example.fr", "example.co.uk", "example.edu", "example.jp", "example.nl", "example.it",
           "example.se", "example.pl", "example.cz", "example.br", "mail.example.com",
           "users.example.net", "dev.example.org"]
TZ_OFFSETS = [(0, 14), (60, 18), (120, 8), (-300, 14), (-240, 8), (-480, 10), (-420, 4),
              (-360, 6), (330, 3), (540, 4), (600, 3), (480, 4), (-180, 3), (180, 2), (345, 1),
              (-210, 1), (780, 1)]
TZ_NAMES = {0: "GMT", -300: "EST", -240: "EDT", -480: "PST", -420: "MST", -360: "CST", 60: "CET",
            120: "CEST"}
HOUR_WEIGHTS = [2, 1.5, 1, 1, 1, 1.2, 2, 3.5, 5.5, 7, 7.5, 7.5, 7, 7.5, 8, 8, 7.5, 7, 6, 5.5, 5,
                4.5, 4, 3]
MAILERS = ["Mutt/1.5.9i", "Mozilla Thunderbird 1.0 (X11/20041206)", "Apple Mail (2.1085)",
           "Microsoft Outlook Express 6.00.2900.2180", "KMail/1.7.2", "Evolution 2.0.2",
           "Gnus v5.11", "Sylpheed version 2.0.4", "Claws Mail 3.7.6", "Microsoft Office Outlook 12.0"]
CODE_TEMPLATES = [
    "    def {a}_{b}(self, {c}):", "        return self.{a}.{b}({c})",
    "    {a} = {b}.{c}({d}, {e}=True)", ">>> import {a}", ">>> {a}.{b}('{c}')",
    "$ python setup.py {a}", "$ ./bin/{a} --{b}={c}", "Traceback (most recent call last):",
    '  File "/usr/lib/python2.4/site-packages/{a}/{b}.py", line {n}, in {c}',
    "{A}Error: {a} {b} {c}", '    <{a} {b}="{c}" />', "    SELECT {a}, {b} FROM {c} WHERE {d} = {n};",
    "    for {a} in self.{b}:", "        if not {a}.{b}:", "            raise {A}Error('{c} {d}')",
    "    from {a}.{b} import {c}", "    {a}.{b}[{n}] = {c}", "  {a}: {b}  # {c} {d}",
    "    --- {a}/{b}.py (revision {n})", "    +++ {a}/{b}.py (working copy)",
    "    -    {a} = {b}", "    +    {a} = {b}({c})",
]
GREETINGS = ["Hi,", "Hi all,", "Hello,", "Hello all,", "Hi everyone,", "Dear list,", "Hey,",
             "Hi {first},", "Hello {first},", "Folks,"]
CLOSINGS = ["Thanks,", "Cheers,", "Regards,", "Best regards,", "Thanks in advance,", "--",
            "Thank you,", "Best,", "Ciao,", "Greetings,"]
SUBJECT_PATTERNS = [(None, 55), ("[PATCH] {}", 5), ("How to {}?", 8), ("Problem with {}", 8),
                    ("Question about {}", 5), ("{}?", 6), ("RFC: {}", 2), ("[BUG] {}", 3),
                    ("Proposal: {}", 3), ("{} (was: {})", 2), ("ANN: {} released", 3)]



def byte_table(values, weights):
    """256-entry table: table[random byte] draws values with the given weights."""
    total = math.fsum(weights)
    exact = [w * 256 / total for w in weights]
    n = [int(x) for x in exact]
    for i in sorted(range(len(n)), key=lambda i: -(exact[i] - n[i]))[:256 - sum(n)]:
        n[i] += 1
    return [v for v, c in zip(values, n) for _ in range(c)]


SLEN_T = byte_table(range(3, 36), [math.exp(-((l - 13) ** 2) / 60.0) + 0.02 for l in range(3, 36)])
PLEN_T = byte_table([1, 2, 3, 4, 5, 6], [14, 26, 26, 18, 10, 6])
PUNCT_T = byte_table([".", "?", "!", "..."], [225, 23, 5, 3])
HOUR_T = byte_table(range(24), HOUR_WEIGHTS)
Q_MAP = ["=%02X" % b for b in range(256)]
for _b in b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!*+-/":
    Q_MAP[_b] = chr(_b)
Q_MAP[32] = "_"


def fold(text):
    """Strip diacritics: 'café' -> 'cafe', 'Søren' -> 'Soren'."""
    text = "".join(FOLD_EXTRA.get(ch, ch) for ch in text)
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def is_latin1(text):
    try:
        text.encode("latin-1")
        return True
    except UnicodeEncodeError:
        return False


def encoded_words(text, charset, mode):
    """RFC 2047 encoded-words (each at most 75 chars, whole characters only)."""
    prefix = "=?%s?%s?" % (charset, mode)
    parts = []
    if mode in "qQ":
        room = 75 - len(prefix) - 2
        cur, curlen = [], 0
        for ch in text:
            enc = "".join(Q_MAP[b] for b in ch.encode(charset))
            if cur and curlen + len(enc) > room:
                parts.append(prefix + "".join(cur) + "?=")
                cur, curlen = [], 0
            cur.append(enc)
            curlen += len(enc)
        if cur:
            parts.append(prefix + "".join(cur) + "?=")
    else:
        room = (75 - len(prefix) - 2) // 4 * 3
        cur = b""
        for ch in text:
            raw = ch.encode(charset)
            if cur and len(cur) + len(raw) > room:
                parts.append(prefix + base64.b64encode(cur).decode("ascii") + "?=")
                cur = b""
            cur += raw
        if cur:
            parts.append(prefix + base64.b64encode(cur).decode("ascii") + "?=")
    return "\n ".join(parts)


class SlotTable:
    """Weighted sampling at C speed: a 65,536-slot table indexed by random 16-bit numbers.
    Each word gets floor(share) slots plus one more with probability frac(share) (systematic
    rounding, redone for every list), so every word's expected frequency is exact while words
    rarer than 1/65,536 turn up in some lists and not others, as jargon does."""

    SLOTS = 1 << 16

    def __init__(self, population, weights):
        total = math.fsum(weights)
        self.population = population
        shares = [w * self.SLOTS / total for w in weights]
        self.whole = [int(x) for x in shares]
        self.frac = [x - int(x) for x in shares]

    def bind(self, rng):
        # systematic rounding: word i gets an extra slot where the running sum of the
        # fractional shares (started at a random offset) crosses an integer
        floors = list(map(int, itertools.accumulate(self.frac, initial=rng.random())))
        extra = map(operator.sub, floors[1:], floors[:-1])
        counts = map(operator.add, self.whole, extra)
        table = list(itertools.chain.from_iterable(map(itertools.repeat, self.population, counts)))
        del table[self.SLOTS:]
        table.extend(itertools.repeat(self.population[0], self.SLOTS - len(table)))
        getitem = table.__getitem__
        randbytes = rng.randbytes

        def sample(k):
            return list(map(getitem, memoryview(randbytes(2 * k)).cast("H")))
        return sample


def synth_word(rng):
    n = rng.choices((1, 2, 3), (5, 5, 2))[0]
    parts = []
    for _ in range(n):
        parts.append(rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS))
    parts.append(rng.choice(SUFFIXES))
    return "".join(parts)


def accent(rng, word, outside_latin1):
    table = ACCENTS_OTHER if outside_latin1 else ACCENTS_L1
    spots = [i for i, ch in enumerate(word) if ch in table]
    if not spots:
        return None
    i = rng.choice(spots)
    return word[:i] + rng.choice(table[word[i]]) + word[i + 1:]


def build_vocabulary(rng):
    function = list(dict.fromkeys(FUNCTION_WORDS))
    taken = set(function)
    content = [w for w in dict.fromkeys(CONTENT_WORDS + PROJECTS) if w not in taken]
    taken.update(content)
    synth = []
    need = VOCAB_SIZE - len(function) - len(content)
    while len(synth) < need:
        w = synth_word(rng)
        if 3 <= len(w) <= 12 and w not in taken:
            taken.add(w)
            synth.append(w)
    # shorter words tend to be more frequent
    synth.sort(key=lambda w: len(w) + rng.gauss(0, 2.5))
    keyed = [(float(i), w) for i, w in enumerate(synth)]
    keyed += [(rng.uniform(0, 2500), w) for w in content]
    keyed.sort()
    tail = [w for _, w in keyed]
    protected = set(content)
    # ~3% of all word forms carry diacritics; a third of them are twins of an unaccented word
    n_accented = int(VOCAB_SIZE * 0.03)
    candidates = [i for i, w in enumerate(tail) if w not in protected]
    chosen = rng.sample(candidates, n_accented * 4 // 3)
    accented = set()
    twins = {}
    for j, i in enumerate(chosen[:n_accented]):
        base = tail[i]
        form = accent(rng, base, rng.random() < 0.2)
        if form is None or form in taken or form in accented:
            continue
        accented.add(form)
        if j % 3 == 0:
            # twin: both 'cafe' and 'café' exist; the accented form takes a rarer slot
            slot = chosen[n_accented + j // 3] if n_accented + j // 3 < len(chosen) else None
            if slot is not None and slot > i and tail[slot] not in protected:
                twins[form] = base
                tail[slot] = form
                continue
        tail[i] = form
    vocab = function + tail
    assert len(vocab) == len(set(vocab)) == VOCAB_SIZE, (len(vocab), len(set(vocab)))
    return vocab, len(function)


def make_people(rng, count):
    people = []
    for _ in range(count):
        nonascii = rng.random() < 0.045
        if nonascii:
            kind = rng.random()
            first = rng.choice(FIRST_ACCENT) if kind < 0.6 else rng.choice(FIRST_ASCII)
            last = rng.choice(LAST_ACCENT) if kind >= 0.35 else rng.choice(LAST_ASCII)
        else:
            first, last = rng.choice(FIRST_ASCII), rng.choice(LAST_ASCII)
        name = first + " " + last
        f, l = fold(first).lower(), fold(last).lower()
        style = rng.random()
        if style < 0.4:
            local = f + "." + l
        elif style < 0.6:
            local = f[0] + l
        elif style < 0.75:
            local = f
        elif style < 0.9:
            local = f + l[0] + str(rng.randrange(1, 99))
        else:
            local = l + "_" + f
        email = local + "@" + rng.choice(DOMAINS)
        if name != fold(name):
            r = rng.random()
            latin = is_latin1(name)
            if r < 0.03:
                header = "%s <%s>" % (name, email)                       # raw 8-bit, as seen in the wild
            elif r < 0.58 or not latin:
                header = "%s <%s>" % (encoded_words(name, rng.choice(["utf-8", "UTF-8"]), "q"), email)
            elif r < 0.80:
                header = "%s <%s>" % (encoded_words(name, "iso-8859-1", "b"), email)
            elif r < 0.93:
                header = "%s <%s>" % (encoded_words(name, "ISO-8859-1", "Q"), email)
            else:
                header = "%s <%s>" % (encoded_words(name, "utf-8", "b"), email)
        else:
            r = rng.random()
            if r < 0.72:
                header = "%s <%s>" % (name, email)
            elif r < 0.77:
                header = '"%s, %s" <%s>' % (last, first, email)
            elif r < 0.82:
                header = "%s (%s)" % (email, name)
            elif r < 0.84:
                header = "%s <%s>" % (encoded_words(name, "utf-8", "q"), email)
            else:
                header = email
        minutes = rng.choices([o for o, _ in TZ_OFFSETS], [w for _, w in TZ_OFFSETS])[0]
        sign = "-" if minutes < 0 else "+"
        offset = "%s%02d%02d" % (sign, abs(minutes) // 60, abs(minutes) % 60)
        if rng.random() < 0.15 and minutes in TZ_NAMES:
            offset += " (%s)" % TZ_NAMES[minutes]
        people.append({
            "name": name, "first": first, "email": email, "header": header,
            "offset": minutes * 60, "offset_str": offset, "zero_pad": rng.random() < 0.5,
            "wrap": rng.random() < 0.9, "sig": rng.random() < 0.4,
            "sig_url": rng.random() < 0.3, "greets": rng.random() < 0.35,
            "closes": rng.random() < 0.45, "mailer": rng.choice(MAILERS) if rng.random() < 0.35 else None,
            "top_post": rng.random() < 0.2,
        })
    return people


def make_lists(rng, count, vocab, nfunc):
    ascii_mid = [w for w in vocab[nfunc + 300:nfunc + 6000] if w.isascii() and 4 <= len(w) <= 8]
    projects = [p for p in PROJECTS if p not in ("python", "zope", "plone")]
    rng.shuffle(projects)
    projects = ["python", "zope", "plone"] + projects
    # made-up projects fill the tail (and make any --lists count possible)
    pool = projects + rng.sample(ascii_mid, max(20, count // 3))
    pweight = {p: 1.0 / (i + 1.5) ** 0.8 for i, p in enumerate(pool)}
    sweight = dict(LIST_SUFFIXES)
    sfx = [s for s, _ in LIST_SUFFIXES]
    names = [("python-dev", "python", "dev"), ("zope-users", "zope", "users"),
             ("plone-announce", "plone", "announce")][:count]
    seen = {n for n, _, _ in names}
    pw = [pweight[p] for p in pool]
    attempts = 0
    while len(names) < count:
        attempts += 1
        project = rng.choices(pool, pw)[0]
        suffix = rng.choices(sfx, [sweight[x] for x in sfx])[0]
        name = project + "-" + suffix
        if attempts > 50 * count:
            name = "%s-%d" % (name, attempts)
        if name in seen:
            continue
        seen.add(name)
        names.append((name, project, suffix))
    lo, hi = math.log(nfunc + 200), math.log(min(len(vocab) - 1, 20000))
    project_topics = {}
    lists = []
    for i, (name, project, suffix) in enumerate(names):
        if project not in project_topics:
            words = [project]
            seen_w = {project}
            while len(words) < 150:
                w = vocab[int(math.exp(rng.uniform(lo, hi)))]
                if w not in seen_w:
                    seen_w.add(w)
                    words.append(w)
            project_topics[project] = words
        topic = list(project_topics[project])
        seen_w = set(topic)
        own = []
        while len(own) < 50:
            w = vocab[int(math.exp(rng.uniform(lo, hi)))]
            if w not in seen_w:
                seen_w.add(w)
                own.append(w)
        # interleave so both project and list words get high topic weight
        topic = [topic[0]] + [w for pair in itertools.zip_longest(topic[1:], own) for w in pair if w]
        born = START if rng.random() < 0.35 or i < 3 else START + rng.random() * (calendar.timegm(
            (2022, 1, 1, 0, 0, 0)) - START)
        lists.append({
            "index": i, "name": name, "project": project, "topic": topic,
            "born": born,
            "weight": pweight[project] * sweight.get(suffix, 1) * rng.lognormvariate(0, 0.6),
            "tag": rng.random() < 0.5, "announce": suffix == "announce",
            "list_id": ("<%s.%s>" % (name, LIST_HOST)) if rng.random() < 0.5 else
                       ("%s %s list <%s.%s>" % (project.capitalize(), suffix, name, LIST_HOST)),
        })
    return lists


def allocate(lists, total):
    masses = []
    for lst in lists:
        b = (lst["born"] - START) / YEAR
        e = (END - START) / YEAR
        masses.append(lst["weight"] * (math.exp(GROWTH * e) - math.exp(GROWTH * b)))
    scale = total / math.fsum(masses)
    exact = [m * scale for m in masses]
    counts = [int(x) for x in exact]
    if total >= len(lists):
        for i, c in enumerate(counts):
            if c == 0:
                counts[i] = 1
    rest = total - sum(counts)
    order = sorted(range(len(lists)), key=lambda i: (-(exact[i] - int(exact[i])), i))
    k = 0
    while rest > 0:
        counts[order[k % len(order)]] += 1
        rest -= 1
        k += 1
    k = 0
    while rest < 0:       # only when the minimum-one rule overshot
        i = max(range(len(counts)), key=lambda j: (counts[j], -j))
        counts[i] -= 1
        rest += 1
    return counts


def wrap(text, width=72):
    if len(text) <= width:
        return text
    lines = []
    start, n = 0, len(text)
    rfind, find = text.rfind, text.find
    while n - start > width:
        cut = rfind(" ", start, start + width + 1)
        if cut <= start:
            cut = find(" ", start + width)
            if cut < 0:
                break
        lines.append(text[start:cut])
        start = cut + 1
    lines.append(text[start:])
    return "\n".join(lines)


class G:
    """Read-only state shared with worker processes (inherited through fork)."""
    vocab = None
    rank = None
    sampler = None
    capitals = None
    l1map = None
    bytes_per_word = None
    people = None
    lists = None
    counts = None
    code_words = None
    seed = None
    out = None
    progress = None
    started = None


def report_progress(n):
    if G.progress is None:
        return
    with G.progress.get_lock():
        before = G.progress.value
        G.progress.value = before + n
        after = before + n
    if before // PROGRESS_EVERY != after // PROGRESS_EVERY:
        elapsed = time.time() - G.started
        mark = after // PROGRESS_EVERY * PROGRESS_EVERY
        print("%9d messages  %6.0f msg/s  %6.1fs" % (mark, after / max(elapsed, 1e-9), elapsed),
              file=sys.stderr, flush=True)


def fmt_date(ts, person, rng):
    local = ts + person["offset"]
    tm = time.gmtime(local)
    day = ("%02d" if person["zero_pad"] else "%d") % tm.tm_mday
    base = "%s, %s %s %d %02d:%02d:%02d %s" % (DAYS[tm.tm_wday], day, MONTHS[tm.tm_mon - 1],
                                               tm.tm_year, tm.tm_hour, tm.tm_min, tm.tm_sec,
                                               person["offset_str"])
    if rng.random() >= 0.01:
        return base, False
    off = person["offset_str"].split(" ")[0]
    kind = rng.randrange(6)
    if kind == 0:      # no weekday
        return "%d %s %d %02d:%02d:%02d %s" % (tm.tm_mday, MONTHS[tm.tm_mon - 1], tm.tm_year,
                                                tm.tm_hour, tm.tm_min, tm.tm_sec, off), True
    if kind == 1:      # two-digit year
        return "%s, %d %s %02d %02d:%02d:%02d %s" % (DAYS[tm.tm_wday], tm.tm_mday,
                                                     MONTHS[tm.tm_mon - 1], tm.tm_year % 100,
                                                     tm.tm_hour, tm.tm_min, tm.tm_sec, off), True
    if kind == 2:      # named zone, UTC clock
        u = time.gmtime(ts)
        return "%s, %d %s %d %02d:%02d:%02d %s" % (DAYS[u.tm_wday], u.tm_mday, MONTHS[u.tm_mon - 1],
                                                   u.tm_year, u.tm_hour, u.tm_min, u.tm_sec,
                                                   rng.choice(["GMT", "UT", "UTC"])), True
    if kind == 3:      # no seconds
        return "%s, %d %s %d %02d:%02d %s" % (DAYS[tm.tm_wday], tm.tm_mday, MONTHS[tm.tm_mon - 1],
                                              tm.tm_year, tm.tm_hour, tm.tm_min, off), True
    if kind == 4:      # doubled spaces, lowercase month
        return "%s,  %d %s %d  %02d:%02d:%02d %s" % (DAYS[tm.tm_wday], tm.tm_mday,
                                                     MONTHS[tm.tm_mon - 1].lower(), tm.tm_year,
                                                     tm.tm_hour, tm.tm_min, tm.tm_sec, off), True
    u = time.gmtime(ts)    # -0000: time zone unknown
    return "%s, %d %s %d %02d:%02d:%02d -0000" % (DAYS[u.tm_wday], u.tm_mday, MONTHS[u.tm_mon - 1],
                                                  u.tm_year, u.tm_hour, u.tm_min, u.tm_sec), True


def list_times(rng, lst, count):
    """count timestamps in [born, END], density growing exponentially, office-hour biased."""
    g = GROWTH / YEAR
    a = math.exp(g * (lst["born"] - START))
    b = math.exp(g * (END - START))
    out = []
    hours = rng.randbytes(count)
    for n in range(count):
        t = START + math.log(a + rng.random() * (b - a)) / g
        day = int(t) - int(t) % 86400
        h = HOUR_T[hours[n]]
        ts = day + h * 3600 + rng.randrange(3600)
        if ts < lst["born"]:
            ts = int(lst["born"]) + rng.randrange(3600)
        if ts > END:
            ts = END - rng.randrange(86400)
        out.append(ts)
    out.sort()
    return out


def generate_list(li):
    """Write one list's mbox; returns its statistics."""
    lst = G.lists[li]
    count = G.counts[li]
    rng = random.Random("%d/%d/%s" % (G.seed, li, lst["name"]))
    rnd = rng.random
    randrange = rng.randrange
    choices = rng.choices
    sample = G.sampler.bind(rng)
    vocab_rank = G.rank
    l1get = G.l1map.get
    bpw = G.bytes_per_word
    people = G.people
    code_words = G.code_words
    name = lst["name"]
    list_addr = "%s@%s" % (name, LIST_HOST)
    tag = "[%s] " % name if lst["tag"] else ""
    list_id = lst["list_id"]

    topic = lst["topic"]
    topic_cum = list(itertools.accumulate(1.0 / (k + 1) ** 0.9 for k in range(len(topic))))
    subject_topic_cum = topic_cum

    n_part = max(12, min(4000, count // 15))
    participants = rng.sample(range(len(people)), min(n_part, len(people)))
    part_cum = list(itertools.accumulate(1.0 / (k + 1) ** 1.0 for k in range(len(participants))))

    capget = G.capitals.__getitem__
    topic_sample = SlotTable(topic, [1.0 / (k + 1) ** 0.9 for k in range(len(topic))]).bind(rng)
    subj_pop = [p for p, _ in SUBJECT_PATTERNS]
    subj_cum = list(itertools.accumulate(w for _, w in SUBJECT_PATTERNS))

    times = list_times(rng, lst, count)
    counter = Counter()
    window = []
    phrases = []          # reservoir of (phrase, message_id)
    phrase_seen = 0
    list_words = []
    mime = Counter()
    malformed = []
    body_bytes = 0
    text_bytes = 0
    mbox_bytes = 0
    threads = 0
    sloppy_dates = 0
    escaped_from = 0
    latin1_fallback = 0
    pending = 0
    nl = len(G.lists)

    path = os.path.join(G.out, "mbox", name + ".mbox")
    f = open(path, "wb", buffering=1 << 20)
    write = f.write

    for serial in range(count):
        ts = times[serial]
        person = people[participants[bisect.bisect(part_cum, rnd() * part_cum[-1])]]
        bad = rnd() < MALFORMED_RATE
        bad_kind = rng.choice(("garbage_header", "truncated_base64", "unterminated_multipart",
                               "invalid_utf8", "broken_encoded_word")) if bad else None

        # MIME choice first: Latin-1 bodies only take Latin-1 words
        r = rnd()
        if r < 0.80:
            kind = "plain"
        elif r < 0.88:
            kind = "latin1_qp"
        elif r < 0.92:
            kind = "base64"
        elif r < 0.98:
            kind = "alternative"
        else:
            kind = "mixed"
        if bad_kind == "truncated_base64":
            kind = "base64"
        elif bad_kind == "unterminated_multipart":
            kind = "mixed"
        elif bad_kind == "invalid_utf8":
            kind = "plain"

        # thread
        if window and rnd() >= THREAD_START:
            back = int(rng.expovariate(0.07))
            parent = window[-1 - back] if back < len(window) else window[randrange(len(window))]
        else:
            parent = None

        # --- body text ---------------------------------------------------------------
        target = int(rng.lognormvariate(6.93, 0.78))
        if target < 200:
            target = 200 + randrange(100)
        elif target > 20000:
            target = 20000 - randrange(2000)
        blocks = []          # text blocks joined by blank lines
        quote_blocks = []
        if parent is not None:
            pq = parent[6]
            if pq:
                nq = 1 if len(pq) == 1 or rnd() < 0.5 else 2
                for text, qwords in pq[:nq]:
                    quote_blocks.append("> " + text.replace("\n", "\n> "))
                    counter.update(qwords)
                r = rnd()
                pname = parent[3]
                if r < 0.55:
                    attribution = "On %s, %s wrote:" % (parent[5], pname)
                elif r < 0.8:
                    attribution = "%s wrote:" % pname
                elif r < 0.9:
                    attribution = "Quoting %s <%s>:" % (pname, parent[4])
                else:
                    attribution = "%s <%s> writes:" % (pname, parent[4])
                quote_blocks[0] = attribution + "\n" + quote_blocks[0]
                target -= sum(len(q) for q in quote_blocks) // 2   # quotes count half
        if person["greets"]:
            blocks.append(rng.choice(GREETINGS).replace("{first}", parent[3].split(" ")[0]
                                                        if parent is not None else "all"))
        nwords = int(max(target - 60, 210) / bpw)
        if nwords < 8:
            nwords = 8
        words = sample(nwords)
        if kind == "latin1_qp":
            words = list(map(l1get, words, words))
        ntopic = int(nwords * TOPIC_SHARE + rnd())
        if ntopic:
            for w in topic_sample(ntopic):
                if kind == "latin1_qp":
                    w = l1get(w, w)
                words[int(rnd() * nwords)] = w
        counter.update(words)

        # sentences: capitalised first word, a comma in ~45% of long ones, end punctuation;
        # all small random decisions come from byte tables (one randbytes call each)
        nb = nwords // 3 + 2
        rl = rng.randbytes(nb)
        rp = rng.randbytes(nb)
        rc = rng.randbytes(nb)
        rq = rng.randbytes(nb)
        toks = words[:]
        starts = []
        i = 0
        k = 0
        while i < nwords:
            L = SLEN_T[rl[k]]
            if nwords - i < L + 3:
                L = nwords - i
            e = i + L - 1
            toks[i] = capget(toks[i])
            if L > 7 and rc[k] < 115:
                c = i + 2 + (rq[k] * (L - 4) >> 8)
                toks[c] += ","
            toks[e] += PUNCT_T[rp[k]]
            starts.append(i)
            i = e + 1
            k += 1
        nsent = len(starts)
        starts.append(nwords)
        rpl = rng.randbytes(nsent)
        paras = []
        pstarts = []
        a = 0
        k = 0
        wrapping = person["wrap"]
        while a < nsent:
            b = a + PLEN_T[rpl[k]]
            k += 1
            if b > nsent:
                b = nsent
            text = " ".join(toks[starts[a]:starts[b]])
            paras.append(wrap(text) if wrapping else text)
            pstarts.append(starts[a])
            a = b
        pstarts.append(nwords)
        # one frequency-weighted, not-too-common word per message for filtered queries
        if len(list_words) < 100 or randrange(serial + 1) < 100:
            for _ in range(3):
                w = words[randrange(nwords)]
                if vocab_rank[w] >= 100 and "'" not in w:
                    if len(list_words) < 100:
                        list_words.append(w)
                    else:
                        list_words[randrange(100)] = w
                    break
        own_quotable = [(paras[x], words[pstarts[x]:pstarts[x + 1]]) for x in range(min(2, len(paras)))]

        # code and URLs
        if rnd() < 0.15:
            cw = choices(code_words, k=40)
            lines = []
            for t in rng.sample(CODE_TEMPLATES, randrange(2, 7)):
                lines.append(t.format(a=cw[0], b=cw[1], c=cw[2], d=cw[3], e=cw[4],
                                      A=cw[5].capitalize(), n=randrange(1, 2000)))
                cw = cw[5:]
            code = "\n".join(lines)
        else:
            code = None
        if rnd() < 0.25:
            uw = choices(code_words, k=3)
            year = time.gmtime(ts).tm_year
            r = rnd()
            if r < 0.3 and year >= 2009:
                url = "https://github.com/%s/%s/issues/%d" % (uw[0], uw[1], randrange(1, 9000))
            elif r < 0.6:
                url = "http://www.%s.org/%s/%s.html" % (uw[0], uw[1], uw[2])
            elif r < 0.8:
                url = "http://mail.example.org/pipermail/%s/%d-%s/%06d.html" % (
                    name, year, ("January February March April May June July August September "
                                 "October November December").split()[time.gmtime(ts).tm_mon - 1],
                    randrange(1, 999999))
            else:
                url = "http://%s.example.org/wiki/%s" % (uw[0], uw[1].capitalize())
        else:
            url = None

        prose = paras
        if url is not None:
            j = randrange(len(prose))
            prose[j] = prose[j] + ("\n" if wrapping else " ") + ("See " if rnd() < 0.5 else "") + url
        if code is not None:
            prose.insert(randrange(len(prose) + 1) if len(prose) > 1 else len(prose), code)

        if quote_blocks:
            if person["top_post"]:
                blocks.extend(prose)
                blocks.append("\n>\n".join(quote_blocks))
            elif len(quote_blocks) == 2 and len(prose) > 1 and rnd() < 0.6:
                blocks.append(quote_blocks[0])
                blocks.append(prose[0])
                blocks.append(quote_blocks[1])
                blocks.extend(prose[1:])
            else:
                blocks.append("\n>\n".join(quote_blocks))
                blocks.extend(prose)
        else:
            blocks.extend(prose)
        if person["closes"]:
            blocks.append(rng.choice(CLOSINGS) + "\n" + person["first"])
        if person["sig"]:
            sig = "-- \n" + person["name"]
            if person["sig_url"]:
                sig += "\nhttp://www.%s.org/" % code_words[randrange(len(code_words))]
            blocks.append(sig)
        body = "\n\n".join(blocks) + "\n"
        if bad_kind == "invalid_utf8":
            body += "\n" + "Caf\udce9 cr\udce8me \udce0 la fran\udce7aise.\n"

        # phrase candidates (reservoir of 40 per list)
        phrase_seen += 1
        slot = len(phrases) if len(phrases) < 40 else randrange(phrase_seen)
        cand = None
        if slot < 40:
            for _ in range(6):
                x = randrange(nsent)
                si, sl = starts[x], starts[x + 1] - starts[x]
                plen = 2 if rnd() < 0.6 else 3
                if sl < plen:
                    continue
                j = si + randrange(sl - plen + 1)
                if any(t[-1] in ",.?!" for t in toks[j:j + plen - 1]):
                    continue
                pw = words[j:j + plen]
                if any("'" in w for w in pw) or max(vocab_rank[w] for w in pw) < 100:
                    continue
                cand = " ".join(pw)
                break

        # --- headers -----------------------------------------------------------------
        tm = time.gmtime(ts)
        msgid = "<%04d%02d%02d%02d%02d%02d.%d@%s>" % (tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour,
                                                     tm.tm_min, tm.tm_sec, serial * nl + li,
                                                     LIST_HOST if rnd() < 0.7 else
                                                     person["email"].split("@")[1])
        if cand is not None and not bad:
            if slot < len(phrases):
                phrases[slot] = (cand, msgid)
            else:
                phrases.append((cand, msgid))
        date, sloppy = fmt_date(ts, person, rng)
        sloppy_dates += sloppy
        if parent is None:
            threads += 1
            sw = sample(randrange(2, 8))
            sw[0] = topic[bisect.bisect(subject_topic_cum, rnd() * subject_topic_cum[-1])]
            if len(sw) > 2:
                sw[-1] = topic[bisect.bisect(subject_topic_cum, rnd() * subject_topic_cum[-1])]
            if kind == "latin1_qp":
                sw = [l1get(w, w) for w in sw]
            text = " ".join(sw)
            pat = choices(subj_pop, cum_weights=subj_cum)[0]
            if lst["announce"] and rnd() < 0.5:
                pat = "ANN: {} released"
            if pat is None:
                subject = text[0].upper() + text[1:]
            elif pat == "ANN: {} released":
                subject = "ANN: %s %d.%d.%d released" % (lst["project"].capitalize(), randrange(1, 9),
                                                        randrange(0, 20), randrange(0, 10))
            elif pat == "{} (was: {})":
                subject = "%s (was: %s)" % (" ".join(sw[:len(sw) // 2 + 1]), " ".join(sw[len(sw) // 2:]))
            else:
                subject = pat.format(text)
            base_subject = tag + subject
            refs = ()
            subject_line = base_subject
        else:
            base_subject = parent[1]
            refs = (parent[2] + (parent[0],))[-10:]
            subject_line = "Re: " + base_subject
        if subject_line.isascii():
            shown = subject_line
            if len(shown) > 70:
                cut = shown.rfind(" ", 0, 70)
                if cut > 20:
                    shown = shown[:cut] + "\n " + shown[cut + 1:]
        else:
            r = rnd()
            prefix = "Re: " if parent is not None and r < 0.7 else ""
            rest = subject_line[len(prefix):]
            if r < 0.5 or not is_latin1(rest):
                shown = prefix + encoded_words(rest, "utf-8", "q")
            elif r < 0.8:
                shown = prefix + encoded_words(rest, "iso-8859-1", "q")
            else:
                shown = prefix + encoded_words(rest, "ISO-8859-1", "B")
        if bad_kind == "broken_encoded_word":
            shown = rng.choice(["=?utf-8?q?Caf=C3?= =?utf-8?b?###?= %s" % subject_line,
                                "=?x-unknown?q?%s?=" % subject_line.replace(" ", "_"),
                                "=?utf-8?q?%s" % subject_line.replace(" ", "_")])
        h = ["From: " + person["header"]]
        if parent is not None and rnd() < 0.2:
            h.append("To: " + parent[7])
            h.append("Cc: " + list_addr)
        else:
            h.append("To: " + list_addr)
        h.append("Subject: " + shown)
        h.append("Date: " + date)
        h.append("Message-ID: " + msgid)
        if parent is not None:
            h.append("In-Reply-To: " + parent[0])
            h.append("References: " + "\n ".join(refs))
        if bad_kind == "garbage_header":
            h.append(rng.choice(["this line is not a header at all", "=== garbage ===",
                                 "X-Broken header without colon", "*** ~~~ ***"]))
        h.append("List-Id: " + list_id)
        h.append("Precedence: list")
        if person["mailer"]:
            h.append("X-Mailer: " + person["mailer"])
        h.append("MIME-Version: 1.0")

        # --- MIME ----------------------------------------------------------------------
        text_bytes += len(body.encode("utf-8", "surrogateescape"))
        if kind == "latin1_qp":
            try:
                raw = body.encode("latin-1")
                cs = "iso-8859-1" if rnd() < 0.7 else "ISO-8859-1"
            except UnicodeEncodeError:           # a quoted parent or a name outside Latin-1
                raw = body.encode("utf-8")
                cs = "utf-8"
                latin1_fallback += 1
                kind = "utf8_qp"
            h.append("Content-Type: text/plain; charset=%s" % cs)
            h.append("Content-Transfer-Encoding: quoted-printable")
            payload = binascii.b2a_qp(raw).decode("ascii")
            if not payload.endswith("\n"):
                payload += "\n"
        elif kind == "plain":
            h.append("Content-Type: text/plain; charset=%s" % ("utf-8" if rnd() < 0.6 else
                                                              '"UTF-8"' if rnd() < 0.5 else "UTF-8; format=fixed"))
            h.append("Content-Transfer-Encoding: 8bit")
            payload = body
        elif kind == "base64":
            h.append("Content-Type: text/plain; charset=utf-8")
            h.append("Content-Transfer-Encoding: base64")
            payload = base64.encodebytes(body.encode("utf-8")).decode("ascii")
            if bad_kind == "truncated_base64":
                cut = len(payload) * 3 // 5
                while payload[cut - 1] == "\n" or (cut - payload.rfind("\n", 0, cut) - 1) % 4 == 0:
                    cut -= 1
                payload = payload[:cut] + "\n"
        else:
            boundary = rng.choice(["----=_Part_%d_%d.%d" % (serial, randrange(10 ** 9), ts),
                                   "===============%019d==" % randrange(10 ** 19),
                                   "Apple-Mail-%d-%d" % (randrange(1, 99), randrange(10 ** 9)),
                                   "------------%024X" % randrange(16 ** 24)])
            if kind == "alternative":
                h.append('Content-Type: multipart/alternative; boundary="%s"' % boundary)
                qp = rnd() < 0.3
                if qp:
                    plain = ("Content-Type: text/plain; charset=utf-8\n"
                             "Content-Transfer-Encoding: quoted-printable\n\n"
                             + binascii.b2a_qp(body.encode("utf-8")).decode("ascii"))
                else:
                    plain = ("Content-Type: text/plain; charset=utf-8\n"
                             "Content-Transfer-Encoding: 8bit\n\n" + body)
                markup = "<html><body>\n" + "".join(
                    "<p>%s</p>\n" % html.escape(bl, quote=False).replace("\n", "<br>\n")
                    for bl in blocks) + "</body></html>\n"
                htmlpart = ("Content-Type: text/html; charset=utf-8\n"
                            "Content-Transfer-Encoding: quoted-printable\n\n"
                            + binascii.b2a_qp(markup.encode("utf-8")).decode("ascii"))
                payload = ("This is a multi-part message in MIME format.\n\n--%s\n%s\n--%s\n%s\n--%s--\n"
                           % (boundary, plain.rstrip("\n") + "\n", boundary,
                              htmlpart.rstrip("\n") + "\n", boundary))
            else:
                h.append('Content-Type: multipart/mixed; boundary="%s"' % boundary)
                size = randrange(1024, 20 * 1024 + 1)
                if rnd() < 0.6:
                    ctype, ext, magic = "application/pdf", "pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
                else:
                    ctype, ext, magic = "image/png", "png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
                blob = magic + rng.randbytes(size - len(magic))
                stem = "-".join(choices(code_words, k=randrange(1, 3)))
                if rnd() < 0.3:
                    aw = code_words[randrange(len(code_words))]
                    accented_words = [w for w in words[:200] if not w.isascii()]
                    if accented_words:
                        aw = accented_words[randrange(len(accented_words))]
                    stem = aw + "-" + stem
                fname = "%s.%s" % (stem, ext)
                if fname.isascii():
                    disp = 'attachment; filename="%s"' % fname
                    ctparams = '; name="%s"' % fname
                else:
                    quoted = urllib.parse.quote(fname, safe="!#$&+-.^_`|~")
                    disp = "attachment;\n filename*=utf-8''%s" % quoted
                    ctparams = ";\n name=\"%s\"" % encoded_words(fname, "utf-8", "q")
                b64 = base64.encodebytes(blob).decode("ascii")
                if bad_kind == "unterminated_multipart":
                    b64 = b64[:len(b64) // 2].rstrip("\n") + "\n"
                payload = ("This is a multi-part message in MIME format.\n\n--%s\n"
                           "Content-Type: text/plain; charset=utf-8\n"
                           "Content-Transfer-Encoding: 8bit\n\n%s\n--%s\n"
                           "Content-Type: %s%s\nContent-Transfer-Encoding: base64\n"
                           "Content-Disposition: %s\n\n%s"
                           % (boundary, body, boundary, ctype, ctparams, disp, b64))
                if bad_kind != "unterminated_multipart":
                    payload += "\n--%s--\n" % boundary

        if bad:
            malformed.append({"list": name, "message_id": msgid, "kind": bad_kind})
        mime[kind] += 1

        headers = "\n".join(h) + "\n\n"
        if "\nFrom " in payload or payload.startswith("From "):
            escaped_from += payload.count("\nFrom ") + payload.startswith("From ")
            payload = payload.replace("\nFrom ", "\n>From ")
            if payload.startswith("From "):
                payload = ">" + payload
        envelope = "From %s %s\n" % (person["email"], time.asctime(tm))
        pb = payload.encode("utf-8", "surrogateescape")
        data = (envelope + headers).encode("utf-8") + pb + b"\n"
        write(data)
        body_bytes += len(pb)
        mbox_bytes += len(data)

        window.append((msgid, base_subject, refs, person["name"], person["email"], date,
                       own_quotable, person["header"]))
        if len(window) > 400:
            del window[:200]
        pending += 1
        if pending == 1000:
            report_progress(pending)
            pending = 0
    f.close()
    if pending:
        report_progress(pending)
    topic_counts = {w: counter[w] for w in topic if counter[w]}
    return {
        "index": li, "messages": count, "counts": list(map(counter.get, G.vocab, itertools.repeat(0))), "topic_counts": topic_counts,
        "list_words": list_words,
        "phrases": phrases, "mime": mime, "malformed": malformed, "body_bytes": body_bytes,
        "text_bytes": text_bytes, "mbox_bytes": mbox_bytes, "threads": threads,
        "sloppy_dates": sloppy_dates, "escaped_from": escaped_from,
        "latin1_fallback": latin1_fallback,
    }


def weighted_distinct(rng, population, weights, k, key=lambda x: x):
    """k distinct items drawn with probability proportional to weight."""
    cum = list(itertools.accumulate(weights))
    out, seen = [], set()
    tries = 0
    while len(out) < k and cum and tries < k * 1000:
        tries += 1
        item = population[bisect.bisect(cum, rng.random() * cum[-1])]
        if key(item) in seen:
            continue
        seen.add(key(item))
        out.append(item)
    return out


def build_queries(rng, results, lists, counter):
    ranked = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    top100 = {w for w, _ in ranked[:100]}
    pool = [(w, c) for w, c in ranked[100:] if "'" not in w and w.lower() == w]
    pw = [w for w, _ in pool]
    pc = [c for _, c in pool]
    one_word = weighted_distinct(rng, pw, pc, 200)
    pairs = []
    seen = set()
    cum = list(itertools.accumulate(pc)) or [0]
    tries = 0
    while len(pairs) < 200 and pw and tries < 100000:
        tries += 1
        a = pw[bisect.bisect(cum, rng.random() * cum[-1])]
        b = pw[bisect.bisect(cum, rng.random() * cum[-1])]
        if a == b or (a, b) in seen:
            continue
        seen.add((a, b))
        pairs.append(a + " " + b)

    # phrases: a list chosen by size, then an unused candidate from its reservoir
    cands = [r["phrases"] for r in results]
    sizes = [len(c) and r["messages"] for r, c in zip(results, cands)]
    phrase, phrase_src, used = [], [], set()
    tries = 0
    while len(phrase) < 200 and tries < 100000 and any(sizes):
        tries += 1
        i = rng.choices(range(len(results)), weights=sizes)[0]
        text, mid = cands[i][rng.randrange(len(cands[i]))]
        if text in used:
            continue
        used.add(text)
        phrase.append('"%s"' % text)
        phrase_src.append({"list": lists[i]["name"], "message_id": mid})

    # filtered: a list (weighted by sqrt of its size), then a word of its topic (weighted by
    # its count in that list) or a word from the general pool
    lw = [math.sqrt(r["messages"]) for r in results]
    filtered, fseen = [], set()
    tries = 0
    while len(filtered) < 200 and any(lw) and tries < 100000:
        tries += 1
        i = rng.choices(range(len(results)), weights=lw)[0]
        tc = [(w, c) for w, c in sorted(results[i]["topic_counts"].items())
              if w not in top100 and "'" not in w]
        lwords = [w for w in results[i]["list_words"] if w not in top100]
        if tc and (rng.random() < 0.5 or not lwords):
            w = rng.choices([w for w, _ in tc], weights=[c for _, c in tc])[0]
        elif lwords:
            w = lwords[rng.randrange(len(lwords))]
        else:
            continue
        if (w, i) in fseen:
            continue
        fseen.add((w, i))
        filtered.append({"q": w, "list": lists[i]["name"]})

    # prefixes of mid-frequency words (corpus ranks 1,000..10,000)
    mid = [w for w, _ in ranked[1000:10000] if w.isalpha() and w.lower() == w and len(w) >= 6]
    prefix, pseen = [], set()
    tries = 0
    while len(prefix) < 50 and mid and tries < 100000:
        tries += 1
        w = mid[rng.randrange(len(mid))]
        n = rng.randint(4, min(6, len(w) - 2))
        p = w[:n]
        if p in pseen:
            continue
        pseen.add(p)
        prefix.append(p + "*")

    acc = [(w, c) for w, c in ranked[100:] if not w.isascii()]
    accented = [{"word": w, "folded": fold(w)}
                for w in weighted_distinct(rng, [w for w, _ in acc], [c for _, c in acc], 50)]
    return {
        "one_word": one_word, "two_words": pairs, "phrase": phrase, "filtered": filtered,
        "most_frequent_word": ranked[0][0] if ranked else None, "prefix": prefix, "accented": accented,
    }, ranked, phrase_src


def main():
    ap = argparse.ArgumentParser(description="Deterministic mbox corpus for the search benchmark.")
    ap.add_argument("--messages", type=int, default=1000000)
    ap.add_argument("--lists", type=int, default=142)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                    help="worker processes (default: 2 or the number of cores if fewer); "
                         "the output does not depend on it")
    args = ap.parse_args()
    if args.messages < 0 or args.lists < 1:
        ap.error("--messages must be >= 0 and --lists >= 1")

    started = time.time()
    rng = random.Random(args.seed)
    vocab, nfunc = build_vocabulary(rng)
    weights = [1.0 / (r + 1) ** ZIPF_S for r in range(len(vocab))]
    total_w = math.fsum(weights)
    G.vocab = vocab
    G.rank = {w: i for i, w in enumerate(vocab)}
    G.sampler = SlotTable(vocab, weights)
    G.capitals = {w: w[0].upper() + w[1:] for w in vocab}
    G.bytes_per_word = math.fsum(w * (len(v.encode("utf-8")) + 1) for w, v in zip(weights, vocab)) / total_w + 0.12
    # Latin-1 bodies replace words outside Latin-1 by the next Latin-1 word in rank order
    l1map = {}
    for i, w in enumerate(vocab):
        if not is_latin1(w):
            j = i + 1
            while not is_latin1(vocab[j % len(vocab)]):
                j += 1
            l1map[w] = vocab[j % len(vocab)]
    G.l1map = l1map
    G.code_words = [w for w in vocab[nfunc:nfunc + 3000] if w.isascii()]
    G.people = make_people(rng, 30000)
    G.lists = make_lists(rng, args.lists, vocab, nfunc)
    G.counts = allocate(G.lists, args.messages)
    G.seed = args.seed
    G.out = args.out
    G.started = started
    os.makedirs(os.path.join(args.out, "mbox"), exist_ok=True)
    for old in os.listdir(os.path.join(args.out, "mbox")):     # a previous run's lists
        if old.endswith(".mbox"):
            os.remove(os.path.join(args.out, "mbox", old))
    print("mail-corpus: %d messages, %d lists, seed %d -> %s (setup %.1fs)"
          % (args.messages, args.lists, args.seed, args.out, time.time() - started), file=sys.stderr)

    order = sorted(range(len(G.lists)), key=lambda i: -G.counts[i])
    results = [None] * len(G.lists)
    totals = [0] * len(vocab)
    if args.jobs > 1:
        ctx = multiprocessing.get_context("fork")
        G.progress = ctx.Value("q", 0)
        with ctx.Pool(args.jobs) as pool:
            for res in pool.imap_unordered(generate_list, order):
                results[res["index"]] = res
                totals = list(map(operator.add, totals, res.pop("counts")))
    else:
        G.progress = multiprocessing.Value("q", 0, lock=True)
        for i in order:
            results[i] = res = generate_list(i)
            totals = list(map(operator.add, totals, res.pop("counts")))
    gen_time = time.time() - started
    counter = Counter({w: c for w, c in zip(vocab, totals) if c})
    qrng = random.Random(args.seed * 7919 + 1)
    queries, ranked, phrase_src = build_queries(qrng, results, G.lists, counter)
    mime = Counter()
    for res in results:
        mime.update(res["mime"])
    malformed = [m for res in results for m in res["malformed"]]
    stats = {
        "messages": args.messages,
        "lists": len(G.lists),
        "seed": args.seed,
        "body_bytes": sum(r["body_bytes"] for r in results),
        "text_bytes": sum(r["text_bytes"] for r in results),
        "mbox_bytes": sum(r["mbox_bytes"] for r in results),
        "words": sum(counter.values()),
        "vocabulary_size": len(counter),
        "top10": [[w, c] for w, c in ranked[:10]],
        "threads": sum(r["threads"] for r in results),
        "mime": dict(sorted(mime.items())),
        "sloppy_dates": sum(r["sloppy_dates"] for r in results),
        "escaped_from_lines": sum(r["escaped_from"] for r in results),
        "latin1_fallback_to_utf8": sum(r["latin1_fallback"] for r in results),
        "malformed_expected": len(malformed),
        "malformed_kinds": dict(sorted(Counter(m["kind"] for m in malformed).items())),
        "malformed": malformed,
        "phrase_sources": phrase_src,
        "per_list": {G.lists[i]["name"]: results[i]["messages"] for i in range(len(G.lists))},
    }
    queries["stats"] = stats
    with open(os.path.join(args.out, "queries.json"), "w", encoding="utf-8") as fh:
        json.dump(queries, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    elapsed = time.time() - started
    print("done: %d messages in %.1fs (%.0f msg/s; generation %.1fs); mbox %.1f MB, bodies %.1f MB, "
          "vocabulary %d, malformed %d, top word %r"
          % (args.messages, elapsed, args.messages / max(elapsed, 1e-9), gen_time,
             stats["mbox_bytes"] / 1e6, stats["body_bytes"] / 1e6, stats["vocabulary_size"],
             len(malformed), ranked[0][0] if ranked else None), file=sys.stderr)


if __name__ == "__main__":
    main()
