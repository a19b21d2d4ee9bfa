"""Group FAMILY, LEVEL, LATERALITY, GUIDANCE, CONTRAST ... spans into procedures.

A family counts as *performed* when its mention is asserted (not planned, hypothetical,
historical or negated) and either sits in the note's procedure zone (a title line naming
a procedure, the procedure sections, or the untitled text of a note with procedure
sections) or its sentence says it was done in this encounter (a TIME ``today`` cue, with
no ``past`` cue alone). A learned mention status (:mod:`assistant.learned`), when given,
decides instead. Attributes come from the mention's own sentences first, then from the
zone: the procedure sections, or in a note without them, the sentences that describe what
was done today. Planned families are asserted-but-future mentions (recommend, schedule,
consider, if ... then) and family mentions in plan sections. A broad name (an RFA, a joint
injection) yields to a specific family named in the same sentence.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from itertools import pairwise

from assistant.facts import (
    FAMILIES,
    Approach,
    Evidence,
    Family,
    Guidance,
    Laterality,
    Procedure,
    Region,
)
from assistant.reader.levels import joints_between, levels_in, region_of, sort_levels
from assistant.reader.lexicon import broad_name
from assistant.reader.section_groups import BACKGROUND_SECTIONS, NUMBERED_ITEM
from assistant.reader.spans import Target

TITLE_SECTIONS = frozenset({"procedure"})
DETAIL_SECTIONS = frozenset({"procedure_details"})
ZONE_SECTIONS = TITLE_SECTIONS | DETAIL_SECTIONS
PLAN_SECTIONS = frozenset({"observation_and_plan"})
# Sections whose family mentions are never "performed today".
NOT_PERFORMED_SECTIONS = BACKGROUND_SECTIONS | frozenset(
    {
        "imaging",
        "indications",
        "diagnoses",
        "observation_and_plan",
        "consent",
    }
)
# TIME cue values saying something was done in this encounter.
TODAY = frozenset({"today", "done", "technique"})
# Sections whose sentences never describe today's procedure, whatever their verbs say.
NEVER_TODAY_SECTIONS = (BACKGROUND_SECTIONS - {"history_of_present_illness"}) | frozenset(
    {"imaging", "observation_and_plan", "consent"}
)
SPINAL_FAMILIES = frozenset(
    {
        "esi",
        "facet_mbb",
        "facet_joint_injection",
        "facet_rfa",
        "sympathetic_block",
        "neurolysis_other",
        "vertebral_augmentation",
        "scs_trial",
        "scs_implant",
        "intrathecal_pump",
        "epidural_adhesiolysis",
        "epidural_blood_patch",
        "discography",
    }
)
# Families whose levels, if any, are named with the procedure itself (never taken from
# the rest of the note's account: a trigger point beside an epidural has no L5-S1).
OWN_LEVEL_FAMILIES = frozenset(
    {
        *("trigger_point", "joint_injection", "genicular", "chemodenervation"),
        *("peripheral_nerve_block", "si_joint_injection"),
    }
)
# Of those, the families that take the procedure account's levels when they are alone in
# the note: a nerve block may name them step by step ("Right T7: ..."). Trigger points and
# joint injections alone may not (measured: widening it made two notes worse, one better).
STEP_LEVEL_FAMILIES = frozenset({"peripheral_nerve_block"})
TITLE_MAX = 120
# Families whose levels are interspaces/joints; a segment inside a named joint is redundant.
JOINT_LEVEL_FAMILIES = frozenset({"esi", "facet_joint_injection", "facet_mbb", "facet_rfa"})
ANESTHESIA_ADJUNCT_FAMILIES = frozenset(
    {"peripheral_nerve_block", "sympathetic_block", "esi", "intrathecal_pump"}
)
# Central procedures with no side in note-facts/v1 (pump refills, stimulator leads, blood
# patches, discography): side words near them describe a pocket, a lead or the symptoms.
MIDLINE_FAMILIES = frozenset(
    {"intrathecal_pump", "scs_trial", "scs_implant", "epidural_blood_patch", "discography"}
)
SACRAL_FAMILIES = frozenset({"si_joint_injection", "si_rfa"})
OTHER_REGION_FAMILIES = frozenset({"joint_injection", "peripheral_nerve_block", "genicular"})
_SEGMENT_CUE = re.compile(
    r"^[\s,]*(?:and\s+[CTLS]\d+\s+)?(?:medial\s+branch|dorsal\s+ram|lateral\s+branch|nerve\s+root|"
    r"roots?\b|transverse\s+process|vertebral\s+bod|pedicle|foram|fracture|vertebra|MB[BN]?s?\b|DRs?\b)",
    re.IGNORECASE,
)
# Medial-branch procedures named by their nerves: those levels, not the joints they serve.
NERVE_LEVEL_FAMILIES = frozenset({"facet_mbb", "facet_rfa"})
_NERVE_AFTER = re.compile(
    r"(?:[\s,+&]*(?:and\s+)?[CTLS]\d{1,2}(?![\d-]))*[\s,]*(?:medial\s+branch|dorsal\s+ram|MB[BN]?s?\b|DR\b)",
    re.IGNORECASE,
)
_JOINT_TEXT = re.compile(r"\d\s*[-/–]")  # "L4-5", "L5/S1": a joint, not a nerve
_ASSERTED = frozenset({"affirmed"})
# Families whose levels are where leads were steered ("advanced cephalad, tips at T8"),
# not where contrast spread.
LEAD_FAMILIES = frozenset({"scs_trial", "scs_implant"})
# What the needle reached, named after its levels in the account of today: a foramen for
# an epidural or adhesiolysis catheter ("the L3-4 and L4-5 neural foramina"), a vertebral
# body or pedicle for augmentation ("into the T11 vertebral body").
_MORE_LEVELS = r"(?:\s*(?:,|and|&|\+)\s*(?:and\s+)?[CTLS]\d{1,2}(?:\s?[-/]\s?[CTLS]?\d{1,2})?)*"
_FORAMEN_AFTER = re.compile(
    _MORE_LEVELS + r"\s+(?:neural\s+|neuro)?foram(?:en|ina)\b", re.IGNORECASE
)
_BODY_AFTER = re.compile(
    _MORE_LEVELS + r"\s+(?:vertebral\s+bod(?:y|ies)|vertebrae?\b|pedicles?\b)", re.IGNORECASE
)
REACHED_AFTER: Mapping[str, re.Pattern[str]] = {
    "esi": _FORAMEN_AFTER,
    "epidural_adhesiolysis": _FORAMEN_AFTER,
    "vertebral_augmentation": _BODY_AFTER,
}
_NOT_TODAY = frozenset({"hypothetical", "family", "historical"})
_PROCEDURE_HEADER = re.compile(
    r"(?:^|\n)[ \t]*(?:(?:name|title)\s+of\s+(?:the\s+)?)?(?:operative\s+|surgical\s+)?"
    r"(?:procedures?|operations?)(?:\s+performed)?[ \t]*:?[ \t]*(?:\n|[^\n]*$)",
    re.IGNORECASE,
)
HEADER_REACH = 250  # characters after a procedure header where the surgeries are listed
# A procedure line ("PROCEDURE PERFORMED: ...", "OPERATION:" over the line below) and what
# it names.
_PROCEDURE_LINE = re.compile(
    r"(?im)^[ \t]*(?:(?:name|title)[ \t]+of[ \t]+(?:the[ \t]+)?)?"
    r"(?:operative[ \t]+|surgical[ \t]+)?"
    r"(?:procedures?|operations?)(?:[ \t]+(?:performed|done))?(?:[ \t]+and[ \t]+procedures?)?"
    r"[ \t]*:[ \t]*\n?[ \t]*(?P<name>[^\n]{3,200})"
)
# A procedure line that names nothing done: "None", "N/A", "See above", "As below".
_NAMES_NOTHING = re.compile(
    r"\W*(?:none|n/?a\b|no\b|see\b|as\b|per\b|deferred|not\b|pending|planned|scheduled|"
    r"unchanged|status\s+post|s/p\b|history|prior\b|previous)",
    re.IGNORECASE,
)
# An operative report's own headings: its procedure line names what was done today.
_OPERATIVE_HEADINGS = re.compile(
    r"(?im)^[ \t]*(?:(?:pre|post)-?\s?op(?:erative)?\.?\s+(?:diagnos[ie]s|dx)|"
    r"ana?esthesia(?:[ \t]+(?:type|used))?|estimated\s+blood\s+loss|EBL)[ \t]*:"
)
# "OPERATIONS:" alone heads a list of past surgeries, except in an operative report.
_PAST_SURGERY_LIST = re.compile(r"\s*operations\s*:", re.IGNORECASE)
# Words of the pain procedures: an unknown procedure named with them is one ChartReady
# failed to recognise (the checks say so), not another specialty's procedure.
_PAIN_PROCEDURE_WORDS = re.compile(
    r"\b(?:inject\w*|block\w*|epidural|nerves?|facet\w*|ablat\w*|neurotom\w*|rhizotom\w*|"
    r"radiofrequency|RF\w*|steroids?|stimulat\w*|pump|intrathecal|kypho\w*|vertebro\w*|"
    r"ganglion|sympathetic|medial\s+branch|trigger|joints?|caudal|transforaminal|interlaminar|"
    r"spinal|spine|lumbar|cervical|thoracic|sacroiliac|SI|botox|botulinum|phenol|neurolys\w*|"
    r"fluoro\w*|needle)\b",
    re.IGNORECASE,
)
# A surgery mentioned as history ("status post L4-5 fusion") is not today's procedure.
_SURGERY_BEFORE = re.compile(
    r"\b(?:s/p|status\s+post|prior|previous|history\s+of|after|post)\s+(?:\w+\s+){0,2}$",
    re.IGNORECASE,
)
# What precedes a procedure named as an earlier event: "after", "following", "s/p" and up to
# ten words naming it ("after an ultrasound-guided right", "since her L L3, L4 medial
# branch + L5 dorsal ramus"), none of them the subject of a new clause ("After the spray,
# I entered the right knee" is today).
_EVENT_BEFORE = re.compile(
    r"\b(?:after|following|since|s/p|status\s+post|(?:confirmed|established|proven)\s+by|"
    r"responded\s+(?:well\s+)?to|in\s+response\s+to)\s+"
    r"(?:(?!(?:I|we|he|she|they)\s)[\w/#().,+&-]+\s+){0,10}$",
    re.IGNORECASE,
)
# "post-MBB", "post RFA": the word that holds the mention says it came after that event.
_POST_PREFIX = re.compile(r"post[\s-]", re.IGNORECASE)
_POST_BEFORE = re.compile(r"\bpost[\s-]$", re.IGNORECASE)
# A plan item that opens by repeating a procedure plans it, whatever the sentence says of the
# last one ("1. Repeat lumbar ILESI at L4-L5, same as last time").
_REPEAT_ITEM = re.compile(
    r"[ \t]*(?:[-\u2022*]|\d{1,2}[.)])?[ \t]*(?:plan[ \t]*:[ \t]*)?repeat\s+(?:[\w/-]+\s+){0,3}",
    re.IGNORECASE,
)
# A procedure named by its result is an earlier one: "neg MBB", "a positive SI block",
# "the MBB result", "review of the MBB pain diary".
_RESULT_BEFORE = re.compile(
    r"\b(?:neg|negative|pos|positive|equivocal|concordant|non-?diagnostic)\s+(?:[\w-]+\s+){0,2}$",
    re.IGNORECASE,
)
_RESULT_AFTER = re.compile(
    r"(?:\s+(?:blocks?|injections?))?\s+(?:results?|response|(?:pain\s+)?diary|outcome)\b",
    re.IGNORECASE,
)
# "No further neurotomy planned", "no more ESIs": the plan rules the procedure out (ConText
# reads "no further" as a pseudo-trigger: "no further pain" is not a negation of pain).
_NO_MORE_BEFORE = re.compile(
    r"\bno\s+(?:further|more|additional|repeat)\s+(?:[\w/-]+\s+){0,2}$", re.IGNORECASE
)
# An offer the patient turned down, on the same line as the procedure offered.
_DECLINED = re.compile(
    r"[^\n]*?\b(?:(?:she|he|they|patient|pt)\s+(?:\w+\s+)?(?:declined|declines|refused|refuses)|"
    r"(?:does|did)\s+not\s+want|doesn.t\s+want|not\s+interested|"
    r"(?:is|are|was)\s+(?:\w+\s+)?(?:against|opposed\s+to)\s+(?:it|this|that|the\s+idea))\b",
    re.IGNORECASE,
)
_LATERAL_BRANCH = re.compile(r"\blateral\s+branch", re.IGNORECASE)
_TRIAL = re.compile(r"\btrial", re.IGNORECASE)
_TODAY_WORD = re.compile(r"\btoday\b", re.IGNORECASE)
_BOOKED = re.compile(
    r"\b(?:booked|book|(?<!as )schedul\w*|will|(?<!as )plan\w*|next|consider\w*|recommend\w*"
    r"|refer\w*)\b",
    re.IGNORECASE,
)
# A plan line's own label ("Plan:", "P:") books nothing, nor does "as scheduled".
_LEADING_LABEL = re.compile(r"[ \t]*[A-Za-z/&]{1,12}[ \t]*:[ \t]*")
_EPIDUROGRAM = re.compile(
    r"(?:lumbar\s+|thoracic\s+|cervical\s+)?epidurogra(?:m|ms|phy)", re.IGNORECASE
)
# Families placed through the epidural space with an epidurogram of their own.
CATHETER_FAMILIES = frozenset({"scs_trial", "scs_implant", "epidural_adhesiolysis"})
_PARAMEDIAN = re.compile(r"\bpara-?median\b", re.IGNORECASE)
# "for left S1 radiculopathy": the side of the symptom the midline injection treats.
_FOR_BEFORE = re.compile(r"\b(?:for|of)\s+(?:her|his|the|their)?\s*$", re.IGNORECASE)
_SYMPTOM_AFTER = re.compile(
    r"[\w\s-]{0,30}?\b(?:radiculopathy|radicular|sciatica|pain|symptoms)\b", re.IGNORECASE
)


def _symptom_side(text: str, side: Target) -> bool:
    """The side belongs to a symptom named after "for"/"of" ("for left S1 radiculopathy")."""
    return bool(
        _FOR_BEFORE.search(text, max(0, side.start - 12), side.start)
        and _SYMPTOM_AFTER.match(text, side.end)
    )


# The side an exam compares with ("diminished compared with the right") is not treated.
_COMPARED_BEFORE = re.compile(
    r"\b(?:compared\s+(?:with|to)|than|versus|vs\.?)\s+(?:the\s+|his\s+|her\s+)?$",
    re.IGNORECASE,
)
# Nor the untouched side a response is measured against ("the right stayed flat", "R
# unchanged"), nor the side the patient lies on ("rolled onto her right side").
_CONTROL_AFTER = re.compile(
    r"\s+(?:(?:foot|side|leg|arm|hand|toe|great[\s-]toe|limb)\s+)?"
    r"(?:(?:temp\w*|temperature)\s+)?(?:(?:stayed|remained|was|were|is)\s+)?"
    r"(?:flat|unchanged|the\s+same|at\s+baseline)\b",
    re.IGNORECASE,
)
_LYING_BEFORE = re.compile(
    r"\b(?:lay|lain|lie|lies|lying|laid|rolled|rolls|rolling|turned|turning|positioned|"
    r"placed)\s+(?:\w+\s+)?(?:on|onto)\s+(?:her|his|the|their)\s+$",
    re.IGNORECASE,
)
_SIDE_WORD_AFTER = re.compile(r"\s+side\b(?!\s+of\b)", re.IGNORECASE)


# Muscle injections list their muscles with a side and a dose, often in lines of their own
# ("* L SCM 40 U (2 sites)"): the sides of the muscles injected are the procedure's.
MUSCLE_FAMILIES = frozenset({"trigger_point", "chemodenervation"})
_MUSCLE_AFTER = re.compile(
    r"\.?\s+(?:(?:upper|lower|middle|mid|deep|superficial)\s+)?(?:trap\w*|SCM|"
    r"sternocleidomastoid|splenius|scalen\w*|semispinalis|levator|rhomboid\w*|paraspinal\w*|"
    r"glute\w*|piriformis|quadratus|masseter|temporalis|frontalis|occipitalis|pectoralis|"
    r"psoas|iliopsoas|multifidus|erector|gastroc\w*|soleus|infraspinatus|supraspinatus|"
    r"latissimus|deltoid|biceps|triceps|corrugator|procerus)\b",
    re.IGNORECASE,
)
_UNITS_DOSE = re.compile(r"\b\d+(?:\.\d+)?\s*(?:U|units?|IU)\b", re.IGNORECASE)


def _muscle_sides(ctx: _Context) -> list[Target]:
    """Sides of injected muscles: before a muscle's name, or both sides dosed in units."""
    return [
        t
        for t in ctx.targets
        if t.label == "LATERALITY"
        and _usable(ctx, t)
        and t.section not in NEVER_TODAY_SECTIONS
        and not ctx.in_past(t)
        and not ctx.in_future(t)
        and (
            _MUSCLE_AFTER.match(ctx.text, t.end)
            or (t.value == "bilateral" and _UNITS_DOSE.search(ctx.text, t.sent_start, t.sent_end))
        )
    ]


# A side verified at the time-out ("Site/side verified at time-out: LEFT knee (order entered
# with wrong side)") is the side treated, whatever the order or title said.
_VERIFIED_BEFORE = re.compile(
    r"\b(?:site|side|time-?out)\b[^.\n]{0,30}\b(?:verified|confirmed)\b[^.\n]{0,30}$"
    r"|\b(?:verified|confirmed)\b[^.\n]{0,20}\b(?:site|side)\b[^.\n]{0,20}$",
    re.IGNORECASE,
)


def _verified_sides(ctx: _Context, sides: list[Target]) -> list[Target]:
    """The sides a time-out verified, when it verified one; else ``sides`` unchanged."""
    verified = [
        t
        for t in ctx.targets
        if t.label == "LATERALITY"
        and t.assertion == "affirmed"
        and _VERIFIED_BEFORE.search(ctx.text, max(t.sent_start, t.start - 60), t.start)
    ]
    return verified if len({side_value(t) for t in verified}) == 1 else sides


def _untreated_side(text: str, side: Target) -> bool:
    """The side is one a finding is compared with, the control side, or the side lain on."""
    before = max(0, side.start - 40)
    return bool(
        _COMPARED_BEFORE.search(text, before, side.start)
        or _CONTROL_AFTER.match(text, side.end)
        or (
            _LYING_BEFORE.search(text, before, side.start)
            and _SIDE_WORD_AFTER.match(text, side.end)
        )
    )


# Paragraphs are separated by a blank line (a procedure's own account in a two-procedure note).
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
# A sentence ends at . ! ? but not after a side's abbreviation ("Lt. L5 SNRB", "R. knee").
_SENTENCE_END = re.compile(
    r"(?<=[.!?])(?<!\bLt\.)(?<!\bRt\.)(?<!\bR\.)(?<!\bL\.)(?<!\bBil\.)\s+(?=\S)",
    re.IGNORECASE,
)
# Where contrast or injectate went is not where the needle was: "spread cephalad to L3-4".
_SPREAD_BEFORE = re.compile(
    r"\b(?:spread\w*|flow\w*|extend\w*|tracking|tracked|outlin\w*|cephalad|caudad|"
    r"filling|filled|opacif\w*|"
    r"up\s+to|as\s+high\s+as|as\s+far\s+as)\b[^.;\n]{0,130}$",
    re.IGNORECASE,
)
SPREAD_WINDOW = 140  # characters before a level searched for a spread word
# A sentence reporting imaging findings names diseased levels, not treated ones.
_IMAGING = re.compile(
    r"\b(?:MRI|MR\s+imaging|CT\s+(?:scan|of|shows?|showed|myelo\w*)|x-?rays?|radiographs?|"
    r"myelogra\w*|bone\s+scan)\b",
    re.IGNORECASE,
)
# A level named by an operation ("L4-S1 fusion", "L5 laminectomy") is surgical history
# unless the operation is today's procedure (family ``other``).
_SURGERY_AFTER = re.compile(
    r"[\s,]*(?:\w+\s+)?(?:fusion|laminectom\w*|laminotom\w*|discectom\w*|decompression|"
    r"arthrodesis|hardware|instrumentation|surgery|surgeries)\b",
    re.IGNORECASE,
)
# A side or level that qualifies a diagnosis written right after it ("left C7 radiculopathy
# from the C6-7 protrusion"), not a procedure named later in the sentence.
_DIAGNOSIS_AFTER = re.compile(
    r"(?:[ \t]+[\w/-]+){0,2}?[ \t]+(?:radiculopath\w*|radiculitis|protrusions?|herniations?|"
    r"extrusions?|stenosis|spondylo\w+|arthropath\w*|osteoarthritis|fractures?|neuralgia|"
    r"distributions?|dermatom\w*|myotom\w*)\b",
    re.IGNORECASE,
)
# A level the body corrects ("done at L5-S1 rather than L4-5 as ordered", "so we entered
# at L5-S1 instead"): the level before the cue was treated, the other was not.
_CORRECTION_CUE = re.compile(
    r"\b(?:rather\s+than|instead\s+of|in\s+place\s+of|instead)\b", re.IGNORECASE
)
# A change of levels names the new ones after it ("Levels changed to L3-4 and L4-5",
# "the level was switched to L5-S1"): they replace the levels chosen elsewhere.
_CHANGED_TO = re.compile(
    r"\b(?:changed|switched|revised|amended|moved)\s+(?:\w+\s+){0,2}?to\b", re.IGNORECASE
)
_LEVEL_NEXT = re.compile(
    r"\s*(?:the\s+)?(?:(?:levels?|joints?)\s+)?(?:at\s+|of\s+)?", re.IGNORECASE
)
_CLAUSE_BREAK = re.compile(r"[;,:]")
# What a correction replaces when it names no level: the order ("rather than the request").
_ORDERED = re.compile(
    r"\b(?:request\w*|order\w*|schedul\w*|referr\w*|planned|booked|consent\w*)\b", re.IGNORECASE
)
MAX_CORRECTION_LEVELS = 8
# A level the account says was left out: "T8 was not done", "L5-S1 level was skipped".
_NOT_DONE_AFTER = re.compile(
    r"[\s,]*(?:(?:level|joint|nerve|root|segment|foramen|foramina)s?\s+)?"
    r"(?:(?:(?:was|were)\s+)?(?:not|n.t)|(?:could|can)\s*(?:not|n.t)\s+be)\s+"
    r"(?:done|performed|treated|injected|blocked|targeted|lesioned|accessed|accessible|"
    r"entered|reached|cannulated|attempted|possible|feasible)\b|"
    r"[\s,]*(?:(?:level|joint|nerve|root|segment)s?\s+)?(?:was|were)\s+"
    r"(?:skipped|omitted|aborted|abandoned)\b",
    re.IGNORECASE,
)
# A level the account says was treated: "L3 was treated", "T9 and T10 were blocked".
_DONE_AFTER = re.compile(
    r"[\s,]*(?:(?:level|joint|nerve|root|segment|vertebra|vertebral\s+body)s?\s+)?"
    r"(?:was|were)\s+(?:then\s+|also\s+)?(?:treated|injected|blocked|augmented|lesioned|"
    r"ablated|cemented)\b",
    re.IGNORECASE,
)
# Technique boilerplate ("For C3 to C6, the medial branch lies ...") names no treated level.
# A dictated "When I examined her today, ..." tells this visit: no boilerplate.
_GENERIC_SENTENCE = re.compile(
    r"\s*(?:for|if|when(?!\s+(?:I|we|she|he|they|the\s+patient)\b)|in\s+general)\b",
    re.IGNORECASE,
)


# A learned reading of one family mention: (P(performed today), P(planned)), by its span.
MentionStatus = Mapping[tuple[int, int], tuple[float, float]]
PERFORMED_FROM_STATUS = 0.5
PLANNED_FROM_STATUS = 0.5


@dataclass(frozen=True)
class _Context:
    """The note seen by the assembler: its text, targets and procedure zone."""

    text: str
    targets: Sequence[Target]
    has_zone: bool
    title_end: int
    times: Mapping[int, frozenset[str]]  # TIME cue values per sentence start
    narrative: tuple[int, int] | None  # from the first to the last "done today" sentence

    @cached_property
    def paragraphs(self) -> tuple[tuple[int, int], ...]:
        """The note's paragraphs (text between blank lines), as character ranges."""
        bounds = [0, *(m.end() for m in _BLANK_LINE.finditer(self.text)), len(self.text)]
        return tuple((a, b) for a, b in pairwise(bounds) if b > a)

    def paragraphs_of(
        self, mentions: Sequence[Target], others: Sequence[Target]
    ) -> list[tuple[int, int]]:
        """Paragraphs naming this family and no other: one procedure's own account."""

        def inside(t: Target, block: tuple[int, int]) -> bool:
            return block[0] <= t.start < block[1]

        return [
            block
            for block in self.paragraphs
            if any(inside(m, block) for m in mentions) and not any(inside(o, block) for o in others)
        ]

    @cached_property
    def corrections(self) -> list[tuple[list[Target], list[Target]]]:
        """The note's level corrections, found once for all its families."""
        return level_corrections(self)

    @cached_property
    def levels_not_done(self) -> frozenset[str]:
        """Levels the account of today says were not treated ("T8 was not done")."""
        return frozenset(
            level
            for t in self._levels_followed_by(_NOT_DONE_AFTER)
            for level in levels_in(t.text, range_as_segments=True)
        )

    @cached_property
    def levels_said_done(self) -> list[Target]:
        """Level spans the account of today says were treated ("L3 was treated")."""
        return self._levels_followed_by(_DONE_AFTER)

    def _levels_followed_by(self, words: re.Pattern[str]) -> list[Target]:
        """Level spans of today's account that ``words`` follow directly."""
        return [
            t
            for t in self.targets
            if t.label == "LEVEL"
            and words.match(self.text, t.end)
            and t.section not in NEVER_TODAY_SECTIONS
            and not (self.in_past(t) or self.in_future(t))
        ]

    def in_zone(self, target: Target) -> bool:
        """In the title or procedure sections, or untitled text of a note that has them."""
        if target.section in ZONE_SECTIONS or target.end <= self.title_end:
            return True
        return target.section is None and self.has_zone

    def done_today(self, target: Target) -> bool:
        """Its sentence says something was done in this encounter (not only before it)."""
        return bool(TODAY & self.times.get(target.sent_start, frozenset()))

    def done_in_plan(self, target: Target) -> bool:
        """A plan line that says the procedure was done at this visit ("P: TPI x4 today").

        SOAP shorthand records an office procedure under P:; a done-verb in its sentence, or
        "today" next to it in a sentence that books nothing, makes it performed.
        """
        if "done" in self.times.get(target.sent_start, frozenset()):
            return True
        near = (max(target.sent_start, target.start - 80), min(target.sent_end, target.end + 40))
        label = _LEADING_LABEL.match(self.text, target.sent_start, target.sent_end)
        after_label = label.end() if label else target.sent_start
        return bool(
            _TODAY_WORD.search(self.text, *near)
            and not _BOOKED.search(self.text, after_label, target.sent_end)
        )

    def in_future(self, target: Target) -> bool:
        """Its sentence speaks of a plan and does not say "today" in so many words."""
        cues = self.times.get(target.sent_start, frozenset())
        return "future" in cues and "today" not in cues

    def in_past(self, target: Target) -> bool:
        """Its sentence speaks of an earlier time and does not say "today" in so many words.

        Technique words do not outweigh a past cue: an earlier injection can be told with
        its needle and fluoroscopy too.
        """
        cues = self.times.get(target.sent_start, frozenset())
        return "past" in cues and "today" not in cues

    def described_today(self, target: Target) -> bool:
        """In the account of what was done today, in a section that can hold one.

        The account runs from the first to the last sentence describing technique
        ("prepped and draped", "needle advanced under fluoroscopy", "time-out"), so
        a sentence between them naming the targets ("the left T8 and T9 medial branches")
        belongs to it too.
        """
        if target.section in NEVER_TODAY_SECTIONS or self.in_past(target):
            return False
        if self.done_today(target):
            return True
        span = self.narrative
        return span is not None and span[0] <= target.start < span[1]

    def zone(self, label: str) -> list[Target]:
        """Attribute spans of the procedure zone.

        The title line, the procedure sections (and the untitled text of a note that has
        them), and any sentence that describes what was done today outside background and
        plan sections: a technique paragraph often sits under a one-line "Dx:" header.
        """
        return [
            t
            for t in self.targets
            if t.label == label
            and (
                self.in_zone(t)
                or self.described_today(t)
                or self._imaging_field(t)
                or self._contrast_statement(t)
            )
        ]

    def _contrast_statement(self, target: Target) -> bool:
        """A sentence on contrast tells the technique of this visit's procedure.

        "No contrast was used." after the account (no technique words of its own) still
        speaks of it, unless it is in a background or plan section or told as past or plan.
        """
        return (
            target.label == "CONTRAST"
            and target.section not in NEVER_TODAY_SECTIONS
            and not self.in_past(target)
            and not self.in_future(target)
        )

    def _imaging_field(self, target: Target) -> bool:
        """A template's imaging field names the guidance or contrast, not findings.

        "Imaging: Fluoroscopy" or "Contrast: [x] Yes" under an imaging heading.
        """
        return (
            target.label in {"GUIDANCE", "CONTRAST"}
            and target.section == "imaging"
            and not _IMAGING.search(self.text, target.sent_start, target.sent_end)
        )


def as_family(value: str) -> Family:
    """A rule value as a note-facts/v1 family (rule files are validated against FAMILIES)."""
    if value not in FAMILIES:
        raise ValueError(f"unknown procedure family {value!r} in a target rule")
    return value


def _is_asserted(target: Target) -> bool:
    return target.assertion in _ASSERTED and not target.planned


def _performed_by_rule(ctx: _Context, target: Target) -> bool:
    """Asserted, not past or planned, and in the procedure zone or said to be done today.

    A procedure named as the event something follows ("f/u after the 2nd round of L
    intercostal blocks", "6 weeks following her SI injection") was done before this note.
    """
    if not _is_asserted(target) or ctx.in_past(target) or ctx.in_future(target):
        return False
    if target.section in PLAN_SECTIONS and ctx.done_in_plan(target):
        return not _named_as_earlier_event(ctx, target)
    if target.section in NOT_PERFORMED_SECTIONS - {"history_of_present_illness"}:
        return False
    if _named_as_earlier_event(ctx, target):
        return False
    return ctx.in_zone(target) or ctx.described_today(target)


def _after_post(text: str, target: Target) -> bool:
    """Named as what a state follows: "post-neurotomy soreness", "post RFA review"."""
    return bool(
        _POST_PREFIX.match(text, target.start, target.end)
        or _POST_BEFORE.search(text, max(0, target.start - 5), target.start)
    )


def _ruled_out(text: str, target: Target) -> bool:
    """Named after "no further/more/additional/repeat": the plan rules the procedure out."""
    return bool(
        _NO_MORE_BEFORE.search(text, max(target.sent_start, target.start - 40), target.start)
    )


def _named_as_earlier_event(ctx: _Context, target: Target) -> bool:
    """Named as what something follows: "after/since/s/p the ...", or "post-MBB review"."""
    return bool(
        _EVENT_BEFORE.search(ctx.text, max(target.sent_start, target.start - 80), target.start)
        or _POST_PREFIX.match(ctx.text, target.start, target.end)
    )


def _performed_mentions(ctx: _Context, status: MentionStatus | None) -> list[Target]:
    """Family mentions that document a procedure done in this note."""
    mentions: list[Target] = []
    for target in ctx.targets:
        if target.label != "FAMILY" or target.assertion in {"negated", "family"}:
            continue
        learned = status.get((target.start, target.end)) if status is not None else None
        if learned is not None:
            performed = learned[0] >= PERFORMED_FROM_STATUS
        else:
            performed = _performed_by_rule(ctx, target)
        if performed:
            mentions.append(target)
    if not mentions and status is None:
        mentions = _named_before_technique(ctx)
    return _yield_generic(_drop_nested(mentions))


def _named_before_technique(ctx: _Context) -> list[Target]:
    """A note that tells the technique but names the procedure only as scheduled or listed.

    "Scheduled: lumbar medial branch block ... 08:09 needles placed under fluoroscopy":
    the procedure named up to the end of the technique account is the one done, unless it
    is negated, hypothetical, in the past, or in a plan or background section.
    """
    if ctx.narrative is None:
        return []
    return [
        t
        for t in ctx.targets
        if t.label == "FAMILY"
        and t.start < ctx.narrative[1]
        and t.assertion == "affirmed"
        and t.section not in NEVER_TODAY_SECTIONS
        and not ctx.in_past(t)
        and not _named_as_earlier_event(ctx, t)
    ]


def _yield_generic(mentions: list[Target]) -> list[Target]:
    """Drop a broad name (lexicon ``generic``) that a specific mention makes redundant.

    It gives way to a specific mention of a family it can stand for, anywhere ("facet
    injection ... contrast was injected into the joint"). Another family in its sentence
    does not absorb it: in "a second MBB, and if it helps we will schedule the RFA" the RFA
    is its own procedure.
    """
    families = {m.value for m in mentions if broad_name(m.rule) is None}
    kept = []
    for mention in mentions:
        related = broad_name(mention.rule)
        if related is None or not related & families:
            kept.append(mention)
    return kept


def _drop_nested(mentions: list[Target]) -> list[Target]:
    """Keep the longest family mention where two overlap ("SI joint RF ablation").

    Two families read from the same words ("injecting her right sacroiliac and facet
    joints") both stay.
    """
    ordered = sorted(mentions, key=lambda t: (t.start, -(t.end - t.start)))
    kept: list[Target] = []
    for target in ordered:
        if any((k.start, k.end) == (target.start, target.end) for k in kept):
            kept.append(target)  # another family read from the same words
            continue
        if kept and target.start < kept[-1].end:
            if target.end - target.start > kept[-1].end - kept[-1].start:
                while kept and target.start < kept[-1].end:
                    kept.pop()
                kept.append(target)
            continue
        kept.append(target)
    return kept


def _same_sentence(a: Target, b: Target) -> bool:
    return a.sent_start == b.sent_start


def _attribute_targets(
    ctx: _Context, label: str, family_mentions: Sequence[Target], others: Sequence[Target]
) -> list[Target]:
    """Targets of ``label`` for one family: in its own sentences first, else the zone's."""
    usable = [t for t in ctx.targets if t.label == label and _usable(ctx, t)]
    own = [t for t in usable if any(_same_sentence(t, m) for m in family_mentions)]
    if label != "APPROACH":
        own = [t for t in own if _belongs_to(t, usable, family_mentions, others)]
    if own:
        return own
    zone = [t for t in ctx.zone(label) if _usable(ctx, t)]
    if others:
        # two procedures told in paragraphs of their own: each takes its paragraph's
        blocks = ctx.paragraphs_of(family_mentions, others)
        in_blocks = [t for t in zone if any(a <= t.start < b for a, b in blocks)]
        if in_blocks:
            return in_blocks
    claimed = [t for t in zone if any(_same_sentence(t, m) for m in others)]
    unclaimed = [t for t in zone if t not in claimed]
    return _headed_sides(ctx, unclaimed, family_mentions) if label == "LATERALITY" else unclaimed


def _headed_sides(ctx: _Context, zone: list[Target], mentions: Sequence[Target]) -> list[Target]:
    """A procedure told under a procedure heading takes that account's sides.

    The untitled text of a note with procedure sections is in the zone too (a technique
    often follows a one-line header), but when the family is named under a procedure
    heading that gives a side, the untitled history above it ("follow-up for right
    buttock and left shoulder pain") does not add its symptoms' sides. Guidance and
    contrast are left alone: templated field lines ("Guidance: [x] Fluoroscopy") are
    often untitled text.
    """
    if not any(m.section in ZONE_SECTIONS for m in mentions):
        return zone
    headed = [t for t in zone if t.section in ZONE_SECTIONS or t.end <= ctx.title_end]
    return headed or zone


def _usable(ctx: _Context, target: Target) -> bool:
    """Said of today, and not the side or level of a diagnosis written right after it."""
    return target.assertion not in _NOT_TODAY and not (
        target.label in _BOUND_LABELS and _DIAGNOSIS_AFTER.match(ctx.text, target.end)
    )


def _gap(a: Target, b: Target) -> int:
    """Characters between two spans (0 when they touch or overlap)."""
    return max(b.start - a.end, a.start - b.end, 0)


def _nearest_mention(target: Target, mentions: Sequence[Target]) -> Target | None:
    """The family mention of ``target``'s sentence closest to it.

    In "right TFESI + left TPI" each side qualifies the procedure next to it; on a tie the
    mention after the attribute wins (sides and levels usually precede the name).
    """
    same = [m for m in mentions if _same_sentence(target, m)]
    if not same:
        return None
    return min(same, key=lambda m: (_gap(target, m), m.start < target.start))


_BOUND_LABELS = frozenset({"LEVEL", "LATERALITY"})  # written next to what they qualify


def _belongs_to(
    target: Target, usable: Sequence[Target], mentions: Sequence[Target], others: Sequence[Target]
) -> bool:
    """Whether an attribute in a sentence naming several families qualifies this family.

    A side or a level qualifies the family mention nearest to it ("right TFESI + left TPI",
    "ESI at L5-S1, left knee injection"). Guidance and contrast are often said once for all
    ("A and B under ultrasound"): they qualify every family of the sentence unless the
    sentence gives different ones ("ESI under fluoro, knee under ultrasound").
    """
    if target.label not in _BOUND_LABELS:
        values = {t.value for t in usable if _same_sentence(t, target)}
        if len(values) < 2:
            return True
    return _nearest_mention(target, [*mentions, *others]) in mentions


def _levels(ctx: _Context, mentions: Sequence[Target], others: Sequence[Target]) -> list[Target]:
    """Level spans of one family, after the body's corrections of them."""
    return apply_corrections(_named_levels(ctx, mentions, others), ctx.corrections)


def level_corrections(ctx: _Context) -> list[tuple[list[Target], list[Target]]]:
    """(treated, not treated) level spans of each sentence that corrects a level.

    "At L5-S1 rather than L4-5": the clause before the cue names the treated level, the
    words after it the one not treated. A bare "instead" closes the clause of the treated
    level; the sentence's other levels were not treated. "Levels changed to L3-4 and L4-5"
    names only the treated ones. Plans are not corrections.
    """
    by_sentence: dict[int, list[Target]] = {}
    for t in ctx.targets:
        if t.label == "LEVEL" and t.assertion not in _NOT_TODAY:
            by_sentence.setdefault(t.sent_start, []).append(t)
    corrections: list[tuple[list[Target], list[Target]]] = []
    for in_sentence in by_sentence.values():
        first = in_sentence[0]
        # A correction names a few levels; a sentence listing many is no correction (and
        # would make this quadratic on adversarial text).
        if len(in_sentence) > MAX_CORRECTION_LEVELS or ctx.in_future(first):
            continue
        changed = _CHANGED_TO.search(ctx.text, first.sent_start, first.sent_end)
        if changed is not None:
            clause_end = _clause_end(ctx.text, changed.end(), first.sent_end)
            new = [t for t in in_sentence if changed.end() <= t.start and t.end <= clause_end]
            if new and _LEVEL_NEXT.fullmatch(ctx.text, changed.end(), new[0].start):
                corrections.append((new, []))
            continue
        cue = _CORRECTION_CUE.search(ctx.text, first.sent_start, first.sent_end)
        if cue is None:
            continue
        before = ctx.text.rfind(";", first.sent_start, cue.start())
        clause_start = max(
            before, *(ctx.text.rfind(c, first.sent_start, cue.start()) for c in ",:")
        )
        treated = [t for t in in_sentence if clause_start < t.start and t.end <= cue.start()]
        if cue.group().lower() == "instead":
            untreated = [t for t in in_sentence if t not in treated]
        else:
            clause_end = _clause_end(ctx.text, cue.end(), first.sent_end)
            untreated = [t for t in in_sentence if cue.end() <= t.start and t.end <= clause_end]
            if not untreated and _ORDERED.search(ctx.text, cue.end(), clause_end):
                # "at T9, T10 and T11 rather than the levels on the request": every level
                # chosen elsewhere gives way (an empty list stands for "all the others")
                before_cue = [t for t in in_sentence if t.end <= cue.start()]
                corrections.append((before_cue, []))
        if treated and untreated:
            corrections.append((treated, untreated))
    return corrections


def _clause_end(text: str, start: int, sentence_end: int) -> int:
    """Where the clause that runs from ``start`` ends: its next break, else the sentence's end."""
    after = _CLAUSE_BREAK.search(text, start, sentence_end)
    return after.start() if after else sentence_end


def apply_corrections(
    chosen: list[Target], corrections: Sequence[tuple[list[Target], list[Target]]]
) -> list[Target]:
    """Drop the levels a correction says were not treated, and add the ones it says were.

    A correction with no untreated spans ("rather than the ordered levels") replaces every
    chosen level of the same region.
    """
    for treated, untreated in corrections:
        if not untreated:
            if chosen and _regions(_canonical(chosen)) == _regions(_canonical(treated)):
                chosen = list(treated)
            continue
        refused = {tuple(levels_in(t.text)) for t in untreated}
        if not any(tuple(levels_in(t.text)) in refused for t in chosen):
            continue
        kept = [t for t in chosen if tuple(levels_in(t.text)) not in refused]
        chosen = kept + [t for t in treated if t not in kept]
    return chosen


def _named_levels(
    ctx: _Context, mentions: Sequence[Target], others: Sequence[Target]
) -> list[Target]:
    """Level spans: what the needles reached, else the title's, else the detail's.

    A title's "L4-L5 transforaminal" is less precise than the body's "the left L4 neural
    foramen ... the left L5 neural foramen": where the account names foramina (vertebral
    bodies, for augmentation) that the title does not, they win (see REACHED_AFTER).
    """
    family = mentions[0].value if mentions else None
    after = REACHED_AFTER.get(family or "")
    reached = [
        t
        for t in ctx.zone("LEVEL")
        if after is not None
        and (t.section in DETAIL_SECTIONS or ctx.described_today(t))
        and t.assertion not in _NOT_TODAY
        and after.match(ctx.text, t.end)
        and not _IMAGING.search(ctx.text, t.sent_start, t.sent_end)
        and not _after_spread(ctx.text, t)
    ]
    own = [
        t for t in ctx.targets if t.label == "LEVEL" and any(_same_sentence(t, m) for m in mentions)
    ]
    if reached and not _canonical(reached) <= _canonical(own):
        return reached
    return _levels_named_with(ctx, mentions, others, family)


def _after_spread(text: str, target: Target) -> bool:
    """A level named where contrast or injectate went ("tracked ... down to the L4 body")."""
    start = max(target.sent_start, target.start - SPREAD_WINDOW)
    return bool(_SPREAD_BEFORE.search(text, start, target.start))


def _canonical(targets: Sequence[Target]) -> set[str]:
    return {level for t in targets for level in levels_in(t.text)}


def _levels_named_with(
    ctx: _Context, mentions: Sequence[Target], others: Sequence[Target], family: str | None
) -> list[Target]:
    """Level spans named with the family: its own sentences, else the zone (title first)."""
    level_targets = _attribute_targets(ctx, "LEVEL", mentions, others)
    if family in OWN_LEVEL_FAMILIES and (others or family not in STEP_LEVEL_FAMILIES):
        level_targets = [t for t in level_targets if any(_same_sentence(t, m) for m in mentions)]
    level_targets = _treated_levels(ctx, level_targets, family)
    if family in NERVE_LEVEL_FAMILIES:
        # "L3 and L4 medial branches (for the L4-5 and L5-S1 joints)": the nerves treated;
        # a title naming joints or a range gives way to the nerves the account names.
        nerves = _nerves(ctx, level_targets)
        if not nerves and not others:
            zone = [t for t in ctx.zone("LEVEL") if t.assertion not in _NOT_TODAY]
            nerves = _nerves(ctx, _treated_levels(ctx, zone, family))
        level_targets = nerves or level_targets
    titled = [t for t in level_targets if t.section in TITLE_SECTIONS or t.section is None]
    return titled or level_targets


def _treated_levels(ctx: _Context, targets: Sequence[Target], family: str | None) -> list[Target]:
    """Level spans that can name a treated level: not boilerplate, spread, findings or surgery."""
    return [
        t
        for t in targets
        if not _GENERIC_SENTENCE.match(ctx.text, t.sent_start, t.sent_end)
        and not (family not in LEAD_FAMILIES and _after_spread(ctx.text, t))
        and not (_imaging_finding(ctx.text, t) and not ctx.done_today(t))
        and not (family != "other" and _SURGERY_AFTER.match(ctx.text, t.end))
    ]


_FULL_STOP = re.compile(r"[.!?](?:\s|$)")
_ITEM_LINES = 3  # how many wrapped lines an item of findings may run over


def _item_start(text: str, pos: int) -> int:
    """Start of the line holding ``pos``, or of the item it continues (indented lines)."""
    start = text.rfind("\n", 0, pos) + 1
    for _ in range(_ITEM_LINES):
        if start == 0 or text[start : start + 1] not in (" ", "\t"):
            break
        start = text.rfind("\n", 0, start - 1) + 1
    return start


# A line (or list item) labelled with an imaging study: "MRI L-SPINE 08/2026: ...".
_IMAGING_LABEL = re.compile(
    r"[ \t]*(?:[-*\u2022][ \t]*)?(?:MRI|MR|CT|x-?rays?|radiographs?|myelogra\w*|bone\s+scan)"
    r"\b(?![ \t-]*guid)[^\n:.]{0,60}:",
    re.IGNORECASE,
)


def _imaging_finding(text: str, target: Target) -> bool:
    """A level in a sentence that reports imaging ("MRI: L5-S1 fissure; L3-4 desiccation").

    A list of findings split at semicolons is one report, even wrapped over indented lines:
    the item's earlier clauses count when no full stop ends one of them; so is every
    sentence of a line labelled with the study ("MRI 08/2026: Solid fusion. L3-4 ...").
    """
    start = _item_start(text, target.sent_start)
    if _IMAGING_LABEL.match(text, start):
        return True
    if start >= target.sent_start or _FULL_STOP.search(text, start, target.sent_start):
        start = target.sent_start
    return bool(_IMAGING.search(text, start, target.sent_end))


def _nerves(ctx: _Context, targets: Sequence[Target]) -> list[Target]:
    """Level spans that name medial branches or dorsal rami ("L3 and L4 medial branches")."""
    return [
        t for t in targets if not _JOINT_TEXT.search(t.text) and _NERVE_AFTER.match(ctx.text, t.end)
    ]


# Surgeries on the discs or the joints between vertebrae: a range they name ("fusion from
# T3-L5", "discectomy C4 through C6") is its interspaces (note-facts/v1: a range expands to
# the joints it names); a laminectomy's or corpectomy's range is its vertebrae.
_INTERSPACE_SURGERY = re.compile(
    r"fusion|arthrodesis|dis[ck]ectomy|interbody|instrumentation|arthroplasty|dis[ck]\s+replacement",
    re.IGNORECASE,
)


def _surgery_levels(
    ctx: _Context, targets: Sequence[Target], surgeries: Sequence[Target]
) -> list[str]:
    """Levels of the note's surgeries: each level span read by the surgery named before it."""

    def on_interspaces(level: Target) -> bool:
        before = [s for s in surgeries if s.sent_start == level.sent_start and s.end <= level.start]
        return bool(before) and bool(_INTERSPACE_SURGERY.search(before[-1].text))

    spaces = [t for t in targets if on_interspaces(t)]
    segments = [t for t in targets if not on_interspaces(t)]
    return sort_levels(
        canonical_from_targets(ctx.text, spaces, True)
        + canonical_from_targets(ctx.text, segments, False)
    )


def _regions(levels: Iterable[str]) -> set[str]:
    """The spinal regions of canonical levels ("L4-L5" is lumbar)."""
    return {region_of(level) for level in levels}


def _said_done_instead(levels: list[str], said_done: list[str]) -> list[str]:
    """The levels the body says were treated, when the title named other ones.

    "Requested as: L2 kyphoplasty ... L3 was treated": an ordered level the body never
    treats gives way to the one it does, within the same region.
    """
    if not levels or not said_done or set(levels) & set(said_done):
        return levels
    if _regions(levels) != _regions(said_done):
        return levels
    return said_done


def drop_joint_endpoints(levels: Sequence[str]) -> list[str]:
    """Drop single segments already named as the end of a listed joint.

    "Left L3-L4 TFESI (L3 nerve root)" documents the L3-L4 level once, not twice.
    """
    endpoints = {segment for level in levels if "-" in level for segment in level.split("-")}
    return [level for level in levels if "-" in level or level not in endpoints]


def canonical_from_targets(text: str, targets: Iterable[Target], joints: bool = True) -> list[str]:
    """Canonical levels of level spans, reading a few words after each for segment cues.

    With ``joints`` false (nerves, ganglia, vertebral bodies), a range names segments. Two
    joints joined by "to" or "through" ("T6-7 to T8-9") name every joint between them.
    """
    found: list[str] = []
    previous: tuple[Target, list[str]] | None = None
    for target in sorted(targets, key=lambda t: t.start):
        after = text[target.end : target.end + 40]
        segments = not joints or bool(_SEGMENT_CUE.match(after))
        levels = levels_in(target.text, range_as_segments=segments)
        if previous is not None and _JOINT_RANGE_GAP.fullmatch(text, previous[0].end, target.start):
            levels += joints_between(previous[1], levels)
        found.extend(levels)
        previous = (target, levels)
    return sort_levels(found)


_JOINT_RANGE_GAP = re.compile(r"\s+(?:to|through|thru)\s+", re.IGNORECASE)


def side_value(target: Target) -> str:
    """A LATERALITY span's side: its value, or the letter of an "R"/"L" shorthand."""
    if target.value == "shorthand":
        return "right" if target.text.lower().strip(".") == "r" else "left"
    return target.value


def decide_laterality(values: Iterable[str]) -> Laterality | None:
    """Bilateral when stated or when both sides are named; else the one side named."""
    seen = set(values)
    if "bilateral" in seen or {"left", "right"} <= seen:
        return "bilateral"
    if "left" in seen:
        return "left"
    if "right" in seen:
        return "right"
    return None


def decide_guidance(targets: Sequence[Target]) -> Guidance | None:
    """Imaging named as used wins; an explicit 'without imaging' gives ``none``.

    A modality named inside a statement that it was not used ("without fluoroscopy", "the
    C-arm is out for service") is no use of it.
    """
    refused = [(t.start, t.end) for t in targets if t.value == "none"]
    positive = [
        t.value
        for t in targets
        if t.value != "none"
        and t.assertion != "negated"
        and not any(start <= t.start and t.end <= end for start, end in refused)
    ]
    for modality in ("fluoroscopy", "ct", "ultrasound"):
        if modality in positive:
            return modality
    if any(t.value == "none" or t.assertion == "negated" for t in targets):
        return "none"
    return None


def decide_contrast(targets: Sequence[Target]) -> bool | None:
    """``True`` when contrast was injected, ``False`` when the note says none was used.

    Contrast named in words that overlap a statement that none was used ("contrast not
    used (allergy)", "injected under fluoroscopy without contrast") is no injection of it.
    """
    refused = [(t.start, t.end) for t in targets if t.value == "false"]
    values = {
        "false"
        if t.assertion == "negated"
        or (t.value == "true" and any(s < t.end and t.start < e for s, e in refused))
        else t.value
        for t in targets
    }
    if "true" in values:
        return True
    return False if "false" in values else None


def decide_approach(targets: Sequence[Target]) -> Approach | None:
    """The most explicit ESI approach named: transforaminal, then caudal, then interlaminar."""
    values = {t.value for t in targets}
    for approach in ("transforaminal", "caudal", "interlaminar"):
        if approach in values:
            return approach
    return None


def decide_region(
    family: str,
    levels: Sequence[str],
    approach: str | None,
    region_words: Sequence[str],
    mention_text: str,
) -> Region | None:
    """Region from the family, its levels, the approach, then region words in the zone."""
    if family in SACRAL_FAMILIES or approach == "caudal":
        return "sacral"
    if family in OTHER_REGION_FAMILIES:
        lowered = mention_text.lower()
        return "sacral" if ("sacr" in lowered or "cocc" in lowered) else "other"
    if levels and (family in SPINAL_FAMILIES or family == "other"):
        return region_of(levels[0])  # type: ignore[return-value]  # a spine surgery's too
    if region_words:
        return Counter(region_words).most_common(1)[0][0]  # type: ignore[return-value]
    if family in SPINAL_FAMILIES:
        return None
    return "other"


# Only these words may stand between a side and the level it qualifies ("right L4-5",
# "left-sided L5-S1", "the left L5", "R two-needle (L2", "Right side: L2", "LEFT -- L3"): up
# to three words, no digit.
_SIDE_GAP = re.compile(r"[ \t]*(?:-?sided\b)?(?:[ \t(]*[A-Za-z][A-Za-z-]*){0,3}[ \t(:\-\u2013]*")
# A level listed right after another takes its side ("R L2 + L3", "left L4, L5 and S1",
# "Left side: L4 medial branch and L5 dorsal ramus").
_LIST_GAP = re.compile(
    r"[ \t]*(?:(?:medial[ \t]+branch(?:es)?|MBs?|dorsal[ \t]+ram(?:us|i)|DRs?)[ \t]*)?"
    r"(?:,|\+|&|/|and)?[ \t]*(?:and[ \t]+)?",
    re.IGNORECASE,
)


def _side_of_each_level(
    ctx: _Context, level_targets: Sequence[Target], side_targets: Sequence[Target], joints: bool
) -> dict[str, frozenset[str]]:
    """Each canonical level with the sides written right before it, where there are any.

    In "right L4-5 and left L5-S1" L4-L5 is right and L5-S1 left; in "R: L2 + L3, L: L3"
    L3 is named with both sides. A level listed right after another takes its side.
    """
    sides: dict[str, frozenset[str]] = {}
    previous: tuple[Target, frozenset[str]] | None = None
    for level in level_targets:
        before = [
            side
            for side in side_targets
            if side.end <= level.start
            and _SIDE_GAP.fullmatch(ctx.text, side.end, level.start)
            and side.assertion != "negated"
        ]
        value: frozenset[str] | None = None
        if before:
            named = side_value(before[-1])
            value = frozenset({"left", "right"} if named == "bilateral" else {named})
        elif previous is not None and _LIST_GAP.fullmatch(ctx.text, previous[0].end, level.start):
            value = previous[1]
        if value is None:
            previous = None
            continue
        previous = (level, value)
        for name in canonical_from_targets(ctx.text, [level], joints):
            sides[name] = sides.get(name, frozenset()) | value
    return sides


def _split_by_side(procedure: Procedure, sides: Mapping[str, frozenset[str]]) -> list[Procedure]:
    """One procedure per side when the levels' sides differ.

    "Right L4-5 and left L5-S1 TFESI" is two procedures (note-facts/v1: one entry per
    family, region and laterality), not one bilateral injection at both levels; a level
    named with both sides goes in both.
    """
    if procedure.laterality != "bilateral" or len(procedure.levels) < 2:
        return [procedure]
    if any(not sides.get(level) for level in procedure.levels):
        return [procedure]
    if len({sides[level] for level in procedure.levels}) < 2:
        return [procedure]
    order = [side for level in procedure.levels for side in sorted(sides[level], reverse=True)]
    return [
        procedure.model_copy(
            update={
                "laterality": side,
                "levels": [level for level in procedure.levels if side in sides[level]],
            }
        )
        for side in dict.fromkeys(order)
    ]


# A side names the site of the mention after it when only site words stand between them
# ("right knee intra-articular injection", "left greater trochanteric bursa injection").
_SITE_GAP = re.compile(r"[ \t]*(?:-?sided\b[ \t]*)?(?:[A-Za-z]+[ \t]+){0,3}", re.IGNORECASE)


# A side that names a joint or bursa ("R shoulder GH jt", "left knee", "right greater
# trochanteric bursa"): the site each side of a multi-site injection visit names.
_JOINT_SITE_AFTER = re.compile(
    r"\.?\s+(?:(?:lateral|medial|greater|posterior|anterior|superolateral)\s+)?"
    r"(knee|shoulder|hip|ankle|elbow|wrist|thumb|glenohumeral|GH|acromioclavicular|AC|"
    r"subacromial|trochanteric|pes\s+anserine|olecranon|prepatellar|subdeltoid|iliopsoas|"
    r"ischial|sternoclavicular|CMC|MTP)\b",
    re.IGNORECASE,
)


def _sides_by_site(
    ctx: _Context, mentions: Sequence[Target], side_targets: Sequence[Target]
) -> dict[str, set[str]]:
    """The sites each side names: side -> the site words it opens.

    Those between it and the family mention it opens, and the joint or bursa it names
    outside the past ("#2 L knee, intra-articular"). Only one-sided words count; a
    "bilateral" anywhere leaves the family bilateral.
    """
    sites: dict[str, set[str]] = {}
    for mention in mentions:
        before = [
            side
            for side in side_targets
            if side.sent_start == mention.sent_start
            and side.end <= mention.start
            and _SITE_GAP.fullmatch(ctx.text, side.end, mention.start)
            and side.assertion != "negated"
        ]
        if before:
            site = ctx.text[before[-1].end : mention.end].lower().split()
            sites.setdefault(side_value(before[-1]), set()).add(" ".join(site))
    for side in side_targets:
        joint = _JOINT_SITE_AFTER.match(ctx.text, side.end)
        if joint and side.assertion == "affirmed" and not ctx.in_past(side):
            sites.setdefault(side_value(side), set()).add(joint.group(1).lower())
    return sites


def _split_sites_by_side(
    ctx: _Context,
    procedure: Procedure,
    mentions: Sequence[Target],
    side_targets: Sequence[Target],
    guidance_targets: Sequence[Target],
) -> list[Procedure]:
    """One procedure per side when a level-less family is done at different sites per side.

    "Right knee injection ... left shoulder bursa injection" is two procedures (right and
    left), each with the guidance told with its site; "left frontal craniotomy ... right
    frontal craniotomy" is one bilateral one.
    """
    if procedure.laterality != "bilateral" or procedure.levels:
        return [procedure]
    if any(side_value(t) == "bilateral" for t in side_targets if t.assertion != "negated"):
        return [procedure]
    sites = _sides_by_site(ctx, mentions, side_targets)
    if set(sites) != {"left", "right"} or sites["left"] & sites["right"]:
        return [procedure]
    return [
        procedure.model_copy(
            update={
                "laterality": side,
                "guidance": _site_guidance(side, side_targets, guidance_targets)
                or procedure.guidance,
            }
        )
        for side in ("right", "left")
    ]


def _site_guidance(
    side: str, side_targets: Sequence[Target], guidance_targets: Sequence[Target]
) -> Guidance | None:
    """The guidance told in the sentences of one side's site ("R shoulder, US-guided")."""
    sentences = {t.sent_start for t in side_targets if side_value(t) == side}
    return decide_guidance([t for t in guidance_targets if t.sent_start in sentences])


def _split_by_region(procedure: Procedure) -> list[Procedure]:
    """Vertebral augmentation or a spine surgery at T12 and L1 is two procedures, one per region.

    The sacrum goes with the lumbar spine: "laminotomy L5 and S1" is one lumbar operation.
    """
    if procedure.family not in {"vertebral_augmentation", "other"} or len(procedure.levels) < 2:
        return [procedure]
    by_region: dict[str, list[str]] = {}
    for level in procedure.levels:
        by_region.setdefault(region_of(level), []).append(level)
    if "lumbar" in by_region and "sacral" in by_region:
        by_region["lumbar"] += by_region.pop("sacral")  # a lumbosacral operation is lumbar
    if len(by_region) == 1:
        return [procedure]
    return [
        procedure.model_copy(update={"region": region, "levels": levels})
        for region, levels in by_region.items()
    ]


def _nearest_time(ctx: _Context, target: Target) -> str | None:
    """The time cue nearest the mention in its sentence ("MBBs in 2025 -> schedule RFA")."""
    cues = [t for t in ctx.targets if t.label == "TIME" and t.sent_start == target.sent_start]
    if not cues:
        return None
    return min(cues, key=lambda t: max(t.start - target.end, target.start - t.end, 0)).value


def _planned_by_rule(ctx: _Context, target: Target, performed: set[str]) -> bool:
    """A future or conditional mention, or one in a plan section (not today's consent text)."""
    future = target.planned or target.assertion == "hypothetical" or ctx.in_future(target)
    repeat = target.section in PLAN_SECTIONS and _repeat_item(ctx.text, target)
    if target.assertion == "historical" or (
        ctx.in_past(target) and _nearest_time(ctx, target) != "future" and not repeat
    ):
        return False  # "2 MBBs in 2025 -> schedule the RFA" plans the RFA, not the MBBs
    if not (future or target.section in PLAN_SECTIONS):
        return False
    if not future and ctx.done_in_plan(target):
        return False  # "P: TPI x4 today": done at this visit, not planned
    if _declined(ctx, target):
        return False  # "offered a blood patch; she declined"
    if _named_by_result(ctx.text, target):
        return False  # "RFA not indicated (neg MBB)": the MBB was done before
    if target.value in performed and ctx.in_future(target) and target.end > ctx.title_end:
        return True  # today's procedure, and a sentence planning its repeat
    return not (target.value in performed and (ctx.in_zone(target) or target.section == "consent"))


def _repeat_item(text: str, target: Target) -> bool:
    """The mention's line or sentence opens with "repeat" ("- Repeat L4-5 ILESI")."""
    start = max(target.sent_start, text.rfind("\n", 0, target.start) + 1)
    return _REPEAT_ITEM.fullmatch(text, start, target.start) is not None


def _named_by_result(text: str, target: Target) -> bool:
    """Named by its result ("neg MBB", "the MBB pain diary"): an earlier procedure."""
    return bool(
        _RESULT_BEFORE.search(text, max(target.sent_start, target.start - 40), target.start)
        or _RESULT_AFTER.match(text, target.end, min(target.sent_end, target.end + 40))
    )


def _declined(ctx: _Context, target: Target) -> bool:
    """The patient turned the procedure down, later on its line.

    A refusal in a later sentence that names another procedure is about that one: "I plan
    a lumbar sympathetic block. He is not interested in a spinal cord stimulator."
    """
    match = _DECLINED.match(ctx.text, target.end, min(len(ctx.text), target.end + 120))
    if match is None:
        return False
    at = match.end()
    return at <= target.sent_end or not any(
        t.label == "FAMILY" and t.value != target.value and t.sent_start <= at < t.sent_end
        for t in ctx.targets
    )


def _planned(
    ctx: _Context, performed: set[str], status: MentionStatus | None
) -> tuple[list[Family], list[Evidence]]:
    """Families the note recommends, schedules or conditionally plans."""
    families: list[Family] = []
    evidence: list[Evidence] = []
    mentions: list[Target] = []
    for target in ctx.targets:
        if target.label != "FAMILY" or target.assertion in {"negated", "family"}:
            continue
        if _after_post(ctx.text, target):
            continue  # "expect post-neurotomy soreness": the procedure is behind it
        if _ruled_out(ctx.text, target):
            continue  # "no further neurotomy planned"
        learned = status.get((target.start, target.end)) if status is not None else None
        if learned is not None:
            planned = learned[1] >= PLANNED_FROM_STATUS
        else:
            planned = _planned_by_rule(ctx, target, performed)
        if planned:
            mentions.append(target)
    # "genicular nerve blocks, followed by radiofrequency ablation": the RFA is genicular
    for target in _yield_generic(_drop_nested(mentions)):
        if target.value not in families:
            families.append(as_family(target.value))
        evidence.append(target.evidence("planned_procedures"))
    return families, evidence


@dataclass(frozen=True)
class AssembledProcedures:
    """Performed procedures, planned families, their evidence, and where they were found."""

    procedures: list[Procedure]
    planned: list[Family]
    evidence: list[Evidence]
    in_zone: bool  # a performed procedure is named in the title or procedure sections


def _title_end(text: str, targets: Sequence[Target]) -> int:
    """End of a leading title, else 0.

    The title is the note's first line, or its first sentence when the line runs on. It
    counts when it is short and written in capitals ("BILATERAL SACROILIAC JOINT
    INJECTIONS") or names a procedure without speaking of the past or the future ("rt L5
    SNRB", "Lumbar interlaminar epidural steroid injection at L4-5.").
    """
    first = text.lstrip("\ufeff \t\r\n")
    offset = len(text) - len(first)
    line = _SENTENCE_END.split(first.split("\n", 1)[0], maxsplit=1)[0]
    end = offset + len(line)
    if not line.strip() or len(line) > TITLE_MAX:
        return 0
    letters = [c for c in line if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) / len(letters) > 0.8:
        return end
    on_line = [t for t in targets if t.end <= end]
    names = any(
        t.label == "FAMILY" and t.assertion == "affirmed" and not t.planned for t in on_line
    )
    past = any(t.label == "TIME" and t.value == "past" for t in on_line)
    return end if names and not past else 0


def _drop_surgery_extras(ctx: _Context, mentions: list[Target]) -> list[Target]:
    """Pain-family mentions of an operative note for a surgery that are not procedures done.

    Nerve blocks there are the anaesthesia; other pain procedures named outside its procedure
    sections are the indication's history ("She had subacromial injection, which relieved
    the majority of her pain").
    """
    surgery = any(
        t.label == "SURGERY" and t.section in TITLE_SECTIONS and t.assertion == "affirmed"
        for t in ctx.targets
    )
    if not surgery:
        return mentions
    return [
        m
        for m in mentions
        if m.value not in ANESTHESIA_ADJUNCT_FAMILIES
        and (m.section in ZONE_SECTIONS or m.end <= ctx.title_end)
    ]


def _surgeries(ctx: _Context) -> list[Target]:
    """Surgeries named as the note's procedures are performed procedures of family "other".

    Named means in the title, or in the sentence a "Procedure:"/"Operation:" header opens;
    every one listed there counts, so the levels of each ("laminectomy C3 through C6") do.
    """
    return [
        replace(t, value="other")
        for t in ctx.targets
        if t.label == "SURGERY"
        and t.assertion == "affirmed"
        and not ctx.in_past(t)
        and not _SURGERY_BEFORE.search(ctx.text, max(0, t.start - 30), t.start)
        and (t.end <= ctx.title_end or _listed_today(ctx, t))
    ]


def _listed_today(ctx: _Context, target: Target) -> bool:
    """Listed under a procedure header: "Procedure:", or "Operations:" in an operative report.

    A consult's "OPERATIONS:" heading lists the patient's past surgeries.
    """
    header = _PROCEDURE_HEADER.search(ctx.text, max(0, target.start - HEADER_REACH), target.start)
    if header is None:
        return False
    past_list = _PAST_SURGERY_LIST.match(header.group(0))
    return not past_list or bool(_OPERATIVE_HEADINGS.search(ctx.text))


def _unlisted_procedures(ctx: _Context) -> list[Target]:
    """Procedures of other specialties the lexicon does not list, named on a procedure line.

    Used only when nothing else was found performed, in a note with an operative report's
    headings (pre/postoperative diagnosis, anesthesia, blood loss): a line such as
    "OPERATION: Stage I and II neuromodulator" names today's procedure, family "other".
    A line naming pain-procedure words is left unrecognised instead: a pain procedure
    ChartReady cannot name must be checked by hand, not passed as another specialty's.
    """
    if not _OPERATIVE_HEADINGS.search(ctx.text):
        return []
    for match in _PROCEDURE_LINE.finditer(ctx.text):
        start, end = match.span("name")
        name = match.group("name")
        if _NAMES_NOTHING.match(name) or _PAIN_PROCEDURE_WORDS.search(name):
            continue
        if any(t.start < end and t.end > start for t in ctx.targets if t.label == "FAMILY"):
            continue
        return [
            Target(
                label="SURGERY",
                value="other",
                rule="surgery.procedure_line",
                start=start,
                end=end,
                text=name,
                section="procedure",
                assertion="affirmed",
                planned=False,
                trigger=None,
                sent_start=start,
                sent_end=end,
            )
        ]
    return []


def _supersede(ctx: _Context, mentions: list[Target]) -> list[Target]:
    """Drop a mention that a bigger procedure of the same note includes.

    A block the same note also ablates (the RF includes the block), a trial's leads placed
    with a generator, an epidurogram taken while placing leads or a catheter.
    """
    families = {m.value for m in mentions}
    if "neurolysis_other" in families:
        mentions = [m for m in mentions if m.value != "sympathetic_block"]
    if "si_rfa" in families:
        # lateral branch blocks are the diagnostic step of the lateral branch ablation
        mentions = [
            m
            for m in mentions
            if not (m.value == "si_joint_injection" and _LATERAL_BRANCH.search(m.text))
        ]
    if "scs_implant" in families:
        # percutaneous leads placed with a generator are the implant's leads (CPT 63650
        # with 63685), not a trial
        mentions = [
            m for m in mentions if not (m.value == "scs_trial" and not _TRIAL.search(m.text))
        ]
    if families & CATHETER_FAMILIES and not _names_an_epidural(ctx):
        # an epidurogram while placing leads or a catheter is part of that procedure, unless
        # the note also names an epidural injection
        mentions = [
            m for m in mentions if not (m.value == "esi" and _EPIDUROGRAM.fullmatch(m.text))
        ]
    return mentions


def _names_an_epidural(ctx: _Context) -> bool:
    """Whether the note names this visit's epidural injection other than as "epidurogram".

    The injections of its history do not count.
    """
    return any(
        t.label == "FAMILY"
        and t.value == "esi"
        and not _EPIDUROGRAM.fullmatch(t.text)
        and t.assertion != "negated"
        and not ctx.in_past(t)
        for t in ctx.targets
    )


def time_cues(targets: Sequence[Target]) -> dict[int, frozenset[str]]:
    """TIME cue values (``today``, ``past``) per sentence start."""
    found: dict[int, set[str]] = {}
    for target in targets:
        # a negation's scope running over "today" ("no imaging (US down today)") negates
        # the imaging, not the day
        if target.label == "TIME" and target.assertion != "hypothetical":
            found.setdefault(target.sent_start, set()).add(target.value)
    return {start: frozenset(values) for start, values in found.items()}


@dataclass(frozen=True)
class MentionSignals:
    """What the rules see around one family mention (features for the learned status)."""

    in_zone: bool
    in_title: bool
    today: bool
    past: bool
    performed: bool  # the rules' own decision
    planned: bool


def _narrative(
    text: str, targets: Sequence[Target], times: Mapping[int, frozenset[str]]
) -> tuple[int, int] | None:
    """From the paragraph of the first sentence describing technique to the last one.

    A sentence saying how the site was found without imaging ("trigger points located by
    palpation", "no imaging") describes technique too. When that paragraph opens with a
    numbered item, the account starts there: the item names what was done ("1)
    Radiofrequency ablation, left lumbar." over "Nerves lesioned: ... Prone, chlorhexidine
    prep.").
    """
    spans = [
        (t.sent_start, t.sent_end)
        for t in targets
        if (t.label == "TIME" and t.value == "technique")
        or (t.label == "GUIDANCE" and t.value == "none")
        if t.section not in NEVER_TODAY_SECTIONS
        and "past" not in times.get(t.sent_start, frozenset())
    ]
    if not spans:
        return None
    first = min(s for s, _ in spans)
    paragraph = max(text.rfind("\n\n", 0, first), text.rfind("\n \n", 0, first)) + 1
    opening = first - len(text[paragraph:first].lstrip()) if paragraph > 0 else first
    item = NUMBERED_ITEM.match(text, opening)
    return (opening if item else first), max(e for _, e in spans)


def _context(text: str, targets: Sequence[Target]) -> _Context:
    has_zone = any(t.section in ZONE_SECTIONS for t in targets)
    times = time_cues(targets)
    return _Context(
        text, targets, has_zone, _title_end(text, targets), times, _narrative(text, targets, times)
    )


def mention_signals(text: str, targets: Sequence[Target]) -> dict[tuple[int, int], MentionSignals]:
    """The rules' signals for every family mention, keyed by its span."""
    ctx = _context(text, targets)
    performed = {m.value for m in _performed_mentions(ctx, None)}
    return {
        (t.start, t.end): MentionSignals(
            in_zone=ctx.in_zone(t),
            in_title=t.end <= ctx.title_end,
            today=ctx.done_today(t),
            past=ctx.in_past(t),
            performed=_performed_by_rule(ctx, t),
            planned=_planned_by_rule(ctx, t, performed),
        )
        for t in targets
        if t.label == "FAMILY"
    }


def assemble_procedures(
    text: str, targets: Sequence[Target], status: MentionStatus | None = None
) -> AssembledProcedures:
    """Performed procedures, planned families and the evidence for both.

    ``status`` (from the learned layer) decides performed/planned per family mention;
    without it, the rules in :func:`_performed_by_rule` and :func:`_planned_by_rule` do.
    """
    ctx = _context(text, targets)
    mentions = _supersede(ctx, _drop_surgery_extras(ctx, _performed_mentions(ctx, status)))
    mentions += _surgeries(ctx)
    if not mentions:
        mentions = _unlisted_procedures(ctx)
    if any(t.label == "TIME" and t.value == "stay" for t in targets):
        mentions = []  # a discharge summary lists what was done during the stay
    by_family: dict[str, list[Target]] = {}
    for mention in mentions:
        by_family.setdefault(mention.value, []).append(mention)

    procedures: list[Procedure] = []
    evidence: list[Evidence] = []
    for family, own in by_family.items():
        others = [m for m in mentions if m.value != family]
        level_targets = _levels(ctx, own, others)
        joints = family in JOINT_LEVEL_FAMILIES
        levels = (
            _surgery_levels(ctx, level_targets, own)
            if family == "other"
            else canonical_from_targets(text, level_targets, joints)
        )
        levels = [level for level in levels if level not in ctx.levels_not_done]
        levels = _said_done_instead(
            levels, canonical_from_targets(text, ctx.levels_said_done, joints)
        )
        if family in JOINT_LEVEL_FAMILIES:
            levels = drop_joint_endpoints(levels)
        side_targets = [
            t
            for t in _attribute_targets(ctx, "LATERALITY", own, others)
            if not _untreated_side(text, t)
        ]
        if len(by_family) == 1:  # a time-out of one procedure verifies its side
            side_targets = _verified_sides(ctx, side_targets)
        if family in MIDLINE_FAMILIES:
            side_targets = []  # a pump pocket or a lead's side is not the procedure's
        elif family in MUSCLE_FAMILIES and not side_targets:
            side_targets = [t for t in _muscle_sides(ctx) if not _untreated_side(text, t)]
        elif family == "esi" and decide_approach(
            _attribute_targets(ctx, "APPROACH", own, others)
        ) in {"interlaminar", "caudal"}:
            # a midline injection has a side only when its own sentences (or a
            # paramedian entry) give one
            side_targets = [
                t
                for t in side_targets
                if (any(_same_sentence(t, m) for m in own) and not _symptom_side(text, t))
                or _PARAMEDIAN.search(text, t.sent_start, t.sent_end)
            ]
        guidance_targets = _attribute_targets(ctx, "GUIDANCE", own, others)
        contrast_targets = _attribute_targets(ctx, "CONTRAST", own, others)
        approach_targets = (
            _attribute_targets(ctx, "APPROACH", own, others) if family == "esi" else []
        )
        region_targets = _attribute_targets(ctx, "REGION", own, others)
        approach = decide_approach(approach_targets)
        procedure = Procedure(
            family=as_family(family),
            approach=approach,
            region=decide_region(
                family, levels, approach, [t.value for t in region_targets], own[0].text
            ),
            levels=levels,
            laterality=decide_laterality(
                side_value(t) for t in side_targets if t.assertion != "negated"
            ),
            guidance=decide_guidance(guidance_targets),
            contrast=decide_contrast(contrast_targets),
        )
        sides = _side_of_each_level(ctx, level_targets, side_targets, joints)
        for split in (
            part
            for by_level in _split_by_side(procedure, sides)
            for by_site in _split_sites_by_side(ctx, by_level, own, side_targets, guidance_targets)
            for part in _split_by_region(by_site)
        ):
            index = len(procedures)
            procedures.append(split)
            path = f"procedures[{index}]"
            evidence.extend(m.evidence(f"{path}.family") for m in own)
            evidence.extend(t.evidence(f"{path}.levels") for t in level_targets)
            evidence.extend(t.evidence(f"{path}.laterality") for t in side_targets)
            evidence.extend(t.evidence(f"{path}.guidance") for t in guidance_targets)
            evidence.extend(t.evidence(f"{path}.contrast") for t in contrast_targets)
            evidence.extend(t.evidence(f"{path}.approach") for t in approach_targets)
    planned, planned_evidence = _planned(ctx, set(by_family), status)
    in_zone = any(ctx.in_zone(m) for m in mentions)
    return AssembledProcedures(procedures, planned, evidence + planned_evidence, in_zone)
