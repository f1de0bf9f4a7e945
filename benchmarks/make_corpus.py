"""Generate a large, realistic, deterministic news corpus for the benchmark (offline).

Usage::

    .venv/bin/python benchmarks/make_corpus.py N OUT.jsonl [--events K] [--outlets M] [--seed S]

Writes ``OUT.jsonl`` (one article per line: ``doc_id, outlet, event, title, published, text``)
and ``OUT.stats.json`` (articles, words, sentences, share of unique sentences, ...).

The articles look like English wire copy on the 2014 Ukraine crisis: 400-1,200 words in
paragraphs of one to three sentences, datelines, titles and ranks (``Gen.``, ``Lt. Col.``,
``Rear Adm.``), abbreviations (``U.S.``, ``U.N.``, ``a.m.``), numbers and dates, reporting
verbs, hedges and boosters, the contested terms the kit counts (Kiev/Kyiv,
separatists/rebels/terrorists/militants, anti-terrorism operation/punitive operation,
annexation/reunification, ...), quotations in straight and curly marks, scare quotes and
multi-paragraph quotations (the opening mark repeated at each paragraph, the closing mark only
at the end).

Sentences are drawn from templates whose slots are filled from vocabularies (people, offices,
places, numbers, dates, times, verbs, hedges, terms) and then varied word by word (synonyms,
optional modifiers, trailing attributions), so nearly every sentence is unique: the share of
unique sentences is printed and stored in the stats file. A cache keyed on sentences, or a
corpus of a few repeated sentences, would otherwise flatter the figures.

Articles are spread over ``K`` events (default ``N // 40``) and ``M`` outlets (default 8); each
outlet has its own preferences among the contested variants (so keyness and term shares have
something to find) and each event its own place, date and protagonists. Each article is
generated from its own ``random.Random(f"{seed}:{i}")`` (string seeds hash the same on every
platform), so the output is identical for a given ``N, K, M, seed`` on any machine.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

# --------------------------------------------------------------------------------------------
# vocabularies

FIRST = """Anders Vladimir Sergei Petro Arseniy Oleksandr Valentyn John Victoria Jen Denis Vitali
Yulia Dmitry Maria Andriy Mikhail Olga Natalia Ivan Pavel Igor Viktor Angela Frank-Walter Laurent
Catherine William Samantha Ban Didier Lamberto Thomas Evelyn Martin Helen Ruslan Svetlana Yevhen
Oksana Roman Boris Alexei Anatoly Stepan Taras Hanna Irina Nikolai Kurt Linas Radoslaw Carl Jan
Elena Sofia Marek Tomas Daniel Rebecca Michael Sarah David Laura Peter Andrew Philip Karen""".split()
LAST = """Rasmussen Putin Lavrov Poroshenko Yatsenyuk Turchynov Nalyvaichenko Kerry Nuland Psaki
Pushilin Klitschko Tymoshenko Peskov Zakharova Parubiy Avakov Shoigu Gerasimov Merkel Steinmeier
Fabius Ashton Hague Power Burkhalter Zannier Breedlove Kirby Hale Kovalenko Shevchenko Bondarenko
Melnyk Tkachenko Kravchenko Oliynyk Lysenko Boyko Marchenko Petrenko Volkov Sokolov Morozov Popov
Lebedev Kozlov Novak Dvorak Sikorski Bildt Linkevicius Muller Schneider Fischer Weber Dubois
Moreau Laurent Martin Rossi Bianchi Garcia Lopez Jensen Nielsen Larsen Walker Harris Clarke Wright
Turner Hughes Baker Collins Morgan Reed Cooper Evans""".split()
TITLES = ["Gen.", "Lt. Gen.", "Maj. Gen.", "Col.", "Lt. Col.", "Capt.", "Rear Adm.", "Adm.",
          "Sen.", "Rep.", "Gov.", "Dr.", "Prof.", "Mr.", "Mrs.", "Ms.", "Amb."]
OFFICES = [
    ("NATO Secretary-General", "western_official"), ("U.S. Secretary of State", "western_official"),
    ("Pentagon spokesman", "western_official"), ("State Department spokeswoman", "western_official"),
    ("White House spokesman", "western_official"), ("EU foreign policy chief", "western_official"),
    ("German Chancellor", "western_official"), ("British Foreign Secretary", "western_official"),
    ("U.S. Ambassador to the U.N.", "western_official"), ("NATO's top military commander", "western_official"),
    ("Kremlin spokesman", "russian_official"), ("Russian Foreign Minister", "russian_official"),
    ("Russian Defence Minister", "russian_official"), ("Foreign Ministry spokeswoman", "russian_official"),
    ("Russia's envoy to the OSCE", "russian_official"),
    ("Ukraine's acting President", "ukrainian_official"), ("Prime Minister", "ukrainian_official"),
    ("Interior Minister", "ukrainian_official"), ("SBU chief", "ukrainian_official"),
    ("border guard spokesman", "ukrainian_official"), ("Defence Ministry spokesman", "ukrainian_official"),
    ("self-proclaimed leader", "separatist"), ("separatist commander", "separatist"),
    ("rebel spokesman", "separatist"), ("analyst at the Carnegie Moscow Center", "analyst_expert"),
    ("senior fellow at Chatham House", "analyst_expert"), ("political scientist", "analyst_expert"),
    ("military analyst", "analyst_expert"), ("OSCE monitor", "other"), ("local resident", "other"),
]
INSTITUTIONS = ["NATO", "the Kremlin", "the Pentagon", "the White House", "the U.S. State Department",
                "the European Union", "the U.N. Security Council", "the OSCE", "Ukraine's Foreign Ministry",
                "Russia's Foreign Ministry", "the Russian Defence Ministry", "the SBU security service",
                "Ukraine's border guard service", "the International Monetary Fund", "Gazprom",
                "Naftogaz", "the European Commission", "the G7", "the U.N. human rights office",
                "the Red Cross", "Amnesty International", "Human Rights Watch"]
CITIES = """Donetsk Luhansk Slovyansk Kramatorsk Mariupol Odessa Kharkiv Horlivka Artemivsk
Krasnyi_Lyman Debaltseve Yenakiieve Druzhkivka Kostiantynivka Simferopol Sevastopol Dnipropetrovsk
Zaporizhzhia Lviv Chernihiv Sumy Poltava Mykolaiv Kherson Rostov-on-Don Belgorod Kursk Bryansk
Voronezh Moscow Brussels Geneva Washington Berlin Paris London Vienna Warsaw Vilnius Riga Tallinn
Minsk Sochi Novoazovsk Shchastya Stanytsia_Luhanska Izyum Krasnoarmiisk Amvrosiivka""".replace("_", " ").split()
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTH_ABBR = ["Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.",
              "Nov.", "Dec."]
UNITS = ["troops", "soldiers", "servicemen", "armoured vehicles", "tanks", "border guards",
         "police officers", "monitors", "refugees", "civilians", "residents", "volunteers",
         "paratroopers", "artillery pieces", "military trucks", "helicopters"]
REPORTING = ["said", "told reporters", "told Reuters", "told a news conference", "said in a statement",
             "wrote on Twitter", "said on state television", "told the BBC", "said in an interview",
             "added", "insisted", "claimed", "warned", "stressed", "acknowledged", "conceded",
             "alleged", "noted", "argued", "suggested", "maintained", "announced"]
HEDGES = ["reportedly", "allegedly", "apparently", "possibly", "probably", "seemingly",
          "it appears", "it is unclear whether", "it was not immediately clear whether",
          "according to some accounts", "sources suggest", "it is believed", "likely",
          "perhaps", "presumably", "arguably", "roughly", "about", "around", "some"]
BOOSTERS = ["clearly", "certainly", "undoubtedly", "in fact", "of course", "indeed",
            "without doubt", "obviously", "definitely"]
MODALS = ["may", "might", "could", "would", "is likely to", "appears to", "seems to", "is expected to"]

# Contested variants; each outlet has preferences (index into these lists).
CAPITAL = ["Kiev", "Kyiv"]
ARMED = ["separatists", "rebels", "pro-Russian separatists", "pro-Russian militants", "terrorists",
         "insurgents", "gunmen", "self-defence forces", "militiamen", "pro-Russia activists",
         "Russia-backed rebels", "armed men", "federalists"]
ARMED_SG = ["separatist", "rebel", "militant", "insurgent", "gunman", "militiaman", "activist"]
OPERATION = ["anti-terrorism operation", "anti-terrorist operation", "punitive operation",
             "military operation", "security operation", "offensive", "crackdown", "ATO",
             "punitive action", "special operation"]
CRIMEA = ["annexation of Crimea", "illegal annexation of Crimea", "reunification with Crimea",
          "Crimea's accession", "seizure of Crimea", "occupation of Crimea", "takeover of Crimea",
          "return of Crimea to Russia"]
GOVT = ["the interim government", "the government in {cap}", "the acting government",
        "the {cap} authorities", "the junta in {cap}", "the self-appointed authorities in {cap}",
        "the new authorities", "the transitional government"]
OUSTER = ["the ouster of Viktor Yanukovych", "the overthrow of Viktor Yanukovich",
          "the coup in {cap}", "the toppling of Viktor Yanukovych", "the February coup",
          "Yanukovych's removal from power", "the putsch in {cap}", "the impeachment of Yanukovych"]
REFERENDUM = ["referendum", "so-called referendum", "illegal referendum", "independence vote",
              "sham referendum", "plebiscite", "self-rule referendum"]
ENTITY = ["the self-proclaimed Donetsk People's Republic", "the so-called Luhansk People's Republic",
          "the Donetsk People's Republic", "the breakaway region", "the self-declared republic",
          "Novorossiya", "the rebel-held east"]
BUILDUP = ["troop build-up", "military build-up", "massing of troops", "troop concentration",
           "military exercises", "drills near the border", "deployment"]
SCARE = ["farce", "provocation", "fascists", "junta", "peacekeepers", "humanitarian convoy",
         "little green men", "polite people", "referendum", "genocide", "self-defence",
         "anti-terrorist", "de-escalation", "volunteers", "humanitarian aid", "neutral"]

ADJ = ["heavy", "fierce", "sporadic", "renewed", "intense", "brief", "unconfirmed", "fresh",
       "further", "significant", "limited", "growing", "widespread", "sudden", "prolonged",
       "isolated", "overnight", "deadly", "minor", "serious"]
NOUN_EVENTS = ["clashes", "fighting", "shelling", "gunfire", "explosions", "skirmishes",
               "exchanges of fire", "attacks", "protests", "talks", "negotiations", "sanctions",
               "checkpoint seizures", "arrests", "evacuations", "air strikes", "ambushes"]
VERB_ACT = ["seized", "stormed", "occupied", "blockaded", "captured", "surrounded", "shelled",
            "abandoned", "retook", "fortified", "evacuated", "inspected", "patrolled", "raided"]
BUILDINGS = ["the regional administration building", "the police headquarters", "a checkpoint",
             "the airport", "the railway station", "the television tower", "the city hall",
             "an SBU office", "a military base", "an arms depot", "the prosecutor's office",
             "a border crossing", "a bridge", "the central square", "a hospital", "a school"]
TOPICS = ["gas prices", "the presidential election", "the constitutional reform", "decentralisation",
          "the ceasefire", "the release of hostages", "the OSCE monitors", "the border", "sanctions",
          "the IMF loan", "the Geneva agreement", "the roadmap", "the humanitarian situation",
          "the prisoner exchange", "the disarmament of illegal groups", "the language law"]
CONNECTORS = ["Meanwhile,", "However,", "Separately,", "Earlier,", "Later,", "At the same time,",
              "In a separate development,", "Elsewhere,", "On the ground,", "Still,", "But",
              "In Washington,", "In Moscow,", "In Brussels,", "Overnight,"]
SYN = {
    "said": ["said", "stated", "added"], "troops": ["troops", "forces", "soldiers"],
    "building": ["building", "compound", "premises"], "officials": ["officials", "authorities",
    "diplomats"], "killed": ["killed", "dead", "slain"], "wounded": ["wounded", "injured", "hurt"],
    "near": ["near", "close to", "outside", "around"], "town": ["town", "city", "settlement"],
    "demanded": ["demanded", "called for", "urged"], "began": ["began", "started", "launched"],
    "border": ["border", "frontier"], "warned": ["warned", "cautioned"],
    "increase": ["increase", "rise", "jump"], "several": ["several", "a number of", "dozens of"],
    "large": ["large", "major", "considerable"], "new": ["new", "fresh", "renewed"],
}

OUTLETS = [
    # name, capital pref, armed prefs, operation prefs, crimea prefs, govt prefs, ouster prefs, style
    ("Reuters", [0.8, 0.2], [0, 1, 2, 6], [0, 3, 4], [0, 1], [0, 1, 2], [0, 3], "wire"),
    ("Associated Press", [0.7, 0.3], [1, 0, 2, 11], [0, 3, 5], [0, 4], [0, 2], [0, 5], "wire"),
    ("RT", [0.95, 0.05], [8, 7, 12, 9], [2, 8, 5], [2, 3, 7], [4, 5, 1], [2, 4, 6], "state"),
    ("TASS", [1.0, 0.0], [8, 12, 7, 0], [2, 8, 9], [2, 3, 7], [5, 4], [2, 6], "state"),
    ("Kyiv Post", [0.05, 0.95], [4, 10, 5, 3], [0, 1, 7], [1, 5, 4], [2, 0], [3, 0, 7], "local"),
    ("Ukrinform", [0.0, 1.0], [4, 5, 3, 10], [7, 1, 0], [1, 5], [0, 2, 7], [0, 7], "local"),
    ("The Guardian", [0.7, 0.3], [2, 1, 0, 10], [3, 4, 0], [0, 1], [1, 0, 6], [0, 2], "paper"),
    ("CNN", [0.9, 0.1], [2, 1, 3, 6], [0, 3, 6], [0, 1, 4], [0, 1], [0, 3], "broadcast"),
    ("Deutsche Welle", [0.6, 0.4], [0, 2, 1, 3], [3, 0, 5], [0, 1], [0, 6], [0, 5], "broadcast"),
    ("Al Jazeera", [0.5, 0.5], [1, 0, 2, 9], [3, 4, 2], [0, 4], [0, 1], [0, 3, 2], "broadcast"),
    ("Common Dreams", [0.9, 0.1], [1, 0, 9, 11], [2, 3, 5], [0, 6], [1, 4], [2, 1], "indie"),
    ("Castanet", [0.3, 0.7], [0, 2, 1, 6], [0, 3], [0, 1], [0, 2], [0, 3], "paper"),
]

EVENT_THEMES = [
    ("troop-withdrawal", "ordered troops back from the border", "troop withdrawal"),
    ("ceasefire-talks", "agreed to a ceasefire", "ceasefire talks"),
    ("checkpoint-attack", "said a checkpoint had been attacked", "checkpoint attack"),
    ("gas-dispute", "raised the price of gas", "gas dispute"),
    ("election", "held a presidential election", "presidential election"),
    ("sanctions", "announced new sanctions", "sanctions"),
    ("airport-battle", "fought for control of the airport", "airport battle"),
    ("referendum", "held a referendum on self-rule", "self-rule referendum"),
    ("monitors-detained", "detained a team of OSCE monitors", "monitors detained"),
    ("aid-convoy", "sent a convoy of trucks across the border", "aid convoy"),
    ("building-seized", "seized a government building", "building seizure"),
    ("geneva-deal", "signed an agreement in Geneva", "Geneva agreement"),
]


# --------------------------------------------------------------------------------------------
# generation

class Article:
    """Generates one article with its own random generator, event and outlet preferences."""

    def __init__(self, rng: random.Random, event: dict, outlet: tuple, doc_id: str):
        self.r = rng
        self.ev = event
        self.outlet = outlet
        self.doc_id = doc_id
        self.curly = rng.random() < (0.8 if outlet[7] in ("paper", "indie", "local") else 0.35)
        self.people = [self.person() for _ in range(rng.randint(4, 8))] + event["people"]

    # -- slots -----------------------------------------------------------------------------
    def pick(self, seq):
        return seq[self.r.randrange(len(seq))]

    def pref(self, seq, prefs):
        """An outlet-preferred variant most of the time, any variant sometimes."""
        if self.r.random() < 0.75:
            return seq[self.pick(prefs)]
        return self.pick(seq)

    def cap(self):
        return CAPITAL[0] if self.r.random() < self.outlet[1][0] else CAPITAL[1]

    def armed(self):
        return self.pref(ARMED, self.outlet[2])

    def op(self):
        return self.pref(OPERATION, self.outlet[3])

    def crimea(self):
        return self.pref(CRIMEA, self.outlet[4])

    def govt(self):
        return self.pref(GOVT, self.outlet[5]).format(cap=self.cap())

    def ouster(self):
        return self.pref(OUSTER, self.outlet[6]).format(cap=self.cap())

    def person(self):
        r = self.r
        office, group = self.pick(OFFICES)
        name = f"{self.pick(FIRST)} {self.pick(LAST)}"
        if r.random() < 0.25:
            name = f"{self.pick(TITLES)} {name}"
        if r.random() < 0.1:
            name = f"{name[0]}. {name.split()[-1]}" if not name[0].islower() else name
        return {"name": name, "office": office, "last": name.split()[-1], "group": group}

    def speaker(self):
        r = self.r
        p = self.pick(self.people)
        x = r.random()
        if x < 0.3:
            return f"{p['office']} {p['name']}", p
        if x < 0.5:
            return f"{p['name']}, {self.pick(['the', 'a'])} {p['office']},", p
        if x < 0.8:
            return p["last"] if r.random() < 0.5 else p["name"], p
        return self.pick(INSTITUTIONS), None

    def num(self):
        r = self.r
        x = r.random()
        if x < 0.3:
            return str(r.randint(2, 99))
        if x < 0.55:
            return f"{r.randint(1, 99)},{r.randint(0, 999):03d}"
        if x < 0.7:
            return f"{r.randint(1, 9)}.{r.randint(1, 9)} million"
        if x < 0.8:
            return f"more than {r.randint(2, 500)}"
        if x < 0.9:
            return f"about {r.randint(10, 900)}"
        return f"{self.pick(HEDGES[-3:])} {r.randint(20, 60) * 1000:,}"

    def when(self):
        r = self.r
        x = r.random()
        if x < 0.4:
            return f"on {self.pick(WEEKDAYS)}"
        if x < 0.6:
            d = self.ev["date"] - timedelta(days=r.randint(0, 20))
            return f"on {MONTH_ABBR[d.month - 1]} {d.day}"
        if x < 0.75:
            h = r.randint(1, 12)
            return f"at {h}{':' + str(r.randint(10, 59)) if r.random() < 0.5 else ''} {self.pick(['a.m.', 'p.m.'])}"
        if x < 0.85:
            return f"{r.randint(2, 14)} days ago"
        return self.pick(["late on Sunday", "early on Tuesday", "overnight", "last week",
                          "earlier this month", "in March", "since April", "this weekend"])

    def place(self):
        return self.pick(self.ev["places"]) if self.r.random() < 0.6 else self.pick(CITIES)

    @staticmethod
    def art(phrase: str) -> str:
        return ("an " if phrase[0].lower() in "aeiou" or phrase.startswith("ATO") else "a ") + phrase

    def hedge(self):
        return self.pick(HEDGES[:12])

    def q(self, inner: str) -> str:
        return f"\u201c{inner}\u201d" if self.curly else f'"{inner}"'

    def sq(self, inner: str) -> str:
        return f"\u2018{inner}\u2019" if self.curly else f"'{inner}'"

    # -- sentences -------------------------------------------------------------------------
    def clause(self) -> str:
        """An independent clause, capitalised, without final punctuation."""
        r = self.r
        t = r.randrange(24)
        who, _ = self.speaker()
        pl, wh = self.place(), self.when()
        if t == 0:
            s = f"{self.armed()} {self.pick(VERB_ACT)} {self.pick(BUILDINGS)} in {pl} {wh}"
        elif t == 1:
            s = f"{self.num()} {self.pick(UNITS)} were {self.pick(['deployed', 'seen', 'stationed', 'reported'])} near the {self.pick(['Russian', 'Ukrainian'])} border {wh}"
        elif t == 2:
            s = f"{self.pick(ADJ)} {self.pick(NOUN_EVENTS)} were reported in {pl} {wh}, where {self.govt()} is waging what it calls {self.art(self.op())}"
        elif t == 3:
            s = f"{who} {self.pick(['accused', 'blamed', 'criticised', 'praised'])} {self.govt()} over the {self.op()} in the east"
        elif t == 4:
            s = f"{self.cap()} {self.pick(['says', 'has said', 'insists', 'has long said'])} the {self.armed()} in {pl} are {self.pick(['armed', 'funded', 'directed', 'supplied', 'backed', 'led'])} by {self.pick(['Moscow', 'Russian intelligence', 'Russian officers', 'the Kremlin'])}, which {self.pick(['denies', 'rejects', 'dismisses'])} the {self.pick(['charge', 'claim', 'accusation'])}"
        elif t == 5:
            s = f"{self.pick(['Moscow', 'the Kremlin', 'Russia', 'Lavrov', 'Peskov', 'Russian state media'])} {self.pick(['describes', 'calls', 'has called', 'branded'])} the {self.pick(['campaign', 'offensive in ' + pl, 'fighting in ' + pl, 'push'])} {self.art(self.op())} against {self.pick(['its own people', 'civilians', 'Russian speakers', 'the east'])} {wh}"
        elif t == 6:
            s = f"the {self.crimea()} in March {self.pick(['triggered', 'led to', 'prompted', 'followed', 'deepened'])} the {self.pick(['worst', 'deepest', 'sharpest', 'most serious', 'gravest'])} {self.pick(['crisis', 'rift', 'standoff', 'confrontation'])} {self.pick(['in East-West relations', 'between Russia and the West', 'in Europe', 'between Moscow and ' + self.cap()])} since {self.pick(['the Cold War', 'the collapse of the Soviet Union', '1991', 'the 2008 war in Georgia'])}, {self.pick(['said', 'wrote', 'argued'])} {self.speaker()[0].rstrip(',')}"
        elif t == 7:
            s = f"{self.num()} people have been killed in the {self.pick(NOUN_EVENTS)} since {self.ouster()}"
        elif t == 8:
            s = f"the {self.pick(['U.S.', 'EU', 'U.N.', 'OSCE', 'G7'])} {self.pick(['will', 'may', 'could'])} {self.pick(['impose', 'consider', 'discuss', 'prepare'])} {self.pick(ADJ)} sanctions if Russia {self.pick(['interferes in', 'disrupts', 'undermines'])} {self.pick(TOPICS)}"
        elif t == 9:
            s = f"{self.hedge().capitalize() if r.random() < 0.5 else 'Officials said'} {self.pick(['a', 'the'])} {self.pick(UNITS[:3])} {self.pick(MODALS)} {self.pick(['withdraw', 'return to their bases', 'cross the border', 'take part in exercises', 'pull back'])} {wh}"
        elif t == 10:
            s = f"the {self.pick(REFERENDUM)} in {pl} {wh} was {self.pick(['condemned', 'dismissed', 'rejected', 'welcomed', 'ignored'])} by {self.pick(INSTITUTIONS)}"
        elif t == 11:
            s = f"leaders of {self.pick(ENTITY)} {self.pick(['declared', 'announced', 'proclaimed'])} {self.pick(['independence', 'a state of emergency', 'martial law', 'a curfew', 'mobilisation'])} {wh}"
        elif t == 12:
            s = f"{self.pick(BOOSTERS).capitalize()}, the {self.pick(BUILDUP)} {self.pick(['has', 'had'])} {self.pick(['alarmed', 'worried', 'unsettled'])} {self.pick(['NATO', 'the West', 'Poland and the Baltic states', 'Western capitals', 'Kiev', 'Kyiv'])}"
        elif t == 13:
            s = f"{who} {self.pick(REPORTING[:12])} that {self.pick(['there was no evidence', 'there was no sign', 'it was not clear', 'it was too early to say'])} {self.pick(['of a pullback', 'whether the troops had moved', 'of any movement', 'that the forces had left'])}"
        elif t == 14:
            s = f"the talks in {self.pick(['Geneva', 'Vienna', 'Berlin', 'Minsk', 'Paris'])} {self.pick(['ended', 'stalled', 'resumed', 'collapsed'])} {wh} without agreement on {self.pick(TOPICS)}"
        elif t == 15:
            s = f"{self.pick(['A', 'Another'])} {self.pick(ADJ)} {self.pick(['blast', 'fire', 'raid', 'shelling attack'])} hit {self.pick(BUILDINGS)} in {pl}, {self.pick(['killing', 'wounding', 'injuring'])} {r.randint(2, 40)} people, {self.hedge()} {self.pick(['said', 'reported'])} {self.pick(['local media', 'witnesses', 'the health ministry', 'hospital staff'])}"
        elif t == 16:
            s = f"Gazprom {self.pick(['raised', 'doubled', 'increased', 'cut'])} the price of gas for Ukraine to ${r.randint(268, 499)}.{r.randint(10, 99)} per 1,000 cubic metres {wh}"
        elif t == 17:
            s = f"the IMF {self.pick(['approved', 'agreed', 'promised'])} a ${r.randint(2, 27)}.{r.randint(0, 9)} billion loan to {self.govt()}"
        elif t == 18:
            s = f"{self.pick(['An', 'One'])} {self.pick(ARMED_SG)} {self.pick(['commander', 'fighter', 'leader'])} in {pl}, who gave his name only as {self.pick(FIRST)}, said his men would {self.pick(['not lay down their arms', 'fight on', 'hold the town', 'not negotiate'])}"
        elif t == 19:
            s = f"{self.pick(CONNECTORS)} {self.pick(['police', 'residents', 'OSCE monitors', 'journalists', 'witnesses'])} in {pl} {self.pick(['reported', 'described', 'saw'])} {self.pick(ADJ)} {self.pick(NOUN_EVENTS)} {wh}"
        elif t == 20:
            s = f"the {self.pick(['Pentagon', 'Kremlin', 'White House', 'U.S. State Department', 'U.N.'])} said about {r.randint(10, 60)},000 troops remained {self.pick(['near', 'along', 'close to'])} the border as of {self.pick(MONTH_ABBR)} {r.randint(1, 28)}"
        elif t == 21:
            s = f"the {self.pick(['vote', 'election', 'poll'])} {self.pick(MODALS)} {self.pick(['go ahead', 'be disrupted', 'be postponed', 'take place'])} in {pl}, {self.pick(['which', 'where'])} {self.armed()} {self.pick(['control', 'hold', 'patrol'])} {self.pick(['the centre', 'most polling stations', 'the outskirts', 'key roads'])}"
        elif t == 22:
            s = f"{who} {self.pick(['met', 'spoke with', 'phoned', 'held talks with'])} {self.pick(self.people)['name']} {wh} to discuss {self.pick(TOPICS)}"
        else:
            s = f"the U.S. and EU {self.pick(['have accused', 'accuse'])} Russia of {self.pick(['orchestrating', 'fomenting', 'supporting', 'stoking'])} the {self.pick(['unrest', 'uprising', 'insurgency', 'rebellion'])} in {pl}, {self.pick(['a charge', 'an accusation', 'a claim'])} Moscow {self.pick(['denies', 'rejects', 'dismisses'])}"
        return s

    def vary(self, s: str) -> str:
        """Word-level substitutions and optional insertions, so recombined sentences differ."""
        r = self.r
        words = s.split(" ")
        out = []
        for w in words:
            key = w.rstrip(",")
            if key in SYN and r.random() < 0.5:
                w = self.pick(SYN[key]) + w[len(key):]
            out.append(w)
        s = " ".join(out)
        if r.random() < 0.3:
            s += f", {self.pick(['officials', 'witnesses', 'residents', 'diplomats', 'analysts', 'sources'])} {self.pick(['said', 'say', 'reported', 'told ' + self.outlet[0]])}"
        elif r.random() < 0.2:
            s += f", according to {self.pick(INSTITUTIONS)}"
        elif r.random() < 0.15:
            s += f" {self.when()}"
        return s

    @staticmethod
    def cap1(s: str) -> str:
        return s[0].upper() + s[1:] if s and s[0].islower() else s

    def plain(self) -> str:
        r = self.r
        s = self.vary(self.clause())
        if r.random() < 0.15:
            s = f"{self.pick(CONNECTORS)} {s[0].lower() + s[1:] if s[:2].istitle() and s.split()[0] in ('The', 'An', 'A', 'Officials', 'Another', 'One') else s}"
        if r.random() < 0.12:
            s += f" and {self.vary(self.clause())}"
        end = "." if r.random() < 0.96 else r.choice(["?", "!"])
        return self.cap1(s) + end

    def quoted_sentence(self) -> str:
        """Direct quotation with an attribution before or after it."""
        r = self.r
        who, _ = self.speaker()
        inner = self.cap1(self.vary(self.clause()))
        verb = self.pick(REPORTING[:9])
        if r.random() < 0.6:
            return f"{self.q(inner + ',')} {who} {verb}." if not self.curly else f"\u201c{inner},\u201d {who} {verb}."
        if r.random() < 0.5:
            return f"{who} {verb}: {self.q(inner + '.')}"
        second = self.cap1(self.vary(self.clause()))
        return f"{self.q(inner + ',')} {who} {verb}. {self.q(second + '.')}"

    def scare_sentence(self) -> str:
        who, _ = self.speaker()
        return self.cap1(f"{who} {self.pick(['called', 'described', 'dismissed'])} the {self.pick(['vote', 'operation', 'convoy', 'talks', 'government', 'statement'])} as a {self.q(self.pick(SCARE))} {self.when()}.")

    def multi_paragraph_quote(self) -> list[str]:
        who, _ = self.speaker()
        o, c = ("\u201c", "\u201d") if self.curly else ('"', '"')
        n = self.r.randint(2, 3)
        paras = []
        for k in range(n):
            body = " ".join(self.cap1(self.vary(self.clause())) + "." for _ in range(self.r.randint(1, 2)))
            if k == 0:
                paras.append(f"{who} {self.pick(['said', 'told reporters', 'said in a statement'])}: {o}{body}")
            elif k == n - 1:
                paras.append(f"{o}{body}{c}")
            else:
                paras.append(f"{o}{body}")
        return paras

    def title(self) -> str:
        ev = self.ev
        return self.cap1(self.vary(f"{self.pick(['Putin', 'Kiev', 'Kyiv', 'NATO', 'Ukraine', 'Russia', 'Rebels', 'Separatists', 'U.S.'])} {self.pick(['says', 'denies', 'warns', 'confirms'])} {ev['headline']} in {ev['places'][0]}"))

    def generate(self, target_words: int) -> tuple[str, list[str]]:
        """Paragraphs joined by blank lines; also returns the generated sentences."""
        r = self.r
        paras: list[str] = []
        sents: list[str] = []
        n = 0
        place0 = self.ev["places"][0].upper()
        c = self.clause()
        lead = self.cap1(self.vary(f"{self.ev['lead']} {self.when()}, and {c[0].lower() + c[1:]}")) + "."
        if r.random() < 0.5:
            lead = f"{place0}, {self.pick(['Ukraine', 'Russia'])} ({self.outlet[0]}) - {lead}" if r.random() < 0.5 else f"{place0} \u2014 {lead}"
        paras.append(lead)
        sents.append(lead)
        n += len(lead.split())
        while n < target_words:
            x = r.random()
            if x < 0.06 and n < target_words - 120:
                block = self.multi_paragraph_quote()
                paras.extend(block)
                n += sum(len(b.split()) for b in block)
                sents.extend(block)
                continue
            k = r.choice([1, 1, 2, 2, 2, 3])
            para = []
            for _ in range(k):
                y = r.random()
                if y < 0.22:
                    s = self.quoted_sentence()
                elif y < 0.28:
                    s = self.scare_sentence()
                else:
                    s = self.plain()
                para.append(s)
                sents.append(s)
            text = " ".join(para)
            paras.append(text)
            n += len(text.split())
        return "\n\n".join(paras), sents


def make_events(k: int, seed: int) -> list[dict]:
    rng = random.Random(f"{seed}:events")
    events = []
    start = date(2014, 3, 1)
    for j in range(k):
        theme = EVENT_THEMES[j % len(EVENT_THEMES)]
        d = start + timedelta(days=rng.randint(0, 300))
        places = rng.sample(CITIES[:40], 3)
        people = []
        for _ in range(3):
            office, group = OFFICES[rng.randrange(len(OFFICES))]
            name = f"{FIRST[rng.randrange(len(FIRST))]} {LAST[rng.randrange(len(LAST))]}"
            people.append({"name": name, "office": office, "last": name.split()[-1], "group": group})
        actor = rng.choice(["Russia", "Ukraine", "The Kremlin", "Moscow", "The separatists",
                            "NATO", "The U.S.", "Kiev's government", "Ukrainian forces"])
        events.append({
            "event": f"e{j + 1:05d}-{theme[0]}-{d.isoformat()}",
            "date": d, "places": places, "people": people,
            "lead": f"{actor} {theme[1]}", "headline": theme[2],
        })
    return events


def build(n: int, out: Path, *, events: int | None = None, outlets: int = 8, seed: int = 0,
          quiet: bool = False) -> dict:
    """Write ``n`` articles to ``out`` (JSONL) and ``out.stats.json``; return the stats."""
    k = events or max(1, n // 40)
    outlets = max(1, min(outlets, len(OUTLETS)))
    evs = make_events(k, seed)
    outs = OUTLETS[:outlets]
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    seen: set[bytes] = set()
    n_sent = n_words = n_chars = 0
    t0 = time.perf_counter()
    with tmp.open("w", encoding="utf-8", newline="\n") as fh:
        for i in range(n):
            rng = random.Random(f"{seed}:{i}")
            ev = evs[i % k]
            outlet = outs[(i // k) % len(outs)] if rng.random() < 0.7 else outs[rng.randrange(len(outs))]
            doc_id = f"a{i + 1:07d}"
            art = Article(rng, ev, outlet, doc_id)
            target = int(rng.triangular(400, 1200, 650))
            text, sents = art.generate(target)
            for s in sents:
                seen.add(hashlib.blake2b(s.encode("utf-8"), digest_size=12).digest())
            n_sent += len(sents)
            n_words += len(text.split())
            n_chars += len(text)
            published = ev["date"] + timedelta(days=rng.choice([0, 0, 0, 1]))
            rec = {"doc_id": doc_id, "outlet": outlet[0], "event": ev["event"],
                   "title": art.title(), "published": published.isoformat(), "text": text}
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            if not quiet and (i + 1) % 5000 == 0:
                print(f"  {i + 1:,} articles ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    tmp.replace(out)
    stats = {
        "n_articles": n, "n_events": k, "n_outlets": outlets, "seed": seed,
        "n_words_whitespace": n_words, "n_chars": n_chars, "n_sentences_generated": n_sent,
        "unique_sentence_share": round(len(seen) / max(1, n_sent), 6),
        "bytes": out.stat().st_size, "seconds": round(time.perf_counter() - t0, 2),
    }
    out.with_name(out.name + ".stats.json").write_text(json.dumps(stats, indent=2) + "\n")
    return stats


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("n", type=int, help="number of articles")
    p.add_argument("out", type=Path, help="output JSONL file")
    p.add_argument("--events", type=int, default=None, help="number of events (default N // 40)")
    p.add_argument("--outlets", type=int, default=8, help=f"number of outlets (max {len(OUTLETS)})")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quiet", action="store_true")
    a = p.parse_args(argv)
    stats = build(a.n, a.out, events=a.events, outlets=a.outlets, seed=a.seed, quiet=a.quiet)
    print(json.dumps(stats, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
