"""Rules-only intent recognition: Dutch and English cue phrases, tolerant of small transcription errors.

Used alone when no language model is loaded, and beside the model for what rules do better (goodbyes,
yes/no, the profile's own urgent words, attempts to change the assistant's instructions).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from appliance.brain.intents import Intent
from appliance.brain.text import clean_speech, normalize

# Cue patterns (regular expressions over normalized text) and their weight.
_CUES: dict[Intent, tuple[tuple[str, float], ...]] = {
    Intent.HOURS: (
        (r"openingstijd\w*|openingsuren|geopend|\bopen\b|\bdicht\b|gesloten|\bopen(ing)? hours\b", 2.0),
        (r"hoe laat|tot hoe laat|vanaf hoe laat|what time|when do you (open|close)|are you open", 1.5),
        (r"\bopen (op|met|tijdens)\b|\b(kerst|pasen|pinksteren|koningsdag|feestdag\w*|hemelvaart)\b", 1.0),
    ),
    Intent.PRICES: (
        (r"\bkost\w*|\bprijs\w*|tarie[fv]\w*|wat betaal|hoeveel (is|kost|moet)|\bprice\w*|\bcost\w*|how much|"
         r"\b(wat|hoeveel)\b.*\bbetal\w*|\brekenen (jullie|u)\b|\bdo you charge\b", 2.5),
        (r"\beuro\b|\brates?\b|\bfee\b|\bduur\b", 1.0),
    ),
    Intent.CONTACT: (
        (r"\badres\b|\baddress\b|waar (zitten|zit|bent|zijn) (jullie|u)|\bwhere are you\b|route|parkeer\w*|parkeren|"
         r"\bparking\b|\bpark\b|\b(e-?)?mail\w*|bereikbaar|hoe kom ik|how do i get|directions|telefoonnummer|"
         r"\bwebsite\b|\blocat\w*", 2.5),
    ),
    Intent.ORDER_STATUS: (
        (r"\bstatus\b|hoe staat het|stand van zaken|\bbestelling\b|\bbesteld\b|\border\b|\bgeleverd\b|"
         r"levering|wanneer komt|is .* al (klaar|binnen)|\bdossier\b|\bal (iets )?(\w+ )?(bekend|nieuws)\b|"
         r"\bnog (niets|niks) (gehoord|vernomen)\b|\bany (news|update)\b", 2.0),
    ),
    Intent.APPOINTMENT_NEW: (
        (r"afspraak (maken|inplannen|plannen)|(maken|plannen|inplannen) .*afspraak|een afspraak|"
         r"\breserver\w*|tafel (voor|reserveren)|make an appointment|book\w*|\breservation\b|"
         r"\bbezichtig\w*|\bviewing\b|\blangs ?komen\b|langskomen|consult\w*|\bkennismak\w*|"
         r"\bintake\b|\bcontrole\b|\bcheck-?up\b|inschrijven|\bplek\b|schedule|come in\b|\b(in)?plannen\b|"
         r"\binplannen\b|\bingepland\b|\btafel\w* voor\b|\btable for\b", 2.0),
        (r"\bappointment\b|\bafspraak\b|\bvoor \w+ (personen|man)\b|\bfor \w+ (people|persons)\b", 1.5),
    ),
    Intent.APPOINTMENT_CHANGE: (
        (r"\bverzet\w*|\bverplaats\w*|\bomzetten\b|andere (dag|tijd|datum)|\bwijzig\w*|\bveranderen\b|"
         r"\bresched\w*|\bmove my\b|\bchange my\b|\bverschuiv\w*|\bverschov\w*", 3.0),
        (r"\bin plaats van\b|\binstead of\b", 2.0),
    ),
    Intent.APPOINTMENT_CANCEL: (
        (r"\bafzeggen\b|\bannuleer\w*|\bannuler\w*|\bafmelden\b|\bcancel\w*|kan niet komen|kom niet|"
         r"\bzeg .* af\b|\bafgezegd\b|can'?t make it|cannot make it", 3.0),
    ),
    Intent.URGENT: (
        (r"\bspoed\w*|\bdringend\w*|\bnoodgeval\w*|\burgent\w*|\bemergency\b|\bacuut\b|\bmeteen\b|"
         r"direct iemand|zo snel mogelijk|\basap\b|\bnu meteen\b|\blevensgevaar\w*", 2.5),
        (r"\bpijn\b|\blek\w*|\bwater\b|\bongeluk\b|\bbrand\b|\bgas\w*|\bkapot\b|\bstoring\b|"
         r"\bin elkaar\b|\bgearresteerd\b|\baangehouden\b|\bleak\w*|\bflood\w*|\bpain\b|\bbroken\b", 1.5),
    ),
    Intent.QUOTE: (
        (r"\bofferte\w*|prijsopgave|\bbegroting\b|\bquote\b|\bquotation\b|\bestimate\b|waardebepaling|"
         r"\btaxatie\b|\btaxeren\b|\bwaarde\b|\bvaluation\b|wat .* waard|laten (aanleggen|plaatsen|installeren)|"
         r"\bverbouw\w*|\b(huis|woning|pand|appartement)\b.*\bverkopen\b|\bsell(ing)? (my|our)\b", 2.5),
        (r"\bnieuwe?\b .*(installeren|plaatsen|aanleggen|badkamer|keuken|ketel|warmtepomp|zonnepanelen)|"
         r"\binstalleren\b|\bplaatsen\b|\baanleggen\b|\bvervangen\b|\binstall\w*|\bbudget\b", 1.5),
    ),
    Intent.SERVICE: (
        (r"(al|bestaande|vaste) klant|klantnummer|ik ben (al )?(klant|client|patient)|\bcustomer\b|"
         r"\bonderhoud\w*|\bservice\w*|\bgarantie\b|\bwarranty\b|\bmijn zaak\b|\bmijn dossier\b|"
         r"\bfactuur\b|\binvoice\b|\brekening\b(?! (mee )?houden)|\bbill\b|"
         r"\bdoet (het )?(\w+ )?(niet|niks|niets)( meer)?\b|\bwerkt (\w+ )?(niet|niks)( meer)?\b|"
         r"\bnot working\b|\bstuk\b|"
         r"foutmelding|\bdefect\b|niet opgelost|\bklacht\w*|"
         r"(vorige|afgelopen) (week|maand|jaar)\b.*\b(geweest|gedaan|geplaatst|gelegd|geinstalleerd|vervangen|"
         r"gerepareerd)|jullie hebben .*\b(geplaatst|gelegd|geinstalleerd|vervangen|gerepareerd)", 2.0),
        (r"\bnog (steeds|altijd)\b|\bstill\b", 1.0),
    ),
    Intent.PERSON: (
        (r"spreken met|\bspreken\b|doorverbinden|verbind\w*|\bspeak (to|with)\b|\btalk to\b|"
         r"\bput me through\b|\btransfer\b|\bmedewerker\b|echt mens|een mens|\bhuman\b|\breal person\b|"
         r"\biemand (anders|spreken)\b|\bcollega\b|\breceptie\b|"
         r"^(is|zijn) \w+( \w+)? (er|aanwezig|binnen)\b|\bis \w+( \w+)? (aanwezig|binnen)\b", 2.5),
    ),
    Intent.MESSAGE: (
        (r"\bbericht\w*|\bboodschap\b|doorgeven|\bmessage\b|\bnotitie\b|laten weten|\bpass (it )?on\b", 2.5),
    ),
    Intent.CALLBACK: (
        (r"terug ?bel\w*|terug (te )?bellen|\bbel me\b|bel mij|\bcall (me )?back\b|callback|\bring me\b|"
         r"teruggebeld|contact met mij opnemen|contact opnemen", 3.0),
    ),
    Intent.GOODBYE: (
        (r"^(dag|doei|dooei|tot ziens|fijne dag|bye|goodbye|bedankt|dank je|dank u|thanks|thank you)\b|"
         r"dat was (het|alles)|\bverder niets\b|\bniks meer\b|\bthat'?s all\b|\bnothing else\b|"
         r"ik hang op|\btot ziens\b|\bfijne dag\b|\bgoodbye\b|\bbye\b|\bdoei\b|\bdank (je|u)( wel)?\b|"
         r"\bbedankt\b|\bthanks\b|\bthank you\b|\b(oke|ok|goed|prima|maar|nou|ja|nee|hoor|wel|bedankt) dag$", 3.0),
    ),
}
_COMPILED = {intent: tuple((re.compile(p), w) for p, w in cues) for intent, cues in _CUES.items()}

_YES = re.compile(r"^(ja|jawel|jazeker|ja hoor|ja graag|graag|klopt|correct|prima|goed|is goed|oke|ok|okay|"
                  r"zeker|precies|dat klopt|doe maar|yes|yeah|yep|sure|right|that'?s right|correct|please|"
                  r"yes please|sounds good|fine)\b")
_NO = re.compile(r"^(nee|neen|nope|no|niet|klopt niet|dat klopt niet|liever niet|nee dank|nee bedankt|"
                 r"no thanks|not really|incorrect|wrong|fout)\b")
_INJECTION = re.compile(
    r"negeer|vergeet (je|jouw|al je|alle)|ignore (your|all|previous)|instructies|instructions|system prompt|"
    r"je bent nu|you are now|doe alsof|pretend|jailbreak|\bprompt\b|zeg dat|say that|herhaal na mij|"
    r"repeat after me|from now on|vanaf nu ben")
_GREETING_ONLY = re.compile(r"^((ja |nou )?(hallo|hoi|hee|hey|goedemorgen|goedemiddag|goedenavond|goeiedag|dag|hello|"
                            r"hi|good (morning|afternoon|evening))( daar| there)?[ ,.!]*)+$")
_COST_QUESTION = re.compile(r"\b(wat|hoeveel)\b.*\b(kost|kosten|betaal|betalen|rekenen|vragen)\b|\bhow much\b|"
                            r"\bwhat (does|do|would|will)\b.*\bcost\b|\b(going|gonna) to cost\b|\bwhat'?s .*\bcost\b")
_QUESTION_WORDS = re.compile(r"^(wat|wanneer|waar|hoe|hoeveel|welke|wie|waarom|kan|kunt|mag|is|zijn|heeft|hebben|"
                             r"doen|what|when|where|how|which|who|why|can|do|does|is|are)\b")


@dataclass(frozen=True)
class RuleVerdict:
    intent: Intent
    score: float
    scores: dict[Intent, float]


OWNER_URGENT_WEIGHT = 2.0
LONG_UTTERANCE = 7  # words; a goodbye cue inside a longer utterance with another request is not a goodbye


def cue_scores(text: str) -> dict[Intent, float]:
    normalized = clean_speech(text)
    scores: dict[Intent, float] = {}
    for intent, cues in _COMPILED.items():
        total = sum(weight for pattern, weight in cues if pattern.search(normalized))
        if total:
            scores[intent] = total
    return scores


def classify(text: str, urgent_words: tuple[str, ...] = ()) -> RuleVerdict:
    """The best-supported intent; UNCLEAR with score 0 when no cue is found."""
    scores = cue_scores(text)
    asks_price = scores.get(Intent.PRICES, 0.0) >= 2.5  # "wat kost het als de kraan lekt": the problem is the job
    if urgent_words and not asks_price and has_any(text, urgent_words):
        scores[Intent.URGENT] = scores.get(Intent.URGENT, 0.0) + OWNER_URGENT_WEIGHT
    size = len(clean_speech(text).split())
    if Intent.GOODBYE in scores and ((is_question(text) and size > 4) or (size >= LONG_UTTERANCE and len(scores) > 1)):
        del scores[Intent.GOODBYE]
    if not scores:
        return RuleVerdict(Intent.UNCLEAR, 0.0, {})
    best = max(scores, key=lambda i: (scores[i], -list(Intent).index(i)))
    return RuleVerdict(best, scores[best], scores)


def has_any(text: str, phrases: tuple[str, ...] | list[str], threshold: float = 88.0) -> bool:
    """Whether any phrase occurs in the text, allowing a letter or two of transcription error."""
    return find_phrase(text, phrases, threshold) is not None


def find_phrase(text: str, phrases: tuple[str, ...] | list[str], threshold: float = 88.0) -> str | None:
    normalized = f" {normalize(text)} "
    tokens = normalized.split()
    for phrase in phrases:
        target = normalize(phrase)
        if not target:
            continue
        if f" {target} " in normalized:
            return phrase
        size = len(target.split())
        if len(target) < 5:
            continue
        for i in range(len(tokens) - size + 1):
            window = " ".join(tokens[i:i + size])
            if fuzz.ratio(window, target) >= threshold:
                return phrase
    return None


def is_yes(text: str) -> bool:
    return bool(_YES.match(normalize(text))) and not is_no(text)


def is_no(text: str) -> bool:
    return bool(_NO.match(normalize(text)))


def is_greeting_only(text: str) -> bool:
    """ "Hallo" / "Goedemiddag" with nothing else: the caller greets back before saying what they want."""
    return bool(_GREETING_ONLY.match(normalize(text)))


def is_injection(text: str) -> bool:
    """An attempt to instruct the assistant or to get a promise it cannot make."""
    return bool(_INJECTION.search(normalize(text)))


def asks_cost(text: str) -> bool:
    """ "Wat kost ...", "how much ...": a question about a price (not "kunt u een prijs maken")."""
    return bool(_COST_QUESTION.search(clean_speech(text)))


def is_question(text: str) -> bool:
    return text.strip().endswith("?") or bool(_QUESTION_WORDS.match(clean_speech(text)))
